import fs from 'node:fs';
import { Command } from 'commander';
import { cliContext } from '../lib/context.js';
import { rotateSealedValues } from '../security/key-rotation.js';
import { generateMasterKeyText, masterKeyPath, nextKeyPath, oldKeyPath, parseMasterKey } from '../security/master-key.js';
import { createSealer } from '../security/sealing.js';
import { withRuntime } from './admin.command.js';
import { out } from './io.js';

export function keyCommands(): Command {
  const cmd = new Command('keys').description('the master key that seals secrets at rest');
  cmd.command('rotate')
    .description('seal every stored secret under a new master key. Stop the other nodes first.')
    .action(async () => {
      await withRuntime(async ({ services, database, config, masterKey: loaded }) => {
        const newText = generateMasterKeyText();
        const next = parseMasterKey(newText);
        const fromFile = loaded.source !== 'TESSERA_MASTER_KEY';
        // The new key is on disk before any value is sealed with it: a crash at any point leaves
        // every value openable (the loader also reads master.key.next and master.key.old-*).
        if (fromFile) fs.writeFileSync(nextKeyPath(config.dataDir), newText + '\n', { mode: 0o600 });
        const from = createSealer(loaded.masterKey, loaded.previous);
        const count = await rotateSealedValues(database, from, createSealer(next));
        await services.audit.record(cliContext(), { action: 'keys.rotated', target: { type: 'master_key', id: next.id, label: next.id }, details: { from: loaded.masterKey.id, to: next.id, resealed: count } });
        if (fromFile) {
          fs.renameSync(masterKeyPath(config.dataDir), oldKeyPath(config.dataDir, loaded.masterKey.id));
          fs.renameSync(nextKeyPath(config.dataDir), masterKeyPath(config.dataDir));
          out(`Re-sealed ${count} secret(s) under key ${next.id}. ${masterKeyPath(config.dataDir)} holds the new key; the old one is kept as ${oldKeyPath(config.dataDir, loaded.masterKey.id)} until you delete it.`);
        } else {
          out(`Re-sealed ${count} secret(s) under key ${next.id}. Set this on every node and restart them:`);
          out(`TESSERA_MASTER_KEY=${newText}`);
        }
      });
    });
  return cmd;
}
