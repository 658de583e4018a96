import { AppError } from '../lib/errors.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Db, Executor } from '../db/connection.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import type { Sealer } from '../security/sealing.js';
import * as repo from './settings.repository.js';
import { SETTINGS_GROUPS, settingsValues, type SettingsPatch, type SettingsResponse, type SettingsValues } from './settings.schemas.js';

/** Secret settings live in their own rows, sealed with the key name as associated data. */
/**
 * Whether SMTP settings still send the password where the saved ones do: same host, port and user,
 * and TLS not dropped. Anything else must carry the password again (settings save, test e-mail).
 */
export function sameSmtpDestination(
  saved: { host: string | null; port: number | null; tls: string; username: string | null },
  form: { host: string | null; port: number | null; tls: string; username: string | null },
): boolean {
  const host = (h: string | null) => (h ?? '').trim().toLowerCase().replace(/\.$/, '');
  return (
    host(saved.host) === host(form.host) &&
    (saved.port ?? null) === (form.port ?? null) &&
    (saved.username ?? '') === (form.username ?? '') &&
    !(form.tls === 'none' && saved.tls !== 'none')
  );
}

export const SECRET_SETTING_KEYS = ['smtp.password'] as const;
export type SecretSettingKey = (typeof SECRET_SETTING_KEYS)[number];
const secretAad = (key: string) => `settings:${key}`;

/** The organisation's logo (a small image, as a data URL), kept apart from the settings it would bloat. */
export const LOGO_KEY = 'branding.logo';

/** How long a node trusts its cached copy; settings change rarely and several nodes share them. */
const CACHE_MS = 2000;

export type SettingsService = ReturnType<typeof createSettingsService>;

export function createSettingsService(deps: { db: Db; sealer: Sealer; audit: AuditService; clock: Clock }) {
  const { db, sealer, audit, clock } = deps;
  let cache: { at: number; values: SettingsValues; secrets: Set<string>; hasLogo: boolean } | undefined;

  async function load() {
    const now = clock.now().getTime();
    if (cache && now - cache.at < CACHE_MS) return cache;
    const stored = await repo.findAllSettings(db);
    const raw: Record<string, unknown> = {};
    for (const [k, v] of stored) if (!k.includes('.')) raw[k] = v;
    // A group stored by an older version lacks the fields added since: they take their defaults.
    const defaults = settingsValues.parse({}) as Record<string, unknown>;
    for (const g of SETTINGS_GROUPS) if (raw[g] && typeof raw[g] === 'object') raw[g] = { ...(defaults[g] as object), ...(raw[g] as object) };
    // A stored value that no longer validates (an older version's) falls back to its default.
    const parsed = settingsValues.safeParse(raw);
    const values = parsed.success
      ? parsed.data
      : settingsValues.parse(Object.fromEntries(Object.entries(raw).filter(([k, v]) => settingsValues.shape[k as keyof SettingsValues]?.safeParse(v).success)));
    cache = { at: now, values, secrets: new Set(SECRET_SETTING_KEYS.filter((k) => stored.has(k))), hasLogo: stored.has(LOGO_KEY) };
    return cache;
  }

  const toResponse = (c: { values: SettingsValues; secrets: Set<string>; hasLogo: boolean }): SettingsResponse => ({
    ...c.values,
    smtp: { ...c.values.smtp, password: { set: c.secrets.has('smtp.password') } },
    branding: { ...c.values.branding, hasLogo: c.hasLogo },
  });

  async function update(ctx: RequestContext, patch: SettingsPatch): Promise<SettingsResponse> {
    const loaded = await load();
    const current = loaded.values;
    const { password, ...smtpRest } = patch.smtp ?? {};
    const next = { ...current, ...patch, smtp: smtpRest } as Record<string, unknown>;
    // Groups merge field by field: a patch of smtp.host keeps smtp.port.
    for (const g of SETTINGS_GROUPS) next[g] = { ...current[g], ...(g === 'smtp' ? smtpRest : patch[g]) };
    const cur = current as Record<string, unknown>;
    const changed = Object.keys(next).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(cur[k])) as (keyof SettingsValues)[];
    const changedFields = changed.flatMap((k) =>
      (SETTINGS_GROUPS as readonly string[]).includes(k)
        ? Object.keys(next[k] as object)
            .filter((f) => JSON.stringify((next[k] as Record<string, unknown>)[f]) !== JSON.stringify((cur[k] as Record<string, unknown>)[f]))
            .map((f) => `${k}.${f}`)
        : [k],
    );
    // The saved password stays with the server it was given for: a save that moves host, port or
    // user (or drops TLS) must carry it again, else the next mail would hand it to the new server.
    const nextSmtp = next.smtp as typeof current.smtp;
    if (password === undefined && nextSmtp.username && loaded.secrets.has('smtp.password') && !sameSmtpDestination(current.smtp, nextSmtp))
      throw new AppError('settings.smtp_password_required', 'This change moves where the SMTP password is sent: enter the SMTP password again', {
        field: 'smtp.password',
      });
    if (password !== undefined) changedFields.push('smtp.password');
    if (changedFields.length === 0) return toResponse(await load());
    await db.transaction(async (tx) => {
      for (const k of changed) await repo.upsertSetting(tx, k, next[k]);
      if (password === null) await repo.deleteSettings(tx, ['smtp.password']);
      else if (password !== undefined) await repo.upsertSetting(tx, 'smtp.password', sealer.seal(password, secretAad('smtp.password')));
      await audit.record(
        ctx,
        { action: 'settings.updated', target: { type: 'settings', id: null, label: 'settings' }, details: { changed: changedFields } },
        tx,
      );
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
    invalidate: () => {
      cache = undefined;
    },
    /** Internal server state that is not an admin setting (the first-admin setup token), in `tx` when given. */
    findSystemState: <T>(key: string, tx: Executor = db) => repo.findSystemState<T>(tx, key),
    saveSystemState: (key: string, value: unknown, tx: Executor = db) => repo.upsertSystemState(tx, key, value),
    deleteSystemState: (key: string, tx: Executor = db) => repo.deleteSystemState(tx, key),
    async getLogo(): Promise<{ contentType: string; data: Buffer } | undefined> {
      const stored = (await repo.findAllSettings(db)).get(LOGO_KEY) as { contentType: string; base64: string } | undefined;
      return stored ? { contentType: stored.contentType, data: Buffer.from(stored.base64, 'base64') } : undefined;
    },
    async setLogo(ctx: RequestContext, logo: { contentType: string; data: Buffer } | null): Promise<void> {
      await db.transaction(async (tx) => {
        if (logo) await repo.upsertSetting(tx, LOGO_KEY, { contentType: logo.contentType, base64: logo.data.toString('base64') });
        else await repo.deleteSettings(tx, [LOGO_KEY]);
        await audit.record(
          ctx,
          {
            action: 'settings.updated',
            target: { type: 'settings', id: null, label: 'settings' },
            details: { changed: [logo ? 'branding.logo' : 'branding.logo (removed)'] },
          },
          tx,
        );
      });
      cache = undefined;
    },
  };
}
