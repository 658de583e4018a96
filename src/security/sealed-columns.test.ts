import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../lib/package-root.js';
import { sealedColumns } from './key-rotation.js';

/** Every .ts file under src/, tests left out. */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return sources(full);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [full] : [];
  });
}

describe('sealed columns', () => {
  it('lists every column the code seals, so key rotation re-seals it and a restore can check it', () => {
    // A sealed value's associated data names its table and column: `table.column:${id}`.
    const sealedHere = new Set<string>();
    for (const file of sources(path.join(packageRoot(), 'src'))) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/`([a-z_]+)\.([a-z_]+):\$\{/g)) sealedHere.add(`${m[1]}.${m[2]}`);
    }
    assert.ok(sealedHere.size >= 10, `the scan finds the sealed columns (${[...sealedHere].join(', ')})`);
    const listed = new Set(sealedColumns.map((c) => `${c.table}.${c.column}`));
    const missing = [...sealedHere].filter((c) => !listed.has(c)).sort();
    assert.deepEqual(missing, [], 'sealed in the code but not in sealedColumns (src/security/key-rotation.ts): key rotation would skip them');
  });
});
