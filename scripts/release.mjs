// The release tarball: `npm run release [-- --out DIR] [--build]` → DIR/tessera-<version>.tgz
// (DIR defaults to release/). It installs in an empty folder with production dependencies only:
//   npm install --omit=dev --no-audit --no-fund ./tessera-<version>.tgz && npx tessera serve
//
// 1. Build (`npm run build`) unless the build in dist/ is newer than every source it comes from
//    (after `npm ci`, whose `prepare` builds, it is; `--build` builds anyway).
// 2. Take the file list npm itself packs from package.json "files" (`npm pack --dry-run`).
// 3. Copy those files into a staging folder with a release manifest: package.json without
//    devDependencies, overrides and build scripts (so nothing tries to build on install), and
//    npm-shrinkwrap.json, the lock file's production packages, so the installed tree has the
//    versions the tests ran with.
// 4. `npm pack` the staging folder into DIR and print the tarball's path (the last line).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = path.resolve(outIndex >= 0 ? args[outIndex + 1] : path.join(root, 'release'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** What the build produces (dist/…) and what it is made from. */
const BUILD_OUTPUTS = ['dist/server/cli/index.js', 'dist/agent/cli.js', 'dist/web/index.html', 'dist/web/portal.html', 'dist/pglite-template.tar.gz'];
const BUILD_INPUTS = [
  'src',
  'agent/src',
  'agent/tsconfig.json',
  'web',
  'scripts/make-pglite-template.mjs',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
];

function newestMtime(p) {
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(p, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.endsWith('.test.ts') || entry.name.endsWith('.test.tsx')) continue;
    newest = Math.max(newest, newestMtime(path.join(p, entry.name)));
  }
  return newest;
}

/** Why the build in dist/ cannot be used as it is, or null when it is newer than all its inputs. */
function staleBuild(dir = root) {
  const missing = BUILD_OUTPUTS.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length) return `missing ${missing.join(', ')}`;
  const built = Math.min(...BUILD_OUTPUTS.map((f) => fs.statSync(path.join(dir, f)).mtimeMs));
  const changed = BUILD_INPUTS.filter((f) => fs.existsSync(path.join(dir, f)) && newestMtime(path.join(dir, f)) > built);
  return changed.length ? `${changed.join(', ')} changed since the last build` : null;
}

/** The lock file's production packages as npm-shrinkwrap.json for the release manifest. */
function shrinkwrap(lock, manifest) {
  const packages = {};
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (key === '')
      packages[key] = {
        name: manifest.name,
        version: manifest.version,
        license: manifest.license,
        dependencies: manifest.dependencies,
        bin: manifest.bin,
        engines: manifest.engines,
      };
    else if (!entry.dev) packages[key] = entry;
  }
  return { name: manifest.name, version: manifest.version, lockfileVersion: lock.lockfileVersion, requires: true, packages };
}

function main() {
  const reason = args.includes('--build') ? 'asked with --build' : staleBuild();
  if (reason) {
    console.error(`release: building (${reason})`);
    execFileSync(npm, ['run', 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
  } else console.error('release: the build in dist/ is up to date');

  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  // npm's own reading of "files" (plus package.json, README, LICENSE); --ignore-scripts: `prepare` would build again.
  const [listing] = JSON.parse(execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }));
  const files = listing.files.map((f) => f.path).filter((f) => f !== 'package.json');

  // npm packs a shrinkwrap only when "files" names it.
  const manifest = { ...pkg, files: [...pkg.files, 'npm-shrinkwrap.json'], scripts: { start: 'node bin/tessera.js serve' } };
  delete manifest.devDependencies;
  delete manifest.overrides;
  delete manifest.private;

  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-release-'));
  try {
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(stage, f)), { recursive: true });
      fs.copyFileSync(path.join(root, f), path.join(stage, f));
    }
    fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
    fs.writeFileSync(path.join(stage, 'npm-shrinkwrap.json'), `${JSON.stringify(shrinkwrap(lock, manifest), null, 2)}\n`);
    fs.mkdirSync(out, { recursive: true });
    const [packed] = JSON.parse(execFileSync(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', out], { cwd: stage, encoding: 'utf8' }));
    console.error(
      `release: ${packed.entryCount} files, ${(packed.size / 1024 / 1024).toFixed(1)} MiB packed, ${(packed.unpackedSize / 1024 / 1024).toFixed(1)} MiB unpacked`,
    );
    console.log(path.join(out, packed.filename));
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

main();
