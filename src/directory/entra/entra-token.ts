/**
 * Application tokens for Microsoft Graph: OAuth 2.0 client credentials (RFC 6749 §4.4) through
 * @azure/msal-node, with a client secret or a certificate (a client assertion JWT signed with
 * the certificate's private key, RFC 7523; msal-node names the certificate by its SHA-256
 * thumbprint, `x5t#S256`, and signs PS256). msal-node caches the token until shortly before it
 * expires; `getToken(true)` skips the cache when Graph refused a token that should still be valid.
 */
import crypto from 'node:crypto';
import { ConfidentialClientApplication, LogLevel, type Configuration } from '@azure/msal-node';
import { DirectoryError } from '../connector.js';

export type EntraCredential = { type: 'secret'; clientSecret: string } | { type: 'certificate'; certificatePem: string; privateKeyPem: string };

/**
 * The domain secret holds either the client secret, or the certificate and its private key as one
 * PEM bundle (both are sealed together; neither is ever returned).
 */
export function parseEntraSecret(secret: string): EntraCredential {
  if (!secret.includes('-----BEGIN')) return { type: 'secret', clientSecret: secret };
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(secret)?.[0];
  const key = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/.exec(secret)?.[0];
  if (!cert || !key) throw new DirectoryError('bad_credentials', 'The certificate credential needs both the certificate and its private key (PEM)');
  return { type: 'certificate', certificatePem: cert, privateKeyPem: key };
}

/** Checks a PEM bundle before it is saved: the key must belong to the certificate. Returns a plain-words problem or null. */
export function checkCertificateBundle(secret: string): string | null {
  try {
    const c = parseEntraSecret(secret);
    if (c.type !== 'certificate') return 'Expected a PEM certificate and private key';
    const cert = new crypto.X509Certificate(c.certificatePem);
    const key = crypto.createPrivateKey(c.privateKeyPem);
    if (key.asymmetricKeyType !== 'rsa') return 'Microsoft Entra ID needs an RSA certificate for client assertions';
    if (!cert.checkPrivateKey(key)) return 'The private key does not belong to the certificate';
    return null;
  } catch (err) {
    return `The certificate or key cannot be read: ${(err as Error).message}`;
  }
}

export interface EntraTokenSource {
  getToken(forceRefresh?: boolean): Promise<string>;
}

export interface EntraTokenOptions {
  tenantId: string;
  clientId: string;
  credential: EntraCredential;
  loginBaseUrl: string;
  graphBaseUrl: string;
  fetch: typeof fetch;
}

/** The scope for an app-only Graph token: `<graph resource>/.default`. */
export const graphScope = (graphBaseUrl: string) => `${graphBaseUrl.replace(/\/+$/, '')}/.default`;

export function createEntraTokenSource(o: EntraTokenOptions): EntraTokenSource {
  const authority = `${o.loginBaseUrl.replace(/\/+$/, '')}/${o.tenantId}`;
  /** msal reports a failed metadata fetch without its cause: keep the transport error to say what went wrong. */
  let lastNetworkError: unknown = null;
  const auth: Configuration['auth'] = {
    clientId: o.clientId,
    authority,
    // Trust the configured login host as it is: no instance discovery against the public cloud
    // (national clouds and test emulators are not in msal's built-in list).
    knownAuthorities: [new URL(o.loginBaseUrl).host],
  };
  if (o.credential.type === 'secret') auth.clientSecret = o.credential.clientSecret;
  else {
    const cert = new crypto.X509Certificate(o.credential.certificatePem);
    auth.clientCertificate = {
      thumbprintSha256: crypto.createHash('sha256').update(cert.raw).digest('hex'),
      privateKey: crypto.createPrivateKey(o.credential.privateKeyPem).export({ type: 'pkcs8', format: 'pem' }).toString(),
      x5c: o.credential.certificatePem,
    };
  }
  const app = new ConfidentialClientApplication({
    auth,
    system: {
      networkClient: networkOver(o.fetch, (err) => {
        lastNetworkError = err;
      }),
      loggerOptions: { piiLoggingEnabled: false, logLevel: LogLevel.Error, loggerCallback: () => {} },
    },
  });
  const scopes = [graphScope(o.graphBaseUrl)];
  return {
    async getToken(forceRefresh = false) {
      lastNetworkError = null;
      try {
        const result = await app.acquireTokenByClientCredential({ scopes, skipCache: forceRefresh });
        if (!result?.accessToken) throw new DirectoryError('bad_credentials', 'The token endpoint answered without an access token');
        return result.accessToken;
      } catch (err) {
        throw tokenError(err, lastNetworkError);
      }
    },
  };
}

/** msal's errors in the connector's words (never with the secret: msal does not echo it). */
function tokenError(err: unknown, networkError: unknown): DirectoryError {
  if (err instanceof DirectoryError) return err;
  if (networkError) {
    const causes = collectCauses({ cause: networkError });
    if (/CERT|certificate|self.signed|unable to verify/i.test(causes))
      return new DirectoryError('tls_failure', `TLS to the login service failed: ${causes}`, { cause: networkError });
    return new DirectoryError('unreachable', `The login service could not be reached: ${causes}`, { cause: networkError });
  }
  const e = err as { errorCode?: string; errorMessage?: string; message?: string; cause?: { code?: string } };
  const text = `${e.errorMessage ?? e.message ?? String(err)}`
    .split('\n')[0]!
    .replace(/Trace ID:.*$/, '')
    .trim();
  const code = e.errorCode ?? '';
  if (/invalid_client|unauthorized_client|invalid_tenant|invalid_request|invalid_scope/.test(code) || /AADSTS/.test(text)) {
    return new DirectoryError('bad_credentials', `Microsoft Entra ID refused the application's credentials: ${text}`, { cause: err });
  }
  if (/CERT|certificate|self.signed|unable to verify/i.test(`${text} ${collectCauses(err)}`))
    return new DirectoryError('tls_failure', `TLS to the login service failed: ${collectCauses(err) || text}`, { cause: err });
  return new DirectoryError('unreachable', `The login service could not be reached: ${collectCauses(err) || text}`, { cause: err });
}

function collectCauses(err: unknown): string {
  const parts: string[] = [];
  for (let e = err as { message?: string; code?: string; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as never, i++) {
    if (i > 0 && e.message) parts.push(e.code ? `${e.code}: ${e.message}` : e.message);
  }
  return parts.join('; ');
}

/** msal-node's INetworkModule over the given fetch (so tests can pass one that trusts their CA). */
function networkOver(fetchImpl: typeof fetch, onError: (err: unknown) => void) {
  async function send(url: string, method: 'GET' | 'POST', options?: { headers?: Record<string, string>; body?: string }, timeout?: number) {
    let res: Response;
    try {
      res = await fetchImpl(url, { method, headers: options?.headers, body: options?.body, signal: timeout ? AbortSignal.timeout(timeout) : undefined });
    } catch (err) {
      onError(err);
      throw err;
    }
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k] = v;
    });
    const text = await res.text();
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { error: 'invalid_response', error_description: text.slice(0, 200) };
    }
    return { headers, body: body as never, status: res.status };
  }
  return {
    sendGetRequestAsync: (url: string, options?: { headers?: Record<string, string> }, timeout?: number) => send(url, 'GET', options, timeout),
    sendPostRequestAsync: (url: string, options?: { headers?: Record<string, string>; body?: string }) => send(url, 'POST', options),
  };
}

/** The application permissions in an access token (`roles` claim). Diagnostics only: Graph checks the token. */
export function tokenRoles(accessToken: string): string[] {
  try {
    const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}
