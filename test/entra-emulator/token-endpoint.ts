/**
 * The Microsoft identity platform's client credentials grant (v2.0 endpoint), as documented:
 * POST /{tenant}/oauth2/v2.0/token with grant_type=client_credentials, client_id, scope
 * `<resource>/.default`, and either client_secret or a client assertion
 * (client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer, RFC 7523): a JWT
 * signed with the private key of a certificate registered on the app, named by `x5t` (SHA-1) or
 * `x5t#S256`, with aud = the token endpoint, iss = sub = client id, and exp/nbf.
 * msal-node reuses one assertion for about ten minutes, so a repeated `jti` is accepted.
 * Also serves the OpenID configuration document msal-node reads for an authority.
 */
import crypto from 'node:crypto';
import * as jose from 'jose';
import type { EmulatedApp, EntraState } from './state.js';
import { oauthError, type Answer } from './http-util.js';

const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export function openIdConfiguration(state: EntraState, loginBase: string, tenant: string): Answer {
  if (tenant !== state.tenantId) return oauthError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
  const base = `${loginBase}/${tenant}`;
  return {
    status: 200,
    body: {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${loginBase}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${loginBase}/${tenant}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${loginBase}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid'],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    },
  };
}

export async function tokenEndpoint(state: EntraState, loginBase: string, tenant: string, form: URLSearchParams, signer: crypto.KeyObject): Promise<Answer> {
  if (tenant !== state.tenantId)
    return oauthError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID.`);
  if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
  const clientId = form.get('client_id') ?? '';
  const app = state.apps.get(clientId);
  if (!app) return oauthError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory.`);
  const scope = form.get('scope') ?? '';
  if (!/^\S+\/\.default$/.test(scope.split(' ').find((s) => s.endsWith('/.default')) ?? '')) {
    return oauthError(
      400,
      'invalid_scope',
      1002012,
      'The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.',
    );
  }
  const secret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  if (secret !== null) {
    if (!app.secrets.includes(secret))
      return oauthError(
        401,
        'invalid_client',
        7000215,
        'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
      );
  } else if (assertion !== null) {
    if (form.get('client_assertion_type') !== assertionType) return oauthError(400, 'invalid_request', 50027, 'Invalid client_assertion_type.');
    const refusal = await checkAssertion(state, app, assertion, `${loginBase}/${tenant}/oauth2/v2.0/token`);
    if (refusal) return refusal;
  } else {
    return oauthError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }
  const now = Math.floor(state.now() / 1000);
  const exp = now + state.tokenLifetimeSeconds;
  const accessToken = await new jose.SignJWT({ roles: app.roles, tid: tenant, appid: app.clientId, idtyp: 'app', oid: crypto.randomUUID() })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(`https://sts.windows.net/${tenant}/`)
    .setAudience('https://graph.microsoft.com')
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(exp)
    .setSubject(app.clientId)
    .sign(signer);
  state.tokens.set(accessToken, { clientId: app.clientId, roles: app.roles, expiresAt: exp * 1000 });
  return {
    status: 200,
    body: { token_type: 'Bearer', expires_in: state.tokenLifetimeSeconds, ext_expires_in: state.tokenLifetimeSeconds, access_token: accessToken },
  };
}

/** Client assertion checks (Microsoft identity platform "certificate credentials"; RFC 7523 §3). */
async function checkAssertion(state: EntraState, app: EmulatedApp, assertion: string, audience: string): Promise<Answer | null> {
  let header: jose.ProtectedHeaderParameters;
  try {
    header = jose.decodeProtectedHeader(assertion);
  } catch {
    return oauthError(401, 'invalid_client', 50012, 'Client assertion is not a valid JWT.');
  }
  if (header.alg !== 'RS256' && header.alg !== 'PS256')
    return oauthError(401, 'invalid_client', 5002738, `Client assertion algorithm ${String(header.alg)} is not supported.`);
  const byS256 = typeof header['x5t#S256'] === 'string' ? Buffer.from(header['x5t#S256'], 'base64url').toString('hex') : null;
  const bySha1 = typeof header.x5t === 'string' ? Buffer.from(header.x5t, 'base64url').toString('hex') : null;
  const cert = app.certificates.find((c) => c.thumbprintSha256 === byS256 || c.thumbprintSha1 === bySha1);
  if (!cert)
    return oauthError(401, 'invalid_client', 700027, 'The certificate with identifier used to sign the client assertion is not registered on application.');
  try {
    const { payload } = await jose.jwtVerify(assertion, cert.publicKey, {
      algorithms: ['RS256', 'PS256'],
      currentDate: new Date(state.now()),
      clockTolerance: 300,
    });
    if (payload.aud !== audience && !(Array.isArray(payload.aud) && payload.aud.includes(audience))) {
      return oauthError(401, 'invalid_client', 700212, `Client assertion audience claim does not match Realm issuer. Expected ${audience}.`);
    }
    if (payload.iss !== app.clientId || payload.sub !== app.clientId)
      return oauthError(401, 'invalid_client', 700021, 'Client assertion application identifier does not match client_id parameter.');
    if (typeof payload.jti !== 'string') return oauthError(401, 'invalid_client', 700024, 'Client assertion has no jti.');
    return null;
  } catch (err) {
    if (err instanceof jose.errors.JWTExpired) return oauthError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
    return oauthError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
  }
}
