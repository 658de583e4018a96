// The whole test suite: format and lint, the layout rules, the API contract and the type checks,
// then every *.test.ts under src/ and test/ with node:test.
// Usage: npm test [-- <file or folder filter>...]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const filters = process.argv.slice(2);

function findTests(dir) {
  return fs
    .readdirSync(path.join(root, dir), { recursive: true })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f));
}

const files = [...findTests('src'), ...findTests('test')].filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
if (files.length === 0) {
  console.error('no test files match', filters);
  process.exit(1);
}

if (process.env.TESSERA_TEST_SETUP !== '0') {
  const setup = spawnSync('bash', [path.join(root, 'scripts/test-setup.sh')], { cwd: root, stdio: 'inherit' });
  if (setup.status !== 0) process.exit(setup.status ?? 1);
}

/**
 * The web's API contract (web/src/shared/api/openapi.json, schema.d.ts) must be the server's: it is
 * regenerated into a temporary folder, alongside the type checks, and compared with the committed files.
 */
function checkContract() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-contract-'));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/api-contract.ts'), '--out', dir], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) =>
    child.on('close', (code) => {
      const committed = path.join(root, 'web/src/shared/api');
      const stale =
        code === 0
          ? ['openapi.json', 'schema.d.ts'].filter(
              (f) => !fs.existsSync(path.join(committed, f)) || !fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(committed, f))),
            )
          : [];
      fs.rmSync(dir, { recursive: true, force: true });
      if (code !== 0) resolve(`could not build the API contract (scripts/api-contract.ts):\n${stderr}`);
      else if (stale.length)
        resolve(
          `the API contract is out of date: ${stale.map((f) => `web/src/shared/api/${f}`).join(', ')} differ from the server's routes. Run \`npm run contract\`, fix the web where its type check fails, and commit both files.`,
        );
      else resolve(null);
    }),
  );
}

if (filters.length === 0) {
  const contract = checkContract();
  // Format and lint (Biome, biome.jsonc), then the layout's rules (scripts/check-architecture.mjs).
  const biome = spawnSync(process.execPath, [path.join(root, 'node_modules/@biomejs/biome/bin/biome'), 'ci', '--reporter=summary'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (biome.status !== 0) {
    console.error('npm test: formatting or lint problems: `npx biome check --write` fixes the formatting; see above for the rest.');
    process.exit(biome.status ?? 1);
  }
  const layout = spawnSync(process.execPath, [path.join(root, 'scripts/check-architecture.mjs')], { cwd: root, stdio: 'inherit' });
  if (layout.status !== 0) process.exit(layout.status ?? 1);
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  const webTsc = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'web/tsconfig.json', '--noEmit'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (webTsc.status !== 0) process.exit(webTsc.status ?? 1);
  const contractProblem = await contract;
  if (contractProblem) {
    console.error(`npm test: ${contractProblem}`);
    process.exit(1);
  }
}

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', TESSERA_TEST: '1' } },
);
process.exit(result.status ?? 1);
