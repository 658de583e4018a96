import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import type { Sealer } from '../security/sealing.js';
import * as repo from './settings.repository.js';
import { settingsValues, type SettingsPatch, type SettingsResponse, type SettingsValues } from './settings.schemas.js';

/** Secret settings live in their own rows, sealed with the key name as associated data. */
export const SECRET_SETTING_KEYS = ['smtp.password'] as const;
export type SecretSettingKey = (typeof SECRET_SETTING_KEYS)[number];
const secretAad = (key: string) => `settings:${key}`;

/** How long a node trusts its cached copy; settings change rarely and several nodes share them. */
const CACHE_MS = 2000;

export type SettingsService = ReturnType<typeof createSettingsService>;

export function createSettingsService(deps: { db: Db; sealer: Sealer; audit: AuditService; clock: Clock }) {
  const { db, sealer, audit, clock } = deps;
  let cache: { at: number; values: SettingsValues; secrets: Set<string> } | undefined;

  async function load() {
    const now = clock.now().getTime();
    if (cache && now - cache.at < CACHE_MS) return cache;
    const stored = await repo.findAllSettings(db);
    const raw: Record<string, unknown> = {};
    for (const [k, v] of stored) if (!k.includes('.')) raw[k] = v;
    // A stored value that no longer validates (an older version's) falls back to its default.
    const parsed = settingsValues.safeParse(raw);
    const values = parsed.success ? parsed.data : settingsValues.parse(Object.fromEntries(Object.entries(raw).filter(([k, v]) => settingsValues.shape[k as keyof SettingsValues]?.safeParse(v).success)));
    cache = { at: now, values, secrets: new Set(SECRET_SETTING_KEYS.filter((k) => stored.has(k))) };
    return cache;
  }

  const toResponse = (c: { values: SettingsValues; secrets: Set<string> }): SettingsResponse => ({
    ...c.values,
    smtp: { ...c.values.smtp, password: { set: c.secrets.has('smtp.password') } },
  });

  async function update(ctx: RequestContext, patch: SettingsPatch): Promise<SettingsResponse> {
    const current = (await load()).values;
    const { smtp: smtpPatch, ...top } = patch;
    const { password, ...smtpRest } = smtpPatch ?? {};
    const next: SettingsValues = { ...current, ...top, smtp: { ...current.smtp, ...smtpRest } };
    const changed = (Object.keys(next) as (keyof SettingsValues)[]).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(current[k]));
    const changedFields = changed.flatMap((k) => (k === 'smtp' ? Object.keys(smtpRest).filter((f) => JSON.stringify(next.smtp[f as never]) !== JSON.stringify(current.smtp[f as never])).map((f) => `smtp.${f}`) : [k]));
    if (password !== undefined) changedFields.push('smtp.password');
    if (changedFields.length === 0) return toResponse(await load());
    await db.transaction(async (tx) => {
      for (const k of changed) await repo.upsertSetting(tx, k, next[k]);
      if (password === null) await repo.deleteSettings(tx, ['smtp.password']);
      else if (password !== undefined) await repo.upsertSetting(tx, 'smtp.password', sealer.seal(password, secretAad('smtp.password')));
      await audit.record(ctx, { action: 'settings.updated', target: { type: 'settings', id: null, label: 'settings' }, details: { changed: changedFields } }, tx);
    });
    cache = undefined;
    return toResponse(await load());
  }

  return {
    get: async () => (await load()).values,
    getResponse: async () => toResponse(await load()),
    update,
    /** For the server's own use (sending mail); never for an API answer. */
    async getSecret(key: SecretSettingKey): Promise<string | undefined> {
      const stored = await repo.findAllSettings(db);
      const sealed = stored.get(key);
      return typeof sealed === 'string' ? sealer.open(sealed, secretAad(key)) : undefined;
    },
    invalidate: () => { cache = undefined; },
  };
}
