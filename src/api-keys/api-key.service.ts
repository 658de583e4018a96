import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import { AppError, isUniqueViolation } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import { randomToken, sha256 } from '../security/tokens.js';
import * as repo from './api-key.repository.js';
import type { ApiKeyDto, ApiKeyScope } from './api-key.schemas.js';

export { apiKeyScopes, type ApiKeyScope } from './api-key.schemas.js';

/** Keys look like `tsk_<43 base64url chars>`: the prefix makes a leaked key easy to recognise in secret scanners. */
export const API_KEY_PREFIX = 'tsk_';
/** A key declared in the config file may be any strong string; this is the least we accept. */
export const MIN_DECLARED_KEY_LENGTH = 32;

const toDto = (k: repo.ApiKeyRow): ApiKeyDto => ({
  id: k.id,
  name: k.name,
  scope: k.scope as ApiKeyScope,
  prefix: k.prefix,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  expiresAt: k.expiresAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
  createdBy: k.createdBy,
});

/** Record last use at most this often: an automation loop should not write on every call. */
const TOUCH_EVERY_MS = 60_000;

export type ApiKeyService = ReturnType<typeof createApiKeyService>;

export function createApiKeyService(deps: { db: Db; audit: AuditService; clock: Clock }) {
  const { db, audit, clock } = deps;

  async function create(
    ctx: RequestContext,
    input: { name: string; scope: ApiKeyScope; expiresAt?: Date | null; secret?: string; source?: string },
  ): Promise<{ apiKey: ApiKeyDto; secret: string }> {
    if (input.expiresAt && input.expiresAt <= clock.now())
      throw new AppError('api_keys.expiry_in_past', 'The expiry date must be in the future', { field: 'expiresAt' });
    const secret = input.secret ?? API_KEY_PREFIX + randomToken();
    try {
      return await db.transaction(async (tx) => {
        const row = await repo.insertApiKey(tx, {
          name: input.name,
          scope: input.scope,
          prefix: secret.slice(0, 12),
          secretHash: sha256(secret),
          createdBy: ctx.actor.label,
          expiresAt: input.expiresAt ?? null,
          source: input.source ?? 'console',
        });
        await audit.record(
          ctx,
          {
            action: 'api_key.created',
            target: { type: 'api_key', id: row.id, label: row.name },
            details: { scope: row.scope, expiresAt: row.expiresAt?.toISOString() ?? null },
          },
          tx,
        );
        return { apiKey: toDto(row), secret };
      });
    } catch (err) {
      if (isUniqueViolation(err, 'api_keys_name_key'))
        throw new AppError('api_keys.name_in_use', 'An API key with this name already exists', { field: 'name' });
      if (isUniqueViolation(err)) throw new AppError('api_keys.name_in_use', 'This key secret is already in use');
      throw err;
    }
  }

  async function revoke(ctx: RequestContext, id: string): Promise<void> {
    await db.transaction(async (tx) => {
      const key = await repo.findApiKeyById(tx, id);
      if (!key) throw new AppError('api_keys.not_found', 'API key was not found');
      if (key.revokedAt) return;
      await repo.updateApiKeyById(tx, id, { revokedAt: clock.now() });
      await audit.record(ctx, { action: 'api_key.revoked', target: { type: 'api_key', id, label: key.name } }, tx);
    });
  }

  /** The key a bearer secret names, if it is live. Unknown, revoked and expired keys answer the same. */
  async function authenticate(secret: string): Promise<repo.ApiKeyRow | undefined> {
    if (secret.length < MIN_DECLARED_KEY_LENGTH || secret.length > 512) return undefined;
    const key = await repo.findApiKeyBySecretHash(db, sha256(secret));
    const now = clock.now();
    if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= now)) return undefined;
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > TOUCH_EVERY_MS) await repo.touchApiKey(db, key.id, now);
    return key;
  }

  /** For the declarative config: the key named in the file exists with that secret, scope and expiry. */
  async function ensureDeclared(
    ctx: RequestContext,
    input: { name: string; scope: ApiKeyScope; secret: string; expiresAt: Date | null },
  ): Promise<'created' | 'updated' | 'unchanged'> {
    const existing = await repo.findApiKeyByName(db, input.name);
    if (!existing) {
      await create(ctx, { ...input, source: 'config' });
      return 'created';
    }
    const wanted = { secretHash: sha256(input.secret), scope: input.scope, expiresAt: input.expiresAt, revokedAt: null, prefix: input.secret.slice(0, 12) };
    const changed = Object.entries(wanted)
      .filter(([k, v]) => String(existing[k as keyof typeof existing] ?? null) !== String(v ?? null))
      .map(([k]) => k);
    if (changed.length === 0) return 'unchanged';
    await db.transaction(async (tx) => {
      await repo.updateApiKeyById(tx, existing.id, wanted);
      const details = { changed: changed.filter((k) => k !== 'prefix').map((k) => (k === 'secretHash' ? 'secret' : k)) };
      await audit.record(ctx, { action: 'api_key.updated', target: { type: 'api_key', id: existing.id, label: existing.name }, details }, tx);
    });
    return 'updated';
  }

  return {
    ensureDeclared,
    list: async () => (await repo.findApiKeys(db)).map(toDto),
    findByName: (name: string) => repo.findApiKeyByName(db, name),
    create,
    revoke,
    authenticate,
  };
}
