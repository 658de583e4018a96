#!/usr/bin/env node
// The `tessera-agent` command: runs the compiled workstation agent (npm install builds it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/agent/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('tessera-agent: the agent is not built yet: run `npm run build:agent` (npm install does it).\n');
  process.exit(1);
}
const { runCli } = await import(entry.href);
await runCli(process.argv.slice(2));
