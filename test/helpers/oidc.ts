/** OIDC test helpers: the real app listening on localhost, a signed-in employee, a redirect-walking browser. */
import crypto from 'node:crypto';
import http from 'node:http';
import { buildApp } from '../../src/app/app.js';
import type { App } from '../../src/http/types.js';
import { createServices, type Services } from '../../src/app/services.js';
import { loadConfig } from '../../src/config/config.js';
import { systemClock, type Clock } from '../../src/lib/clock.js';
import { cliContext } from '../../src/lib/context.js';
import { masterKeyFromBytes } from '../../src/security/master-key.js';
import type { EmployeeDto } from '../../src/employees/employee.schemas.js';
import type { ClientCreate } from '../../src/sso/oidc/oidc-client.schemas.js';
import { openTestDatabase, type Engine, type TestDatabase } from './db.js';
import { freePort } from './server.js';
import { softKeys, type SoftAuthenticator } from './soft-authenticator.js';

export interface OidcTestApp {
  url: string;
  issuer: string;
  app: App;
  services: Services;
  db: TestDatabase;
  close(): Promise<void>;
}

/** The application on a fresh database, listening on 127.0.0.1 and named http://localhost:<port>. */
export async function startOidcApp(
  opts: { engine?: Engine; env?: Record<string, string>; clock?: Clock; db?: TestDatabase; masterKey?: Buffer } = {},
): Promise<OidcTestApp> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const db = opts.db ?? (await openTestDatabase(opts.engine ?? 'pglite'));
  const config = loadConfig({ PUBLIC_URL: url, PORT: String(port), DATA_DIR: '/nonexistent', TESSERA_CREDENTIAL_LIMIT_PER_MINUTE: '100000', ...opts.env });
  const services = createServices({
    config,
    database: db.database,
    masterKey: masterKeyFromBytes(opts.masterKey ?? crypto.randomBytes(32)),
    clock: opts.clock ?? systemClock,
  });
  const app = await buildApp({ services, logger: false, signInRateLimit: 100_000, apiRateLimit: 1_000_000 });
  await app.listen({ port, host: '127.0.0.1' });
  // PUBLIC_URL may be another address than this node's (several nodes behind one name).
  return {
    url: config.publicUrl,
    issuer: `${config.publicUrl}/oidc`,
    app,
    services,
    db,
    async close() {
      await app.close();
      if (!opts.db) await db.close();
    },
  };
}

/**
 * A browser that does not run scripts: a cookie jar (paths ignored), redirects followed by hand
 * so the test sees where each one goes, and the CSRF header for the Tessera API.
 */
export class Browser {
  /** Cookies by host: Tessera (localhost) and the applications (127.0.0.1) are different sites. */
  jars = new Map<string, Map<string, string>>();
  /**
   * `route` picks the server a request goes to (several nodes behind one public address): the
   * connection goes there, the Host header and the cookies stay those of the public address.
   */
  constructor(
    readonly base: string,
    readonly route?: (url: URL) => URL,
  ) {}

  jar(url: string | URL) {
    const host = new URL(url, this.base).host;
    if (!this.jars.has(host)) this.jars.set(host, new Map());
    return this.jars.get(host)!;
  }

  async fetch(url: string, init: { method?: string; body?: string | URLSearchParams; headers?: Record<string, string> } = {}) {
    const target = new URL(url, this.base);
    const jar = this.jar(target);
    // What a browser sends on a navigation; some relying parties (mod_auth_openidc) answer 401 to anything else.
    const headers: Record<string, string> = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', ...init.headers };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.route) headers.host = target.host;
    const res = await navigate(this.route ? this.route(target) : target, init.method ?? 'GET', headers, init.body?.toString());
    for (const cookie of res.headers.getSetCookie()) {
      const [pair, ...attrs] = cookie.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq),
        value = pair.slice(eq + 1);
      const expired = attrs.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && new Date(a.slice(8)).getTime() < Date.now()));
      if (!value || expired) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  async api(method: string, path: string, body?: unknown) {
    if (!this.jar(this.base).has('tessera_csrf')) await this.fetch('/api/auth/csrf');
    const res = await this.fetch(path, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), 'x-csrf-token': this.jar(this.base).get('tessera_csrf') ?? '' },
    });
    const text = await res.text();
    return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
  }

  /**
   * Follows redirects from `url` until one leaves for another origin than `stayOn` (by default
   * this server: the client's redirect URI), or a page answers. Returns the last response and
   * every URL visited.
   */
  async follow(url: string, init: { method?: string; body?: URLSearchParams; stayOn?: string[] } = {}) {
    const visited: string[] = [];
    const stayOn = new Set((init.stayOn ?? [this.base]).map((u) => new URL(u).origin));
    let res = await this.fetch(url, init);
    let current = new URL(url, this.base).href;
    visited.push(current);
    for (let i = 0; i < 15 && res.status >= 300 && res.status < 400; i++) {
      const next = new URL(res.headers.get('location')!, current).href;
      visited.push(next);
      if (!stayOn.has(new URL(next).origin)) return { res, location: next, visited };
      current = next;
      res = await this.fetch(next);
    }
    return { res, location: current, visited };
  }
}

/**
 * One HTTP request over node:http, as a Response. Not fetch(): undici sends `Sec-Fetch-Mode: cors`
 * on everything, and relying parties such as mod_auth_openidc then answer 401 instead of
 * redirecting a browser navigation to the provider.
 */
function navigate(url: URL, method: string, headers: Record<string, string>, body?: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        headers: {
          ...headers,
          ...(body !== undefined
            ? { 'content-type': headers['content-type'] ?? 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) h.append(k, one);
          const status = res.statusCode ?? 500;
          resolve(new Response([204, 304].includes(status) ? null : Buffer.concat(chunks), { status, headers: h }));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let counter = 0;
/** An active employee with a registered security key (through the service, as enrolment does). */
export async function employeeWithKey(t: OidcTestApp, overrides: { email?: string } = {}): Promise<{ employee: EmployeeDto; key: SoftAuthenticator }> {
  counter++;
  const employee = await t.services.employees.create(cliContext(), {
    email: overrides.email ?? `oidc.employee${counter}.${Date.now()}@corp.example`,
    firstName: 'Katherine',
    lastName: `Johnson${counter}`,
  });
  const key = softKeys.yubikey();
  const subject = { type: 'employee' as const, id: employee.id, name: employee.email, displayName: `${employee.firstName} ${employee.lastName}` };
  const { ceremonyId, options } = await t.services.webauthn.startRegistration(subject, 'security_key');
  await t.services.webauthn.finishRegistration(cliContext(), { subject, ceremonyId, response: key.register(options, { origin: t.url }) });
  return { employee, key };
}

/** Signs the browser in as the key's employee on the Tessera sign-in API (username-less passkey). */
export async function signIn(t: OidcTestApp, browser: Browser, key: SoftAuthenticator) {
  const start = await browser.api('POST', '/api/signin/webauthn/options', {});
  if (start.status !== 200) throw new Error(`options: ${start.text}`);
  const done = await browser.api('POST', '/api/signin/webauthn/verify', {
    ceremonyId: start.json.ceremonyId,
    response: key.authenticate(start.json.options, { origin: t.url }),
  });
  if (done.status !== 200) throw new Error(`verify: ${done.text}`);
}

/** Registers a client through the service (what the API and the console do). */
export async function registerClient(t: OidcTestApp, input: Partial<ClientCreate> & { name?: string }) {
  return t.services.oidc.clients.create(cliContext(), {
    name: 'Test app',
    kind: 'web',
    redirectUris: ['http://127.0.0.1:9/cb'],
    postLogoutRedirectUris: [],
    grantTypes: ['authorization_code', 'refresh_token'],
    tokenEndpointAuthMethod: 'client_secret_basic',
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: ['email', 'name'],
    firstParty: true,
    ...input,
  } as never);
}

export function pkce() {
  const verifier = crypto.randomBytes(32).toString('base64url');
  return { verifier, challenge: crypto.createHash('sha256').update(verifier).digest('base64url') };
}
