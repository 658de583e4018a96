import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * OpenID Connect provider tables (src/sso/oidc). oidc-provider's own artefacts (sessions, grants,
 * codes, tokens, interactions) live in one generic table keyed by model name and id, the way its
 * adapter interface sees them; clients and signing keys have tables of their own.
 */
export const oidcModels = pgTable(
  'oidc_models',
  {
    /** oidc-provider model name: Session, Grant, AccessToken, RefreshToken, AuthorizationCode... */
    model: text('model').notNull(),
    id: text('id').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    /** Grant id, so that every artefact of a grant is revoked at once (adapter.revokeByGrantId). */
    grantId: text('grant_id'),
    /** Employee id (payload.accountId), so that all of an employee's grants are revoked at once. */
    accountId: text('account_id'),
    uid: text('uid'),
    userCode: text('user_code'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    consumedAt: timestamp('consumed_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.model, t.id] }),
    index('oidc_models_grant_idx').on(t.grantId),
    index('oidc_models_account_idx').on(t.accountId),
    index('oidc_models_uid_idx').on(t.uid),
    index('oidc_models_expires_idx').on(t.expiresAt),
  ],
);

export const oidcSigningKeys = pgTable('oidc_signing_keys', {
  /** The JWK `kid`. */
  kid: text('kid').primaryKey(),
  alg: text('alg').notNull(),
  /** Public JWK, published at /oidc/jwks while the key is kept. */
  publicJwk: jsonb('public_jwk').$type<Record<string, unknown>>().notNull(),
  /** Sealed private JWK (JSON), AAD `oidc_signing_keys.private_jwk:<kid>`. */
  privateJwk: text('private_jwk').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  /** When a newer key took over signing; the key stays published until tokens it signed expired. */
  retiredAt: timestamp('retired_at', { withTimezone: true }),
});

export const oidcClients = pgTable('oidc_clients', {
  id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
  clientId: text('client_id').notNull().unique(),
  name: text('name').notNull(),
  /** 'web' (ordinary relying party) or 'eam' (Microsoft Entra ID External Authentication Method). */
  kind: text('kind').notNull().default('web'),
  /** Sealed client secret (oidc-provider needs it in clear for client_secret_* and HS256), AAD `oidc_clients.secret:<id>`. */
  secret: text('secret'),
  redirectUris: text('redirect_uris').array().notNull().default(sql`'{}'::text[]`),
  postLogoutRedirectUris: text('post_logout_redirect_uris').array().notNull().default(sql`'{}'::text[]`),
  grantTypes: text('grant_types').array().notNull(),
  tokenEndpointAuthMethod: text('token_endpoint_auth_method').notNull(),
  scopes: text('scopes').array().notNull(),
  /** Employee attributes the client may receive as claims: email, name, groups, department, position, upn. */
  claims: text('claims').array().notNull(),
  /** private_key_jwt: the client's public keys, inline ({keys:[...]}) or by URL. */
  jwks: jsonb('jwks').$type<{ keys: Record<string, unknown>[] }>(),
  jwksUri: text('jwks_uri'),
  backchannelLogoutUri: text('backchannel_logout_uri'),
  /** Where the portal opens the application (OIDC initiate_login_uri or its home page). */
  initiateLoginUri: text('initiate_login_uri'),
  /** Registered by an admin: consent is not asked. */
  firstParty: boolean('first_party').notNull().default(true),
  /** EAM: the Entra tenant id, the Entra application id and the tenant's JWKS URL. */
  eam: jsonb('eam').$type<{ tenantId: string; appId: string; jwksUrl: string }>(),
  /** 'console' / 'api', or 'config' for clients managed by the declarative config file. */
  source: text('source').notNull().default('console'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Which provider sessions were built on which Tessera employee session: the single-logout walk
 * that starts outside OIDC (a SAML LogoutRequest, /saml/logout, the portal's Sign out) reaches
 * the OIDC side of the same Tessera session through it (oidc-single-logout.ts). Written on every
 * authorization that answered from the provider session; a row lives as long as a provider session.
 */
export const oidcSessionLinks = pgTable(
  'oidc_session_links',
  {
    /** The Tessera session (its hashed id, as saml_sessions.session_id). */
    tesseraSessionId: text('tessera_session_id').notNull(),
    /** oidc-provider's Session `uid` (stable while its cookie id rotates). */
    providerSessionUid: text('provider_session_uid').notNull(),
    /** The employee (the provider session's accountId). */
    accountId: text('account_id').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tesseraSessionId, t.providerSessionUid] }), index('oidc_session_links_expires_idx').on(t.expiresAt)],
);
