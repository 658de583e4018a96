import Provider, { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { employeeSessionCookieName } from '../../http/auth.js';
import type { OidcDeps } from './oidc.service.js';
import { ACR_VALUES, employeeClaims, SCOPE_CLAIMS } from './oidc.claims.js';
import type { TesseraClientMetadata } from './oidc-client.service.js';
import { requireRegisteredSecretCarrier } from './oidc.client-auth.js';
import { confirmLogoutWithoutSession, includeSidInEveryIdToken, logoutSource, singleLogoutWalk, type OidcSingleLogoutDeps } from './oidc.logout.js';
import { postLogoutSuccessSource, renderError } from './oidc.views.js';
import { linkProviderSession, type OidcSingleLogout } from './oidc-single-logout.js';
import type { Clock } from '../../lib/clock.js';

/** Lifetimes (seconds). Codes are single-use and short (RFC 6749 §4.1.2 recommends ≤ 10 min). */
/** oidc-provider's contexts and models are dynamic objects (see oidc-provider.d.ts). */
type Ctx = KoaContextWithOIDC;

export const TTL = {
  AccessToken: 3600,
  AuthorizationCode: 60,
  ClientCredentials: 600,
  IdToken: 3600,
  RefreshToken: 14 * 86400,
  Interaction: 3600,
  Session: 14 * 86400,
  Grant: 14 * 86400,
};

export const EXTRA_CLIENT_METADATA = ['tessera_claims', 'tessera_groups_claim', 'tessera_first_party', 'tessera_eam'] as const;
export const clientExtras = (client: { [k: string]: unknown } | undefined) => (client ?? {}) as unknown as Partial<TesseraClientMetadata>;

/**
 * The oidc-provider instance: issuer PUBLIC_URL/oidc, our adapter, keys and accounts. A new one is
 * built when the signing keys change (oidc-provider takes its keys at construction); artefacts are
 * in the database, so swapping instances loses nothing.
 */
export function createProvider(
  deps: OidcDeps & { services: OidcSingleLogoutDeps & { clock: Clock; oidc: { logout: Pick<OidcSingleLogout, 'link'> } } },
  jwks: { keys: Record<string, unknown>[] },
  cookieKeys: string[],
): Provider {
  const { services, adapter } = deps;
  const issuer = `${services.config.publicUrl}/oidc`;
  const policy = interactionPolicy.base();
  const login = policy.get('login')!;
  // Tessera's employee session is the one truth: a provider session without it (signed out of the
  // portal, disabled, expired) means a new login interaction, not a silent answer.
  login.checks.add(
    new interactionPolicy.Check('tessera_session', 'the employee is not signed in to Tessera', async (ctx: KoaContextWithOIDC) => {
      const token = ctx.cookies.get(employeeSessionCookieName(services.config.isSecure));
      const accountId = ctx.oidc.session?.accountId;
      if (!token || !accountId) return interactionPolicy.Check.REQUEST_PROMPT;
      const { session } = await services.sessions.resolve(token);
      return session && session.stage === 'full' && session.subjectType === 'employee' && session.subjectId === accountId
        ? interactionPolicy.Check.NO_NEED_TO_PROMPT
        : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );
  // May the employee sign in to applications (src/sso/app-access.ts)? If not, an existing provider
  // session does not answer silently: the login interaction runs, refuses with access_denied to
  // the redirect URI and audits it (oidc-interaction.routes.ts).
  login.checks.add(
    new interactionPolicy.Check('tessera_app_access', 'the employee may not sign in to this application', async (ctx: KoaContextWithOIDC) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return interactionPolicy.Check.REQUEST_PROMPT;
      const employee = await services.employees.findById(accountId);
      if (!employee) return interactionPolicy.Check.REQUEST_PROMPT;
      const access = await services.appAccess.decideAppAccess(employee, { protocol: 'oidc', clientId: String(ctx.oidc.client?.clientId ?? '') });
      return access.allowed ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );
  // EAM: the id_token_hint must be checked against Entra's keys on every request (oidc.eam.ts).
  login.checks.add(
    new interactionPolicy.Check('eam_hint', 'the Entra id_token_hint must be verified', async (ctx: KoaContextWithOIDC) => {
      if (!clientExtras(ctx.oidc.client as never).tessera_eam) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const result = ctx.oidc.result as { eam?: { sub?: string } } | undefined;
      return result?.eam?.sub ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );

  const configuration: Configuration = {
    adapter: (name: string) => (name === 'Client' ? deps.clientAdapter : adapter(name)) as never,
    jwks: jwks as never,
    // Secure follows the request (HTTPS, or X-Forwarded-Proto from a trusted proxy): a fixed
    // `secure: true` makes Koa throw on a TLS-terminating proxy that TRUST_PROXY does not name.
    cookies: { keys: cookieKeys, long: { httpOnly: true, sameSite: 'lax' }, short: { httpOnly: true, sameSite: 'lax' } },
    // acr, amr, auth_time, sid, iss: oidc-provider's defaults, which an own `claims` replaces.
    claims: { acr: null, amr: null, auth_time: null, sid: null, iss: null, ...SCOPE_CLAIMS },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
    acrValues: ACR_VALUES,
    subjectTypes: ['public', 'pairwise'],
    extraClientMetadata: { properties: [...EXTRA_CLIENT_METADATA] },
    extraParams: ['eam_id_token_hint', 'client-request-id'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    // PKCE with S256 for every code flow, confidential clients too (RFC 9700 §2.1.1).
    pkce: { required: () => true },
    interactions: { policy, url: (_ctx: Ctx, interaction: { uid: string }) => `/oidc/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // A client learns about its own tokens only: oidc-provider's default lets any confidential
      // client introspect any token (sub, scope, client of another application; RFC 7662 §4).
      introspection: { enabled: true, allowedPolicy: async (_ctx: Ctx, client: Ctx, token: Ctx) => token.clientId === client.clientId },
      revocation: { enabled: true },
      // RFC 8707 resource indicators: an API registered in the settings (oidcResources) gets
      // access tokens with its own audience, scopes, lifetime and format; `jwt` is RFC 9068
      // (typ at+jwt, RS256 with the provider's keys), checked by the API against the JWKS with
      // no call back and no row per token. Unknown resources, and clients the resource does not
      // list, are refused with invalid_target. Without `resource`, tokens stay opaque (userinfo).
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: Ctx, _client: Ctx, oneOf?: string[]) => oneOf,
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx: Ctx, indicator: string, client: Ctx) => {
          const resource = (await services.settings.get()).oidcResources.find((r) => r.identifier === indicator);
          if (!resource?.clientIds.includes(String(client.clientId))) throw new errors.InvalidTarget();
          return {
            audience: resource.identifier,
            scope: resource.scopes.join(' '),
            accessTokenTTL: resource.accessTokenMinutes * 60,
            accessTokenFormat: resource.accessTokenFormat,
            ...(resource.accessTokenFormat === 'jwt' ? { jwt: { sign: { alg: 'RS256' } } } : {}),
          };
        },
      },
      userinfo: { enabled: true },
      claimsParameter: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: logoutSource(services), postLogoutSuccessSource: postLogoutSuccessSource(services) },
    },
    renderError: renderError(services),
    // A registered resource server's token lifetime wins for tokens issued for it (getResourceServerInfo).
    ttl: {
      ...TTL,
      AccessToken: (_ctx: Ctx, token: Ctx) => token.resourceServer?.accessTokenTTL ?? TTL.AccessToken,
      ClientCredentials: (_ctx: Ctx, token: Ctx) => token.resourceServer?.accessTokenTTL ?? TTL.ClientCredentials,
    },
    // Refresh tokens rotate on every use; presenting a used one revokes the whole grant (RFC 9700 §4.14.2).
    rotateRefreshToken: () => true,
    issueRefreshToken: async (_ctx: Ctx, client: Ctx, code: Ctx) => client.grantTypeAllowed('refresh_token') && code.scopes.has('openid'),
    // Tokens live no longer than the provider session they came from: a logout (RP-initiated, or
    // the employee disabled) ends them, offline_access included.
    expiresWithSession: async () => true,
    /** First-party clients (registered by an admin) get what they ask for within their registration: no consent page. */
    loadExistingGrant: async (ctx: Ctx) => {
      const grantId =
        (ctx.oidc.result as { consent?: { grantId?: string } } | undefined)?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) {
        const grant = await ctx.oidc.provider.Grant.find(grantId);
        if (grant) return grant;
      }
      if (!clientExtras(ctx.oidc.client as never).tessera_first_party || !ctx.oidc.session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope(ctx.oidc.requestParamScopes ? [...ctx.oidc.requestParamScopes].join(' ') : 'openid');
      const claims = [...(ctx.oidc.requestParamClaims ?? [])];
      if (claims.length) grant.addOIDCClaims(claims);
      await grant.save();
      return grant;
    },
    /**
     * Only active employees who may sign in to this application (src/sso/app-access.ts): a
     * disabled or deleted employee, or one whose SSO was turned off (or, later, who lost the
     * application) after signing in, is refused at once. oidc-provider asks findAccount on every
     * code and refresh_token grant (undefined: invalid_grant) and on userinfo (undefined:
     * invalid_token, 401), so no token outlives the decision.
     */
    findAccount: async (ctx: Ctx, sub: string) => {
      const employee = await services.employees.findById(sub);
      if (employee?.status !== 'active') return undefined;
      const clientId = ctx?.oidc?.client?.clientId;
      if (clientId && !(await services.appAccess.decideAppAccess(employee, { protocol: 'oidc', clientId: String(clientId) })).allowed) return undefined;
      return {
        accountId: employee.id,
        claims: async () => {
          const extras = clientExtras(ctx.oidc.client as never);
          return {
            sub: employee.id,
            ...employeeClaims(await services.employeeAttributes.of(employee), extras.tessera_claims ?? [], extras.tessera_groups_claim ?? 'names'),
          };
        },
      };
    },
    // EAM: the ID token's sub is the subject Entra named in its (verified) id_token_hint.
    pairwiseIdentifier: async (ctx: Ctx, accountId: string, client: Ctx) => {
      const eamSub = (ctx?.oidc?.result as { eam?: { sub?: string; accountId?: string } } | undefined)?.eam;
      if (clientExtras(client as never).tessera_eam && eamSub?.sub && eamSub.accountId === accountId) return eamSub.sub;
      throw new errors.InvalidRequest('pairwise subjects are only used for Entra EAM applications');
    },
    // oidc-provider refuses outgoing requests to private and loopback addresses (SSRF protection
    // against dynamically registered clients). Tessera has no dynamic registration: only admins
    // register back-channel logout and JWKS URLs, and enterprise applications live on internal
    // networks, so those requests go where the admin said.
    fetch: (url: string | URL, options: RequestInit & { dispatcher?: unknown }) => {
      delete options.dispatcher;
      return globalThis.fetch(url, options);
    },
    conformIdTokenClaims: false,
    clientBasedCORS: (_ctx: Ctx, origin: string, client: Ctx) => (client.redirectUris ?? []).some((u: string) => new URL(u).origin === origin),
    enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256'], clientAuthSigningAlgValues: ['RS256', 'ES256', 'PS256', 'HS256'] },
  };
  const provider = new Provider(issuer, configuration);
  // client_secret_basic and client_secret_post are not interchangeable (oidc.client-auth.ts).
  requireRegisteredSecretCarrier(provider);
  // A logout's id_token_hint must name the session it ends (oidc.logout.ts).
  includeSidInEveryIdToken(provider);
  // A logout without a provider session asks too, instead of submitting itself (oidc.logout.ts).
  provider.use(confirmLogoutWithoutSession(services));
  // "Yes, sign me out" signs out of the SAML and WS-Fed applications too (oidc.logout.ts).
  provider.use(singleLogoutWalk(services));
  // Which Tessera session each provider session answers on, for a logout that starts elsewhere (oidc-single-logout.ts).
  provider.use(linkProviderSession({ ...services, oidcLogout: services.oidc.logout, ttlSeconds: TTL.Session }));
  // The mount (oidc.routes.ts) sets X-Forwarded-Proto/Host from PUBLIC_URL and X-Forwarded-For
  // from Fastify's client address on every request, so the provider may trust them.
  provider.proxy = true;
  return provider;
}
