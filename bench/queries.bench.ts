// Database statements per operation on PostgreSQL, counted by a hook on node-postgres
// (pg.Client.prototype.query: every statement the pool sends, BEGIN and COMMIT included), not by
// reading code. One in-process server on a scratch database; each operation is done BENCH_OPS
// times after a warm-up (caches filled, pub/sub subscribed) and the count is divided by that.
// - passkey sign-in: POST /api/signin/webauthn/options {} + POST /api/signin/webauthn/verify;
// - client_credentials token, opaque (no resource) and RFC 9068 JWT (resource registered in the
//   settings, oidcResources; skipped on a version without it).
// Run: npm run bench -- queries   Settings: BENCH_OPS=50
import pg from 'pg';
import { registerClient, employeeWithKey, signIn, Browser, startOidcApp } from '../test/helpers/oidc.js';
import { openTestDatabase } from '../test/helpers/db.js';
import { Client } from '../test/helpers/app.js';

const OPS = Number(process.env.BENCH_OPS ?? 50);
const RESOURCE = 'https://orders.bench.example/api';

let count = 0;
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  count++;
  return (original as (...a: unknown[]) => unknown).apply(this, args);
} as typeof original;

async function perOp(name: string, op: () => Promise<void>): Promise<{ name: string; queries: number }> {
  for (let i = 0; i < 3; i++) await op();
  const before = count;
  for (let i = 0; i < OPS; i++) await op();
  return { name, queries: (count - before) / OPS };
}

const db = await openTestDatabase('postgres');
const t = await startOidcApp({ db });
try {
  const port = new URL(t.app.listeningOrigin).port;
  const browserFor = () => new Browser(t.url, (url) => Object.assign(new URL(url), { hostname: '127.0.0.1', port }));
  const { key } = await employeeWithKey(t);
  const created = await registerClient(t, { name: 'bench', grantTypes: ['client_credentials'], redirectUris: [], scopes: ['openid'] });
  const basic = `Basic ${Buffer.from(`${created.client.clientId}:${created.clientSecret}`).toString('base64')}`;
  const token = async (form: Record<string, string>) => {
    const res = await fetch(`http://127.0.0.1:${port}/oidc/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', host: new URL(t.url).host },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...form }),
    });
    if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  };
  const { secret: adminKey } = await t.services.apiKeys.create(
    { actor: { type: 'system', id: null, label: 'bench' }, ip: null, userAgent: null },
    { name: 'bench', scope: 'admin', expiresAt: null },
  );
  const saved = await new Client(t.app, { authorization: `Bearer ${adminKey}` }).patch('/api/settings', {
    oidcResources: [
      { identifier: RESOURCE, name: 'Orders', scopes: ['orders:read'], accessTokenFormat: 'jwt', accessTokenMinutes: 5, clientIds: [created.client.clientId] },
    ],
  });
  const rows = [
    await perOp('passkey sign-in (options + verify)', () => signIn(t, browserFor(), key)),
    await perOp('client_credentials, opaque token', () => token({})),
    ...(saved.status === 200 ? [await perOp('client_credentials, JWT access token', () => token({ resource: RESOURCE, scope: 'orders:read' }))] : []),
  ];
  console.log(`\nPostgreSQL statements per operation (${OPS} operations each, after 3 warm-up ones)`);
  for (const r of rows) console.log(`${r.name.padEnd(40)} ${r.queries.toFixed(2)}`);
  if (saved.status !== 200) console.log('(JWT access tokens: not in this version)');
} finally {
  await t.close();
  await db.close();
}
