// The release as an operator gets it: the tarball `npm run release` makes, installed in an empty
// folder with production dependencies only and started there, beside the checkout's `npm start`;
// the systemd unit; and the container files, which cannot be built on this machine, held to the
// commands this test runs.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import YAML from 'yaml';
import { packageRoot } from '../src/lib/package-root.js';
import { eventually } from './helpers/eventually.js';
import { freePort } from './helpers/server.js';

const root = packageRoot();
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));

/** Docker's RUN steps of each stage (continuation lines joined, BuildKit --mount flags left out). */
function dockerRunSteps(text: string): Map<string, string[]> {
  const stages = new Map<string, string[]>();
  let current: string[] | undefined;
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      current = [];
      stages.set(from[1] ?? `stage${stages.size}`, current);
      continue;
    }
    const run = /^RUN\s+(.*)$/i.exec(line);
    if (run) {
      assert.ok(current, `RUN before any FROM: ${line}`);
      current.push(run[1].replace(/--mount=\S+\s+/g, '').trim());
    }
  }
  return stages;
}

/**
 * Every RUN step of the Dockerfile, stage by stage. The test runs each of them (the container path
 * /release mapped to a temporary folder), except `npm ci`, which is CI's own first step (.ci/run)
 * and must not run here: it would replace the checkout's node_modules.
 */
const CI_INSTALL = 'npm ci --no-audit --no-fund';
const RELEASE_STEP = 'npm run release -- --out /release';
const INSTALL_STEP = 'tar xzf /release/tessera-*.tgz --strip-components=1 && npm ci --omit=dev --no-audit --no-fund';
const DOCKER_RUN_STEPS = { build: [CI_INSTALL, RELEASE_STEP], runtime: [INSTALL_STEP] };

const withRelease = (step: string, dir: string) => step.replace(/(^|\s)\/release(?=[/\s]|$)/g, `$1${dir}`);

/** The environment an operator's shell would have: none of the suite's settings. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(TESSERA_|DATABASE_URL$|REDIS_URL$|PUBLIC_URL$|DATA_DIR$|PORT$|HOST$|NODE_ENV$|TRUST_PROXY$|LOG_LEVEL$)/.test(k)) continue;
    if (k.startsWith('npm_')) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

interface Started {
  port: number;
  dataDir: string;
  child: ChildProcess;
  stdout(): string;
  exit: Promise<number | null>;
}

/**
 * Starts a command as an operator would in a terminal (its own process group: `npm` and `npx`
 * run the server as a child process), on an empty data folder, and waits for /readyz and the banner.
 */
async function startTessera(cmd: string, args: string[], cwd: string, dataDir: string): Promise<Started> {
  const port = await freePort();
  const child = spawn(cmd, args, {
    cwd,
    env: cleanEnv({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const started = { port, dataDir, child, stdout: () => stdout, exit };
  try {
    await eventually(
      async () => {
        assert.equal(child.exitCode, null, `${cmd} ${args.join(' ')} exited with ${child.exitCode}:\n${stdout}\n${stderr}`);
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        assert.equal(res.status, 200, `/readyz answered ${res.status}`);
        assert.ok(stdout.includes('/setup?token='), `no banner yet:\n${stdout}`);
      },
      `${cmd} ${args.join(' ')} in ${cwd} did not start`,
      { timeoutMs: 180_000, intervalMs: 250 },
    );
  } catch (error) {
    signalGroup(child, 'SIGKILL');
    throw error;
  }
  return started;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-(child.pid as number), signal);
    return true;
  } catch {
    return false; // the group is gone
  }
}

/**
 * SIGTERM to the process group, as Ctrl-C or `systemctl stop` reach every process of it; waits
 * until none is left (SIGKILL after a minute), so that no server outlives the test.
 */
async function stopTessera(s: Started | undefined): Promise<void> {
  if (!s) return;
  const deadline = Date.now() + 60_000;
  if (!signalGroup(s.child, 'SIGTERM')) return;
  while (signalGroup(s.child, 0)) {
    if (Date.now() > deadline) signalGroup(s.child, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
  }
  await s.exit;
}

/** The banner's lines (not the JSON log lines), with what differs between two starts named. */
function banner(s: Started): string[] {
  return s
    .stdout()
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('{'))
    .map((l) =>
      l
        .replaceAll(String(s.port), 'PORT')
        .replaceAll(s.dataDir, 'DATA_DIR')
        .replace(/token=[A-Za-z0-9_-]+/, 'token=TOKEN'),
    );
}

describe('release tarball', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-release-test-'));
  const releaseDir = path.join(tmp, 'release');
  const installDir = path.join(tmp, 'opt-tessera');
  const running: Started[] = [];
  after(async () => {
    for (const s of running) await stopTessera(s);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the Dockerfile runs only the steps this test and CI run', () => {
    const steps = dockerRunSteps(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
    assert.deepEqual(Object.fromEntries(steps), DOCKER_RUN_STEPS, 'Dockerfile RUN steps changed: change this test to run the new ones too');
    const ci = fs.readFileSync(path.join(root, '.ci/run'), 'utf8').split('\n');
    assert.ok(
      ci.some((l) => l.trim() === CI_INSTALL),
      `.ci/run no longer runs \`${CI_INSTALL}\`, the Dockerfile's first step`,
    );
  });

  test('built, packed, installed with production dependencies only, and started like `npm start`', { timeout: 20 * 60_000 }, async () => {
    // The Dockerfile's stage 1 (after `npm ci`): build unless dist/ is fresh, then pack.
    const release = spawnSync('sh', ['-c', withRelease(RELEASE_STEP, releaseDir)], { cwd: root, encoding: 'utf8', env: cleanEnv({}) });
    assert.equal(release.status, 0, `npm run release failed:\n${release.stdout}\n${release.stderr}`);
    const tarballs = fs.readdirSync(releaseDir);
    assert.deepEqual(tarballs, [`tessera-${pkg.version}.tgz`], 'one tarball named after the version');
    const tarball = path.join(releaseDir, tarballs[0]);

    // What is in it: the built server, agent and console, the PGlite template, the migrations, the
    // documents served at /docs, bin, the systemd files, README, LICENSE, the manifest, and nothing else.
    const listed = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((f) => f.replace(/^package\//, ''));
    const allowed = [
      /^package\.json$/,
      /^npm-shrinkwrap\.json$/,
      /^README\.md$/,
      /^LICENSE$/,
      /^bin\/tessera(-agent)?\.js$/,
      /^dist\/server\/.+\.js$/,
      /^dist\/agent\/.+\.js$/,
      /^dist\/web\//,
      /^dist\/pglite-template\.tar\.gz$/,
      /^src\/db\/migrations\/(\d{4}_[a-z0-9_]+\.sql|meta\/[a-z0-9_]+\.json)$/,
      /^docs\/[a-z0-9-]+\.md$/,
      /^deploy\/systemd\/tessera\.(service|env)$/,
      /^deploy\/haproxy\/haproxy\.cfg$/,
    ];
    const unexpected = listed.filter((f) => !allowed.some((re) => re.test(f)) || /\.test\.|\.map$|\.tsx?$|(^|\/)node_modules\//.test(f));
    assert.deepEqual(unexpected, [], 'files that do not belong in the release');
    const walk = (dir: string): string[] =>
      fs
        .readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
        .flatMap((e) => (e.isFile() ? [path.relative(root, path.join(e.parentPath, e.name))] : []));
    const required = [
      'package.json',
      'npm-shrinkwrap.json',
      'README.md',
      'LICENSE',
      'bin/tessera.js',
      'bin/tessera-agent.js',
      'dist/server/cli/index.js',
      'dist/agent/cli.js',
      'dist/pglite-template.tar.gz',
      'deploy/systemd/tessera.service',
      'deploy/systemd/tessera.env',
      'deploy/haproxy/haproxy.cfg',
      ...walk('src/db/migrations'),
      ...walk('dist/web'),
      ...fs
        .readdirSync(path.join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ];
    assert.deepEqual(
      required.filter((f) => !listed.includes(f)),
      [],
      'files missing from the release',
    );

    // Its manifest: nothing to build on install, and the same production dependencies.
    const unpacked = path.join(tmp, 'manifest');
    fs.mkdirSync(unpacked);
    execFileSync('tar', ['xzf', tarball, '-C', unpacked, 'package/package.json', 'package/npm-shrinkwrap.json']);
    const manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'package/package.json'), 'utf8'));
    assert.equal(manifest.devDependencies, undefined, 'no devDependencies in the release manifest');
    assert.deepEqual(Object.keys(manifest.scripts), ['start'], 'no build or install scripts in the release manifest');
    assert.deepEqual(manifest.dependencies, pkg.dependencies);
    const shrinkwrap = JSON.parse(fs.readFileSync(path.join(unpacked, 'package/npm-shrinkwrap.json'), 'utf8'));
    assert.deepEqual(
      Object.entries(shrinkwrap.packages).filter(([k, v]) => k && (v as { dev?: boolean }).dev),
      [],
      'the shrinkwrap holds production packages only',
    );

    // The Dockerfile's stage 2, in an empty folder: unpack and `npm ci --omit=dev`.
    fs.mkdirSync(installDir);
    const install = spawnSync('sh', ['-c', withRelease(INSTALL_STEP, releaseDir)], { cwd: installDir, encoding: 'utf8', env: cleanEnv({}) });
    assert.equal(install.status, 0, `installing the release failed:\n${install.stdout}\n${install.stderr}`);
    const devOnly = Object.keys(pkg.devDependencies).filter((d) => lock.packages[`node_modules/${d}`]?.dev);
    assert.deepEqual(
      devOnly.filter((d) => fs.existsSync(path.join(installDir, 'node_modules', d))),
      [],
      'development packages installed with --omit=dev',
    );
    for (const name of ['fastify', 'oidc-provider', '@electric-sql/pglite']) {
      const installed = JSON.parse(fs.readFileSync(path.join(installDir, 'node_modules', name, 'package.json'), 'utf8')).version;
      assert.equal(installed, lock.packages[`node_modules/${name}`].version, `${name}: the version the lock file (and so the tests) have`);
    }

    // Started from the installed folder as the README says, and the checkout's `npm start`, each on
    // an empty data folder: the same banner.
    const installed = await startTessera('npx', ['tessera', 'serve'], installDir, path.join(tmp, 'data-installed'));
    running.push(installed);
    const checkout = await startTessera('npm', ['start', '--silent'], root, path.join(tmp, 'data-checkout'));
    running.push(checkout);
    assert.match(
      banner(installed)[0],
      /^Tessera is running at http:\/\/localhost:PORT \(listening on 127\.0\.0\.1:PORT; database: embedded PostgreSQL \(PGlite\) in DATA_DIR\)$/,
    );
    assert.deepEqual(banner(installed), banner(checkout), 'the installed release prints what `npm start` prints');

    // The installed server serves its own console, documents and migrated database.
    const base = `http://127.0.0.1:${installed.port}`;
    const page = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200, 'the console page is served from the release');
    const html = await page.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, `the console page names its script:\n${html.slice(0, 500)}`);
    assert.equal((await fetch(`${base}${asset}`)).status, 200, `${asset} is served`);
    const doc = await fetch(`${base}/docs/agent-protocol`);
    assert.equal(doc.status, 200, '/docs/agent-protocol is served from the release');
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);

    // SIGTERM stops it cleanly: the graceful shutdown ran, and released the data folder.
    await stopTessera(installed);
    assert.match(installed.stdout(), /"msg":"shutting down"/, `the installed server shut down gracefully:\n${installed.stdout()}`);
    const lockFiles = fs.readdirSync(path.join(installed.dataDir, 'run')).filter((f) => f.startsWith('owner.'));
    assert.ok(lockFiles.length > 0, 'the server locked its data folder');
    for (const f of lockFiles) {
      assert.equal(JSON.parse(fs.readFileSync(path.join(installed.dataDir, 'run', f), 'utf8')).released, true, `${f} released at the stop`);
    }
  });
});

describe('systemd unit', () => {
  const unitPath = path.join(root, 'deploy/systemd/tessera.service');
  const unit = fs.readFileSync(unitPath, 'utf8');
  const settings = new Map<string, string[]>();
  for (const line of unit.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) settings.set(m[1], [...(settings.get(m[1]) ?? []), m[2]]);
  }
  const one = (key: string) => settings.get(key)?.at(-1);

  test('passes systemd-analyze verify', (t) => {
    const which = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' });
    if (which.status !== 0) {
      console.log('# systemd-analyze is not installed here: the unit is checked statically only');
      t.skip('systemd-analyze is not installed');
      return;
    }
    const verify = spawnSync('systemd-analyze', ['verify', unitPath], { encoding: 'utf8' });
    const aboutUnit = `${verify.stdout}${verify.stderr}`.split('\n').filter((l) => l.includes('tessera'));
    assert.deepEqual(aboutUnit, [], 'systemd-analyze verify has something to say about the unit');
    assert.equal(verify.status, 0, `systemd-analyze verify failed:\n${verify.stdout}${verify.stderr}`);
  });

  test('runs as a dynamic user in its state directory, hardened, and waits for the drain at a stop', () => {
    const expected: Record<string, string> = {
      DynamicUser: 'yes',
      StateDirectory: 'tessera',
      WorkingDirectory: '/var/lib/tessera',
      EnvironmentFile: '/etc/tessera/tessera.env',
      ExecStart: 'node /opt/tessera/bin/tessera.js serve',
      Restart: 'on-failure',
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      ProtectKernelTunables: 'yes',
      ProtectKernelModules: 'yes',
      ProtectKernelLogs: 'yes',
      ProtectControlGroups: 'yes',
      RestrictAddressFamilies: 'AF_UNIX AF_INET AF_INET6 AF_NETLINK',
      SystemCallFilter: '@system-service',
      CapabilityBoundingSet: '',
      MemoryDenyWriteExecute: 'no',
    };
    for (const [key, value] of Object.entries(expected)) assert.equal(one(key), value, `${key}=`);
    assert.ok(settings.get('Environment')?.includes('DATA_DIR=/var/lib/tessera'), 'DATA_DIR is the state directory');
    // The stop timeout is the example configuration's drain + the server's 10 s to finish requests.
    const env = fs.readFileSync(path.join(root, 'deploy/systemd/tessera.env'), 'utf8');
    const drain = Number(/^TESSERA_SHUTDOWN_DRAIN_SECONDS=(\d+)$/m.exec(env)?.[1]);
    assert.ok(drain > 0, 'tessera.env sets a drain');
    assert.equal(one('TimeoutStopSec'), `${drain + 10}s`, 'TimeoutStopSec = TESSERA_SHUTDOWN_DRAIN_SECONDS + 10 s');
  });
});

describe('compose.yaml', () => {
  const compose = YAML.parse(fs.readFileSync(path.join(root, 'compose.yaml'), 'utf8'));

  test('two Tessera nodes built from the Dockerfile share the database, Redis, master key and PUBLIC_URL', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), ['haproxy', 'postgres', 'redis', 'tessera1', 'tessera2']);
    const [a, b] = [compose.services.tessera1, compose.services.tessera2];
    assert.deepEqual(a, b, 'the two nodes are configured alike');
    assert.equal(a.build, '.', 'built from the Dockerfile at the root');
    assert.deepEqual([...a.secrets].sort(), ['postgres_password', 'tessera_master_key']);
    // `$$` is compose's spelling of a `$` that the shell, not compose, expands.
    const command = a.command.join(' ');
    assert.match(command, /TESSERA_MASTER_KEY="\$\$\(cat \/run\/secrets\/tessera_master_key\)"/);
    assert.match(command, /DATABASE_URL="postgres:\/\/tessera:\$\$\(cat \/run\/secrets\/postgres_password\)@postgres:5432\/tessera"/);
    assert.match(command, /exec node \/opt\/tessera\/bin\/tessera\.js serve$/, 'the same command as the image');
    assert.equal(a.environment.REDIS_URL, 'redis://redis:6379');
    assert.ok(a.environment.PUBLIC_URL, 'PUBLIC_URL is set');
    assert.equal(a.environment.TRUST_PROXY, 'true');
    assert.equal(a.stop_grace_period, `${Number(a.environment.TESSERA_SHUTDOWN_DRAIN_SECONDS) + 10}s`, 'stop_grace_period = drain + 10 s');
    assert.equal(compose.services.postgres.environment.POSTGRES_PASSWORD_FILE, '/run/secrets/postgres_password');
    const dockerignore = fs.readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['node_modules', 'secrets', 'data', 'dist']) assert.ok(dockerignore.includes(p), `.dockerignore leaves out ${p}`);
  });

  test('HAProxy gets the reference configuration and both nodes by name', () => {
    const lb = compose.services.haproxy;
    assert.ok(lb.volumes.includes('./deploy/haproxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro'), 'mounts deploy/haproxy/haproxy.cfg');
    assert.equal(lb.environment.TESSERA_NODE1, 'tessera1:8080');
    assert.equal(lb.environment.TESSERA_NODE2, 'tessera2:8080');
    const cfg = path.join(root, 'deploy/haproxy/haproxy.cfg');
    if (fs.existsSync(cfg)) {
      const text = fs.readFileSync(cfg, 'utf8');
      for (const name of ['TESSERA_NODE1', 'TESSERA_NODE2']) assert.ok(text.includes(`"\${${name}}"`), `haproxy.cfg uses "\${${name}}"`);
    } else console.log('# deploy/haproxy/haproxy.cfg is not in this checkout yet: only compose.yaml is checked');
  });
});
