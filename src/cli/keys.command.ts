import fs from 'node:fs';
import { Command } from 'commander';
import { z } from 'zod';
import { cliContext } from '../lib/context.js';
import { rotateSealedValues } from '../security/key-rotation.js';
import { generateMasterKeyText, masterKeyPath, nextKeyPath, oldKeyPath, parseMasterKey } from '../security/master-key.js';
import { createSealer } from '../security/sealing.js';
import { runDataCommand, type DataCommand } from './data-command.js';

/**
 * `tessera keys rotate`: every sealed value is opened and sealed again under a new master key, in
 * one transaction. Carried out by the running server (embedded database), which then seals and
 * opens with the new key at once: its services share one key ring (security/key-ring-sealer.ts).
 * The keys derived from the master key (CSRF, OIDC cookies, WebAuthn decoys) change at the next
 * start, as they did when the command ran only with the server stopped.
 */
export const keysRotate: DataCommand<Record<string, never>> = {
  name: 'keys rotate',
  options: z.strictObject({}),
  async run(rt, _opts, io) {
    const { services, database, config } = rt;
    const loaded = rt.masterKey;
    const old = loaded.masterKey;
    const newText = generateMasterKeyText();
    const next = parseMasterKey(newText);
    const fromFile = loaded.source !== 'TESSERA_MASTER_KEY';
    // The new key is on disk before any value is sealed with it: a crash at any point leaves
    // every value openable (the loader also reads master.key.next and master.key.old-*).
    if (fromFile) fs.writeFileSync(nextKeyPath(config.dataDir), `${newText}\n`, { mode: 0o600 });
    // This process opens values under the new key before the first one is committed (requests
    // served meanwhile), and keeps the old one for values sealed while the transaction ran.
    services.sealer.useKeys(old, [next, ...loaded.previous]);
    let count: number;
    try {
      count = await rotateSealedValues(database, createSealer(old, loaded.previous), createSealer(next));
    } catch (err) {
      services.sealer.useKeys(old, loaded.previous);
      throw err;
    }
    services.sealer.useKeys(next, [old, ...loaded.previous]);
    rt.masterKey = { masterKey: next, previous: [old, ...loaded.previous], created: false, source: loaded.source };
    await services.audit.record(cliContext(), {
      action: 'keys.rotated',
      target: { type: 'master_key', id: next.id, label: next.id },
      details: { from: old.id, to: next.id, resealed: count },
    });
    if (fromFile) {
      fs.renameSync(masterKeyPath(config.dataDir), oldKeyPath(config.dataDir, old.id));
      fs.renameSync(nextKeyPath(config.dataDir), masterKeyPath(config.dataDir));
      io.out(
        `Re-sealed ${count} secret(s) under key ${next.id}. ${masterKeyPath(config.dataDir)} holds the new key; the old one is kept as ${oldKeyPath(config.dataDir, old.id)} until you delete it.`,
      );
    } else {
      io.out(`Re-sealed ${count} secret(s) under key ${next.id}. Set this on every node and restart them:`);
      io.out(`TESSERA_MASTER_KEY=${newText}`);
    }
    return 0;
  },
};

export function keyCommands(): Command {
  const cmd = new Command('keys').description('the master key that seals secrets at rest');
  cmd
    .command('rotate')
    .description('seal every stored secret under a new master key. Stop the other nodes first.')
    .action(async () => {
      await runDataCommand(keysRotate, {});
    });
  return cmd;
}
