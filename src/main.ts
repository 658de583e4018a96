import { runCli } from './cli/index.js';

await runCli(['serve', ...process.argv.slice(2)]);
