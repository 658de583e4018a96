import type { Logger } from 'pino';
import type { Db } from '../../db/connection.js';
import type { Job } from '../../jobs/job-runner.js';
import { systemContext } from '../../lib/context.js';
import { entraSettings } from './entra.schemas.js';
import * as repo from './entra-passkey.repository.js';
import type { EntraPasskeyService } from './entra-passkey.service.js';

/**
 * Pairing states also change outside the provisioning API: an employee enrols or removes a Tessera
 * key, someone deletes a passkey in Entra, a user leaves the tenant. A periodic refresh of every
 * tenant with passkey provisioning on brings states and the Entra groups up to date.
 */
export function entraPasskeyJobs(deps: { db: Db; logger: Logger; entraPasskeys: EntraPasskeyService; intervalMs?: number }): Job[] {
  const ctx = systemContext('scheduler');
  return [
    {
      name: 'entra.pairing-refresh',
      intervalMs: deps.intervalMs ?? 15 * 60_000,
      leaseMs: 60 * 60_000,
      async run() {
        for (const d of await repo.findEntraDomains(deps.db)) {
          const settings = entraSettings.safeParse(d.settings);
          if (!d.secret || !settings.success || !settings.data.passkeys.enabled) continue;
          try {
            const summary = await deps.entraPasskeys.refresh(ctx, d.id);
            deps.logger.info({ domain: d.name, ...summary }, 'entra passkey pairings refreshed');
          } catch (err) {
            deps.logger.warn({ err, domain: d.name }, 'entra passkey pairing refresh failed');
          }
        }
      },
    },
  ];
}
