// Builds the workstation agent alone as an npm package (about 35 KB), to install on computers
// without the server's dependencies: `npm run pack:agent [-- --out DIR]` → tessera-agent-<version>.tgz.
// The package holds bin/, dist/agent, the systemd unit, the polkit rule and the agent's README; it
// depends only on `ws` and `commander`, at the versions the server's lock file has.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const outIndex = process.argv.indexOf('--out');
const out = path.resolve(outIndex > 0 ? process.argv[outIndex + 1] : root);

execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'agent/tsconfig.json')], { stdio: 'inherit' });

const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')).packages;
const versionOf = (name) => `^${lock[`node_modules/${name}`].version}`;
const agentVersion = /AGENT_VERSION = '([^']+)'/.exec(fs.readFileSync(path.join(root, 'agent/src/version.ts'), 'utf8'))[1];

const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-agent-pack-'));
try {
  fs.mkdirSync(path.join(stage, 'bin'));
  fs.copyFileSync(path.join(root, 'bin/tessera-agent.js'), path.join(stage, 'bin/tessera-agent.js'));
  fs.cpSync(path.join(root, 'dist/agent'), path.join(stage, 'dist/agent'), { recursive: true });
  for (const f of ['tessera-agent.service', '50-tessera-agent.rules', 'README.md']) fs.copyFileSync(path.join(root, 'agent', f), path.join(stage, f));
  const manifest = {
    name: 'tessera-agent',
    version: agentVersion,
    description: 'Tessera workstation agent (docs/agent-protocol.md of the Tessera repository)',
    license: 'Apache-2.0',
    type: 'module',
    engines: { node: '>=20.19' },
    bin: { 'tessera-agent': 'bin/tessera-agent.js' },
    files: ['bin', 'dist', 'tessera-agent.service', '50-tessera-agent.rules', 'README.md'],
    dependencies: { ws: versionOf('ws'), commander: versionOf('commander') },
  };
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.mkdirSync(out, { recursive: true });
  const name = execFileSync('npm', ['pack', '--pack-destination', out], { cwd: stage, encoding: 'utf8' }).trim().split('\n').pop();
  console.log(path.join(out, name));
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
