import { z } from 'zod';
import { webUrl } from '../../http/url-schemas.js';

/** Grant types a client may be registered for (authorization code with PKCE, refresh, client credentials; EAM uses implicit id_token). */
export const grantTypes = ['authorization_code', 'refresh_token', 'client_credentials', 'implicit'] as const;
/** Client authentication at the token endpoint (RFC 7591 §2, OIDC Core §9); `none` is a public client (PKCE only). */
export const authMethods = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'] as const;
/** Employee attributes that can go into ID tokens and userinfo. */
export const claimAttributes = ['email', 'name', 'groups', 'department', 'position', 'upn'] as const;
/** How the `groups` claim (scope `groups`, attribute `groups`) names the groups: names, Tessera group ids, or not at all. */
export const groupsClaimModes = ['names', 'ids', 'none'] as const;
export const oidcScopes = ['openid', 'profile', 'email', 'offline_access', 'groups'] as const;
export const clientKinds = ['web', 'eam'] as const;

/**
 * https, or http only for loopback hosts (RFC 8252 §7.3) and localhost development; no fragment,
 * no credentials (src/http/url-schemas.ts).
 * Redirect URIs get the same rule, without the private-use schemes (`com.example.app:/cb`) that
 * RFC 8252 §7.1 allows native apps: Tessera registers every client with oidc-provider's default
 * application_type "web", for which such a scheme is not a redirect URI (OIDC Registration §2,
 * RFC 8252 §8.4: custom schemes are for clients registered as native). A native app uses the
 * loopback redirect (§7.3, the one RFC 8252 recommends for desktop apps) or a claimed https URI (§7.2).
 */
const clientUrl = webUrl();
const redirectUri = webUrl();

const jwk = z.record(z.string(), z.unknown()).refine((k) => typeof k.kty === 'string', 'each key needs a "kty"');
export const eamSettings = z
  .object({
    // The GUID, not a domain: Entra's id_token_hint has `iss` https://login.microsoftonline.com/<tenant GUID>/v2.0.
    tenantId: z
      .string()
      .trim()
      .toLowerCase()
      .regex(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        "the Directory (tenant) ID, a GUID (Entra names the tenant by it in the id_token_hint's issuer)",
      ),
    appId: z.string().trim().min(1).max(200),
    /** Defaults to https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys. */
    jwksUrl: clientUrl.optional(),
  })
  .strict();

/** The fields of a registration, without defaults (a PATCH must not reset what it does not name). */
const fields = {
  name: z.string().trim().min(1).max(120),
  redirectUris: z.array(redirectUri).max(20),
  postLogoutRedirectUris: z.array(redirectUri).max(20),
  grantTypes: z.array(z.enum(grantTypes)).min(1).max(4),
  tokenEndpointAuthMethod: z.enum(authMethods),
  scopes: z.array(z.enum(oidcScopes)).max(10),
  claims: z.array(z.enum(claimAttributes)).max(10),
  groupsClaim: z.enum(groupsClaimModes),
  jwks: z
    .object({ keys: z.array(jwk).min(1).max(10) })
    .strict()
    .nullable(),
  jwksUri: clientUrl.nullable(),
  backchannelLogoutUri: clientUrl.nullable(),
  initiateLoginUri: clientUrl.nullable(),
  firstParty: z.boolean(),
  eam: eamSettings.nullable(),
};

export const clientCreate = z
  .object({
    clientId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._:-]{3,128}$/, 'letters, digits and . _ : - (3 to 128)')
      .optional(),
    kind: z.enum(clientKinds).default('web'),
    name: fields.name,
    redirectUris: fields.redirectUris.default([]),
    postLogoutRedirectUris: fields.postLogoutRedirectUris.default([]),
    grantTypes: fields.grantTypes.default(['authorization_code', 'refresh_token']),
    tokenEndpointAuthMethod: fields.tokenEndpointAuthMethod.default('client_secret_basic'),
    scopes: fields.scopes.default(['openid', 'profile', 'email', 'offline_access']),
    claims: fields.claims.default(['email', 'name']),
    groupsClaim: fields.groupsClaim.default('names'),
    jwks: fields.jwks.optional(),
    jwksUri: fields.jwksUri.optional(),
    backchannelLogoutUri: fields.backchannelLogoutUri.optional(),
    initiateLoginUri: fields.initiateLoginUri.optional(),
    firstParty: fields.firstParty.default(true),
    eam: fields.eam.optional(),
  })
  .strict();
export type ClientCreate = z.input<typeof clientCreate>;
export type ClientInput = z.output<typeof clientCreate>;

export const clientPatch = z.object(fields).partial().strict();
export type ClientPatch = z.output<typeof clientPatch>;

export const clientDto = z.object({
  id: z.string().uuid(),
  clientId: z.string(),
  name: z.string(),
  kind: z.enum(clientKinds),
  clientSecret: z.object({ set: z.boolean() }),
  redirectUris: z.array(z.string()),
  postLogoutRedirectUris: z.array(z.string()),
  grantTypes: z.array(z.string()),
  tokenEndpointAuthMethod: z.string(),
  scopes: z.array(z.string()),
  claims: z.array(z.string()),
  groupsClaim: z.enum(groupsClaimModes),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).nullable(),
  jwksUri: z.string().nullable(),
  backchannelLogoutUri: z.string().nullable(),
  initiateLoginUri: z.string().nullable(),
  firstParty: z.boolean(),
  eam: z.object({ tenantId: z.string(), appId: z.string(), jwksUrl: z.string() }).nullable(),
  source: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ClientDto = z.infer<typeof clientDto>;

/** Create and rotate answers: the secret, once (it is stored sealed and never shown again). */
export const clientWithSecret = z.object({ client: clientDto, clientSecret: z.string().nullable() });

/** Rotating a secret takes no input; an empty object is allowed for clients that always send one. */
export const emptyBody = z.object({}).strict().optional();
/** A signing key of the provider: public facts only. */
export const signingKeyDto = z.object({ kid: z.string(), alg: z.string(), createdAt: z.string(), retiredAt: z.string().nullable() });
/** What an administrator gives an application: the issuer, its discovery document, the EAM redirect URI. */
export const providerInfoAnswer = z.object({
  issuer: z.string(),
  discoveryUrl: z.string(),
  /** The endpoints discovery lists, for applications configured by hand. */
  endpoints: z.object({ authorization: z.string(), token: z.string(), userinfo: z.string(), jwks: z.string(), endSession: z.string() }),
  eamRedirectUri: z.string(),
});
