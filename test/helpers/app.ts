import { buildApp } from '../../src/app/app.js';
import type { App } from '../../src/http/types.js';
import { createServices, type Services } from '../../src/app/services.js';
import { loadConfig } from '../../src/config/config.js';
import { manualClock, systemClock, type Clock } from '../../src/lib/clock.js';
import { masterKeyFromBytes } from '../../src/security/master-key.js';
import { totpCode } from '../../src/security/totp.js';
import { cliContext } from '../../src/lib/context.js';
import { openTestDatabase, type Engine, type TestDatabase } from './db.js';
import crypto from 'node:crypto';
import type { ConnectorFactory } from '../../src/directory/connector-factory.js';

export { manualClock };

export interface TestApp {
  app: App;
  services: Services;
  db: TestDatabase;
  close(): Promise<void>;
}

/** The real application on a fresh database, called with app.inject() (no socket). */
export async function createTestApp(
  opts: {
    engine?: Engine;
    clock?: Clock;
    env?: Record<string, string>;
    signInRateLimit?: number;
    credentialLimit?: number;
    connectorFactory?: ConnectorFactory;
    /** Folder of the documents served at /docs (default: the repository's docs/). */
    docsRoot?: string;
  } = {},
): Promise<TestApp> {
  const db = await openTestDatabase(opts.engine ?? 'pglite');
  // Tests sign in (and fail) many times from one address; the per-IP credential budget is tested on its own.
  const config = loadConfig({
    PUBLIC_URL: 'http://localhost:8080',
    DATA_DIR: '/nonexistent',
    TESSERA_CREDENTIAL_LIMIT_PER_MINUTE: String(opts.credentialLimit ?? 1000),
    ...opts.env,
  });
  const services = createServices({
    config,
    database: db.database,
    masterKey: masterKeyFromBytes(crypto.randomBytes(32)),
    clock: opts.clock ?? systemClock,
    connectorFactory: opts.connectorFactory,
  });
  const app = await buildApp({ services, logger: false, signInRateLimit: opts.signInRateLimit ?? 1000, apiRateLimit: 100_000, docsRoot: opts.docsRoot });
  await app.ready();
  return {
    app,
    services,
    db,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/**
 * A browser-like client for inject(): keeps cookies, sends the CSRF header on unsafe methods.
 */
export class Client {
  cookies = new Map<string, string>();
  constructor(
    readonly app: App,
    readonly headers: Record<string, string> = {},
  ) {}

  async request(method: string, url: string, body?: unknown, extraHeaders: Record<string, string> = {}) {
    if (method !== 'GET' && !this.cookies.has('tessera_csrf')) await this.request('GET', '/api/auth/csrf');
    const headers: Record<string, string> = { ...this.headers, ...extraHeaders };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method !== 'GET' && this.cookies.has('tessera_csrf') && !('x-csrf-token' in headers)) headers['x-csrf-token'] = this.cookies.get('tessera_csrf')!;
    const res = await this.app.inject({ method: method as never, url, headers, ...(body !== undefined ? { payload: body as never } : {}) });
    for (const c of res.cookies) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now()) || c.maxAge === 0) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return { status: res.statusCode, body: res.body ? safeJson(res.body) : undefined, headers: res.headers, raw: res.body };
  }
  get(url: string) {
    return this.request('GET', url);
  }
  post(url: string, body?: unknown) {
    return this.request('POST', url, body ?? {});
  }
  patch(url: string, body: unknown) {
    return this.request('PATCH', url, body);
  }
  delete(url: string) {
    return this.request('DELETE', url);
  }
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const ADMIN = { email: 'root@corp.example', name: 'Root Admin', password: 'correct horse battery staple' };

/** Creates an admin through the service and signs a client in with it. */
export async function signedInAdmin(t: TestApp, who = ADMIN): Promise<Client> {
  if (!(await t.services.admins.findByEmail(who.email))) await t.services.admins.create(cliContext(), who);
  const client = new Client(t.app);
  const res = await client.post('/api/auth/login', { email: who.email, password: who.password });
  if (res.status !== 200 || res.body.status !== 'ok') throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  return client;
}

/** Enables TOTP for the signed-in client's admin; returns the seed. */
export async function enableTotp(client: Client, clock: Clock = systemClock): Promise<string> {
  const setup = await client.post('/api/auth/totp/setup');
  const confirm = await client.post('/api/auth/totp/confirm', { code: totpCode(setup.body.secret, clock.now().getTime()) });
  if (confirm.status !== 200) throw new Error(`TOTP confirm failed: ${JSON.stringify(confirm.body)}`);
  return setup.body.secret;
}
