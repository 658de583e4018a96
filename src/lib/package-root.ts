import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding Tessera's package.json, whether running from src/ (tsx) or dist/ (compiled). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate) && JSON.parse(fs.readFileSync(candidate, 'utf8')).name === 'tessera') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('Cannot find the tessera package root');
    dir = parent;
  }
}
