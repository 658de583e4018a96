import crypto from 'node:crypto';
import type { AuditService } from '../../audit/audit.service.js';
import type { Db } from '../../db/connection.js';
import type { PubSub } from '../../db/pubsub.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, isUniqueViolation } from '../../lib/errors.js';
import type { RequestContext } from '../../lib/context.js';
import type { Sealer } from '../../security/sealing.js';
import { randomToken } from '../../security/tokens.js';
import * as repo from './oidc-client.repository.js';
import type { ClientDto, ClientInput, ClientPatch } from './oidc-client.schemas.js';

/** Where Entra ID's EAM requests send the answer (Microsoft's EAM provider reference). */
export const ENTRA_EAM_REDIRECT_URI = 'https://login.microsoftonline.com/common/federation/externalauthprovider';
export const entraIssuer = (tenantId: string) => `https://login.microsoftonline.com/${tenantId}/v2.0`;
export const entraJwksUrl = (tenantId: string) => `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`;

export const secretAad = (id: string) => `oidc_clients.secret:${id}`;
const SECRET_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);

/** Our own client properties, carried in oidc-provider's client metadata (extraClientMetadata). */
export interface TesseraClientMetadata {
  tessera_claims: string[];
  tessera_groups_claim: 'names' | 'ids' | 'none';
  tessera_first_party: boolean;
  tessera_eam: { tenantId: string; appId: string; jwksUrl: string } | null;
}

export type OidcClientService = ReturnType<typeof createOidcClientService>;

export function createOidcClientService(deps: {
  db: Db;
  audit: AuditService;
  sealer: Sealer;
  clock: Clock;
  /** oidc-provider's own check of client metadata (Client.validate), once the provider runs. */
  validate?: (metadata: Record<string, unknown>) => Promise<unknown>;
  /** Tells every node that the clients changed, so that their caches drop what they hold. */
  pubsub?: PubSub;
  onError?: (err: unknown) => void;
}) {
  const { db, audit, sealer } = deps;
  const cache = createClientCache(deps);

  const toDto = (r: repo.OidcClientRow): ClientDto => ({
    id: r.id,
    clientId: r.clientId,
    name: r.name,
    kind: r.kind as ClientDto['kind'],
    clientSecret: { set: r.secret !== null },
    redirectUris: r.redirectUris,
    postLogoutRedirectUris: r.postLogoutRedirectUris,
    grantTypes: r.grantTypes,
    tokenEndpointAuthMethod: r.tokenEndpointAuthMethod,
    scopes: r.scopes,
    claims: r.claims,
    groupsClaim: r.groupsClaim,
    jwks: r.jwks ?? null,
    jwksUri: r.jwksUri,
    backchannelLogoutUri: r.backchannelLogoutUri,
    initiateLoginUri: r.initiateLoginUri,
    firstParty: r.firstParty,
    eam: r.eam ?? null,
    source: r.source,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  });

  /**
   * Normalises a registration and refuses what cannot work: an EAM app is an implicit id_token
   * client with Entra's redirect URI and no secret; a code client needs a redirect URI;
   * private_key_jwt needs keys; a public client (`none`) cannot use client credentials.
   */
  function normalise(input: Omit<ClientInput, 'clientId'>): Omit<repo.OidcClientInsert, 'clientId' | 'secret' | 'source'> {
    if (input.kind === 'eam') {
      if (!input.eam) throw new AppError('oidc.client_invalid', 'An EAM application needs its Entra tenant id and application id');
      return {
        name: input.name,
        kind: 'eam',
        redirectUris: [ENTRA_EAM_REDIRECT_URI],
        postLogoutRedirectUris: [],
        grantTypes: ['implicit'],
        tokenEndpointAuthMethod: 'none',
        scopes: ['openid'],
        claims: [],
        groupsClaim: 'names',
        jwks: null,
        jwksUri: null,
        backchannelLogoutUri: null,
        initiateLoginUri: null,
        firstParty: true,
        eam: { tenantId: input.eam.tenantId, appId: input.eam.appId, jwksUrl: input.eam.jwksUrl ?? entraJwksUrl(input.eam.tenantId) },
      };
    }
    const grants = [...new Set(input.grantTypes)].filter((g) => g !== 'implicit');
    if (grants.length === 0)
      throw new AppError('oidc.client_invalid', 'Implicit is only for EAM applications: choose authorization_code or client_credentials');
    if (grants.includes('authorization_code') && input.redirectUris.length === 0)
      throw new AppError('oidc.client_invalid', 'An authorization code client needs at least one redirect URI', { field: 'redirectUris' });
    if (grants.includes('refresh_token') && !grants.includes('authorization_code'))
      throw new AppError('oidc.client_invalid', 'refresh_token needs authorization_code');
    if (input.tokenEndpointAuthMethod === 'private_key_jwt' && !input.jwks && !input.jwksUri)
      throw new AppError('oidc.client_invalid', "private_key_jwt needs the client's keys: jwks or jwksUri", { field: 'jwksUri' });
    if (input.tokenEndpointAuthMethod === 'none' && grants.includes('client_credentials'))
      throw new AppError('oidc.client_invalid', 'A public client (auth method none) cannot use client_credentials');
    if (input.jwks && input.jwksUri) throw new AppError('oidc.client_invalid', 'Give jwks or jwksUri, not both', { field: 'jwksUri' });
    return {
      name: input.name,
      kind: 'web',
      redirectUris: input.redirectUris,
      postLogoutRedirectUris: input.postLogoutRedirectUris,
      grantTypes: grants,
      tokenEndpointAuthMethod: input.tokenEndpointAuthMethod,
      scopes: [...new Set(['openid', ...input.scopes])],
      claims: [...new Set(input.claims)],
      groupsClaim: input.groupsClaim,
      jwks: input.jwks ?? null,
      jwksUri: input.jwksUri ?? null,
      backchannelLogoutUri: input.backchannelLogoutUri ?? null,
      initiateLoginUri: input.initiateLoginUri ?? null,
      firstParty: input.firstParty,
      eam: null,
    };
  }

  const needsSecret = (method: string) => SECRET_METHODS.has(method);

  async function get(id: string) {
    const row = await repo.findClientById(db, id);
    if (!row) throw new AppError('oidc.client_not_found', 'OIDC client was not found');
    return row;
  }

  const auditTarget = (r: repo.OidcClientRow) => ({ type: 'oidc_client', id: r.id, label: r.clientId });

  /** OIDC Dynamic Client Registration §2 names, as oidc-provider takes them. */
  function metadataOf(r: repo.OidcClientRow): Record<string, unknown> {
    const isEam = r.kind === 'eam';
    const extra: TesseraClientMetadata = {
      tessera_claims: r.claims,
      tessera_groups_claim: r.groupsClaim,
      tessera_first_party: r.firstParty,
      tessera_eam: r.eam ?? null,
    };
    return {
      client_id: r.clientId,
      ...(r.secret ? { client_secret: sealer.open(r.secret, secretAad(r.id)) } : {}),
      client_name: r.name,
      redirect_uris: r.redirectUris,
      post_logout_redirect_uris: r.postLogoutRedirectUris,
      grant_types: r.grantTypes,
      response_types: isEam ? ['id_token'] : r.grantTypes.includes('authorization_code') ? ['code'] : [],
      token_endpoint_auth_method: r.tokenEndpointAuthMethod,
      scope: r.scopes.join(' '),
      ...(r.jwks ? { jwks: r.jwks } : {}),
      ...(r.jwksUri ? { jwks_uri: r.jwksUri } : {}),
      ...(r.backchannelLogoutUri ? { backchannel_logout_uri: r.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
      // initiateLoginUri is Tessera's (the portal link), not given to oidc-provider, which would want https.
      // EAM: the ID token's `sub` must be the one Entra put in its id_token_hint (see oidc.eam.ts).
      subject_type: isEam ? 'pairwise' : 'public',
      ...extra,
    };
  }

  /**
   * Lets oidc-provider check a registration as it will when the client is used (e.g. a private key
   * in jwks, a secret too short for HS256), inside the writing transaction: refused, nothing is saved.
   */
  async function checked(row: repo.OidcClientRow): Promise<repo.OidcClientRow> {
    if (!deps.validate) return row;
    try {
      await deps.validate(metadataOf(row));
    } catch (err) {
      const e = err as { error_description?: string; message: string };
      throw new AppError('oidc.client_invalid', `The registration is not valid: ${e.error_description ?? e.message}`);
    }
    return row;
  }

  const service = {
    list: async () => (await repo.findClients(db)).map(toDto),
    get: async (id: string) => toDto(await get(id)),
    findByClientId: (clientId: string) => repo.findClientByClientId(db, clientId),

    /** Registers a client. The secret (generated unless given, e.g. from the config file) is answered once. */
    async create(ctx: RequestContext, input: ClientInput, opts: { source?: string; secret?: string } = {}) {
      return cache.afterChange(async () => {
        const id = crypto.randomUUID();
        const values = normalise(input);
        const secret = needsSecret(values.tokenEndpointAuthMethod) ? (opts.secret ?? randomToken(32)) : null;
        try {
          return await db.transaction(async (tx) => {
            const row = await checked(
              await repo.insertClient(tx, {
                ...values,
                id,
                clientId: input.clientId ?? `tsr_${randomToken(12)}`,
                source: opts.source ?? 'api',
                secret: secret ? sealer.seal(secret, secretAad(id)) : null,
              }),
            );
            await audit.record(
              ctx,
              {
                action: 'oidc.client_created',
                target: auditTarget(row),
                details: { kind: row.kind, grantTypes: row.grantTypes, authMethod: row.tokenEndpointAuthMethod, source: row.source },
              },
              tx,
            );
            return { client: toDto(row), clientSecret: opts.secret ? null : secret };
          });
        } catch (err) {
          if (isUniqueViolation(err)) throw new AppError('oidc.client_id_in_use', 'Another client has this client id', { field: 'clientId' });
          throw err;
        }
      });
    },

    async update(ctx: RequestContext, id: string, patch: ClientPatch, opts: { source?: string; secret?: string } = {}) {
      return cache.afterChange(async () => {
        const current = await get(id);
        if (current.source === 'config' && opts.source !== 'config')
          throw new AppError('oidc.client_managed_by_config', 'This client is managed by the configuration file: change it there');
        const merged = normalise({
          ...toDto(current),
          ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
          kind: current.kind as ClientDto['kind'],
        } as Omit<ClientInput, 'clientId'>);
        let secret: string | null | undefined;
        if (!needsSecret(merged.tokenEndpointAuthMethod)) secret = null;
        else if (opts.secret !== undefined) secret = opts.secret;
        else if (!current.secret) secret = randomToken(32);
        return db.transaction(async (tx) => {
          const row = await checked(
            (await repo.updateClientById(
              tx,
              id,
              { ...merged, ...(secret !== undefined ? { secret: secret ? sealer.seal(secret, secretAad(id)) : null } : {}) },
              deps.clock.now(),
            ))!,
          );
          const changed = Object.keys(patch).filter((k) => patch[k as keyof ClientPatch] !== undefined);
          await audit.record(ctx, { action: 'oidc.client_updated', target: auditTarget(row), details: { changed, secretChanged: secret !== undefined } }, tx);
          return { client: toDto(row), clientSecret: secret && opts.secret === undefined ? secret : null };
        });
      });
    },

    /** A new secret, answered once; the old one stops working at once. */
    async rotateSecret(ctx: RequestContext, id: string) {
      return cache.afterChange(async () => {
        const current = await get(id);
        if (!needsSecret(current.tokenEndpointAuthMethod))
          throw new AppError('oidc.client_invalid', `A ${current.tokenEndpointAuthMethod} client has no secret`);
        if (current.source === 'config') throw new AppError('oidc.client_managed_by_config', "This client's secret comes from the configuration file");
        const secret = randomToken(32);
        return db.transaction(async (tx) => {
          const row = (await repo.updateClientById(tx, id, { secret: sealer.seal(secret, secretAad(id)) }, deps.clock.now()))!;
          await audit.record(ctx, { action: 'oidc.client_secret_rotated', target: auditTarget(row) }, tx);
          return { client: toDto(row), clientSecret: secret };
        });
      });
    },

    async remove(ctx: RequestContext, id: string, opts: { source?: string } = {}) {
      return cache.afterChange(async () => {
        const current = await get(id);
        if (current.source === 'config' && opts.source !== 'config')
          throw new AppError('oidc.client_managed_by_config', 'This client is managed by the configuration file: remove it there');
        await db.transaction(async (tx) => {
          await repo.deleteClientById(tx, id);
          await audit.record(ctx, { action: 'oidc.client_deleted', target: auditTarget(current) }, tx);
        });
      });
    },

    /**
     * The config file's client (`oidc.clients`), made to match: created, updated or left alone.
     * Clients from the file are marked `config`; the console and the API cannot change them.
     */
    async ensureDeclared(
      ctx: RequestContext,
      input: ClientInput & { clientId: string },
      secret: string | undefined,
    ): Promise<'created' | 'updated' | 'unchanged'> {
      return cache.afterChange(async () => {
        const current = await repo.findClientByClientId(db, input.clientId);
        const values = normalise(input);
        if (needsSecret(values.tokenEndpointAuthMethod) && !secret)
          throw new AppError('oidc.client_invalid', `${values.tokenEndpointAuthMethod} needs a secret: give "secret: {env: NAME}" or "{file: path}"`);
        if (!current) {
          await service.create(ctx, input, { source: 'config', secret });
          return 'created';
        }
        const currentSecret = current.secret ? sealer.open(current.secret, secretAad(current.id)) : undefined;
        const { clientId: _c, id: _i, createdAt: _a, updatedAt: _u, source: _s, secret: _x, ...before } = current;
        const isSame =
          JSON.stringify(Object.entries(before).sort()) === JSON.stringify(Object.entries({ ...before, ...values }).sort()) &&
          (currentSecret ?? undefined) === (needsSecret(values.tokenEndpointAuthMethod) ? secret : undefined) &&
          current.source === 'config';
        if (isSame) return 'unchanged';
        await db.transaction(async (tx) => {
          const row = await checked(
            (await repo.updateClientById(
              tx,
              current.id,
              { ...values, source: 'config', secret: needsSecret(values.tokenEndpointAuthMethod) ? sealer.seal(secret!, secretAad(current.id)) : null },
              deps.clock.now(),
            ))!,
          );
          await audit.record(ctx, { action: 'oidc.client_updated', target: auditTarget(row), details: { source: 'config' } }, tx);
        });
        return 'updated';
      });
    },

    /** oidc-provider client metadata of a client, with the secret opened. */
    async providerMetadata(clientId: string): Promise<Record<string, unknown> | undefined> {
      return cache.get(clientId, async () => {
        const r = await repo.findClientByClientId(db, clientId);
        return r ? metadataOf(r) : undefined;
      });
    },
  };
  return service;
}

const CLIENTS_CHANNEL = 'oidc.clients';
/** A safety net for a lost message (pub/sub is best effort): no entry is older than this. */
const CACHE_TTL_MS = 60_000;
const CACHE_MAX = 1000;

/**
 * The provider metadata of clients (secret opened) in memory, so that a token request does not
 * read and unseal the client row each time. Any change to any client empties the cache on every
 * node: the writing node at once (before its API call answers), the others when the pub/sub
 * message arrives (Redis or PostgreSQL NOTIFY; in-process on the embedded database). Entries
 * also expire after a minute, in case a message is lost. Unknown client ids are not cached (a
 * stranger cannot fill the cache). A read that was under way while a change arrived is not cached.
 */
function createClientCache(deps: { clock: Clock; pubsub?: PubSub; onError?: (err: unknown) => void }) {
  const entries = new Map<string, { metadata: Record<string, unknown>; at: number }>();
  let generation = 0;
  let subscribed: Promise<boolean> | undefined;
  const clear = () => {
    generation++;
    entries.clear();
  };
  /** Caching starts once this node hears the other nodes' changes. */
  const listening = () =>
    (subscribed ??= deps.pubsub
      ? deps.pubsub.subscribe(CLIENTS_CHANNEL, clear).then(
          () => true,
          (err) => {
            deps.onError?.(err);
            subscribed = undefined;
            return false;
          },
        )
      : Promise.resolve(true));
  return {
    async get(clientId: string, load: () => Promise<Record<string, unknown> | undefined>) {
      const now = deps.clock.now().getTime();
      const hit = entries.get(clientId);
      if (hit && now - hit.at < CACHE_TTL_MS) return hit.metadata;
      const canCache = await listening();
      const before = generation;
      const metadata = await load();
      if (metadata && canCache && before === generation) {
        if (entries.size >= CACHE_MAX) entries.clear();
        entries.set(clientId, { metadata, at: now });
      }
      return metadata;
    },
    /** Runs a change, then empties this node's cache and tells the others (also when the change failed part way). */
    async afterChange<T>(change: () => Promise<T>): Promise<T> {
      try {
        return await change();
      } finally {
        clear();
        await deps.pubsub?.publish(CLIENTS_CHANNEL, 'changed').catch((err) => deps.onError?.(err));
      }
    },
  };
}
