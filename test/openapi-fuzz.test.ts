/**
 * Garbage in, 4xx out: every POST/PUT/PATCH route in the OpenAPI document is sent malformed JSON,
 * non-object JSON, wrongly typed properties, unknown fields, oversized bodies and a wrong content
 * type, signed in and not, and must refuse each with a 4xx and the standard error body
 * {"error":{"code":"area.reason","message"}} without changing the database.
 * The route list is read from /api/openapi.json, so routes added later are covered too.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { errorCodes } from '../src/lib/errors.js';
import { Client, createTestApp, signedInAdmin, type TestApp } from './helpers/app.js';
import { createEmployee, passkeySignIn, registerKey } from './helpers/signin.js';
import { softKeys } from './helpers/soft-authenticator.js';
import { enrollSoftwareAgent } from './helpers/software-agent.js';

type JsonSchema = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
};

interface Operation {
  method: string;
  /** Who may call it (x-tessera-access): only 'public' routes read a stranger's body at all. */
  access: string;
  /** The OpenAPI path, e.g. /api/employees/{id}. */
  path: string;
  /** The path with every parameter replaced by a random UUID. */
  url: string;
  /** The JSON request body schema, or undefined when the route takes no body. */
  body?: JsonSchema;
}

type Answer = Awaited<ReturnType<Client['request']>>;

const UNKNOWN_FIELD = 'fuzzUnknownField';
const MIN_ROUTES = 15;

/** The non-null types a schema allows, and whether null is allowed. */
function typesOf(s: JsonSchema): { types: Set<string>; nullable: boolean } {
  const types = new Set<string>();
  let nullable = s.nullable === true;
  const add = (t: string) => (t === 'null' ? (nullable = true) : types.add(t));
  if (Array.isArray(s.type)) s.type.forEach(add);
  else if (s.type) add(s.type);
  for (const sub of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) {
    const inner = typesOf(sub);
    for (const t of inner.types) types.add(t);
    if (inner.nullable) nullable = true;
  }
  if (s.enum) {
    for (const v of s.enum) add(v === null ? 'null' : typeof v);
  }
  return { types, nullable };
}

/** A plausible value for a schema: what a careful client would send. */
function validValue(s: JsonSchema, name: string): unknown {
  const merged: JsonSchema = Object.assign({}, ...(s.allOf ?? []), s);
  const branch = [...(merged.anyOf ?? []), ...(merged.oneOf ?? [])].find((b) => typesOf(b).types.size > 0);
  if (branch) return validValue({ ...branch, nullable: false }, name);
  if (merged.enum?.length) return merged.enum.find((v) => v !== null);
  const { types } = typesOf(merged);
  if (types.has('object') || merged.properties) {
    const out: Record<string, unknown> = {};
    for (const key of merged.required ?? []) out[key] = validValue(merged.properties?.[key] ?? {}, key);
    return out;
  }
  if (types.has('array')) return Array.from({ length: merged.minItems ?? 0 }, () => validValue(merged.items ?? {}, name));
  if (types.has('boolean')) return false;
  if (types.has('integer') || types.has('number')) {
    const lo = merged.minimum ?? 1;
    return Math.min(Math.max(lo, 1), merged.maximum ?? Number.MAX_SAFE_INTEGER);
  }
  switch (merged.format) {
    case 'email':
      return `fuzz.${crypto.randomBytes(3).toString('hex')}@corp.example`;
    case 'uuid':
      return crypto.randomUUID();
    case 'date-time':
      return new Date(Date.now() + 86_400_000).toISOString();
    default:
      break;
  }
  if (/password/i.test(name)) return 'fuzz correct horse battery staple';
  // A required URL (an audit destination's): one every URL field accepts.
  if (isUrlField(name)) return `https://fuzz-${crypto.randomBytes(3).toString('hex')}.example/in`;
  if (/code/i.test(name)) return '123456';
  const text = `Fuzz ${name} ${crypto.randomBytes(3).toString('hex')}`;
  return text.slice(0, merged.maxLength ?? text.length).padEnd(merged.minLength ?? 0, 'x');
}

/**
 * Values of the wrong JSON type for a schema: a wrong scalar, a wrong structure, and null when
 * the schema does not allow it (number for a string, object for a boolean, string for an object...).
 */
function wrongValues(s: JsonSchema): unknown[] {
  const merged: JsonSchema = Object.assign({}, ...(s.allOf ?? []), s);
  const { types, nullable } = typesOf(merged);
  const accepts = (t: string) => types.has(t) || (t === 'integer' && types.has('number'));
  const scalars: [string, unknown][] = [
    ['integer', 12345],
    ['string', 'not the right type'],
    ['boolean', true],
  ];
  const structures: [string, unknown][] = [
    ['object', { nested: { deeper: 1 } }],
    ['array', [1, 'two', null]],
  ];
  const wrong = [scalars.find(([t]) => !accepts(t)), structures.find(([t]) => !accepts(t))].filter((x) => x !== undefined).map(([, v]) => v);
  if (!nullable) wrong.push(null);
  return wrong;
}

/** Every property path of an object schema (nested objects included), with its schema. */
function propertyPaths(s: JsonSchema, prefix: string[] = []): { path: string[]; schema: JsonSchema }[] {
  const out: { path: string[]; schema: JsonSchema }[] = [];
  for (const [key, sub] of Object.entries(s.properties ?? {})) {
    out.push({ path: [...prefix, key], schema: sub });
    if (sub.properties) out.push(...propertyPaths(sub, [...prefix, key]));
  }
  return out;
}

/** A copy of `base` with the value at `path` replaced (parents created as needed). */
function withValue(base: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(base);
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof at[key] !== 'object' || at[key] === null || Array.isArray(at[key])) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1]] = value;
  return copy;
}

function operationsFrom(doc: {
  paths: Record<string, Record<string, { 'x-tessera-access'?: string; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>;
}): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['post', 'put', 'patch'].includes(method)) continue;
      const content = op.requestBody?.content;
      const body = content?.['application/json']?.schema ?? (content ? Object.values(content)[0]?.schema : undefined);
      ops.push({
        method: method.toUpperCase(),
        path,
        access: op['x-tessera-access'] ?? 'missing',
        url: path.replace(/\{[^}]+\}/g, () => crypto.randomUUID()),
        body,
      });
    }
  }
  return ops;
}

/** Sends a raw body with a content type, keeping the client's cookies and CSRF header. */
function send(client: Client, op: Operation, payload: string | undefined, contentType = 'application/json'): Promise<Answer> {
  return client.request(op.method, op.url, payload, payload === undefined ? {} : { 'content-type': contentType });
}

/** Who sends the garbage: a signed-in admin, a stranger with a CSRF token, a bare request without one. */
type Caller = 'signed in' | 'anonymous' | 'bare';

/** Collects every way an answer falls short, so one run lists all of them. */
class Findings {
  readonly problems: string[] = [];
  count = 0;

  check(label: string, res: Answer, expected?: { status?: number; code?: string }) {
    this.count++;
    const where = `${label} → ${res.status} ${String(res.raw).slice(0, 160)}`;
    if (res.status < 400 || res.status >= 500) return void this.problems.push(`expected 4xx: ${where}`);
    if (expected?.status && res.status !== expected.status) this.problems.push(`expected ${expected.status}: ${where}`);
    if (!String(res.headers['content-type'] ?? '').startsWith('application/json')) this.problems.push(`not JSON: ${where}`);
    const body = res.body as { error?: { code?: unknown; message?: unknown } } | undefined;
    if (!body || typeof body !== 'object' || Object.keys(body).join() !== 'error' || !body.error) return void this.problems.push(`not {"error":{…}}: ${where}`);
    const { code, message } = body.error;
    if (typeof code !== 'string' || !/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/.test(code)) this.problems.push(`code is not area.reason: ${where}`);
    else if (!(code in errorCodes)) this.problems.push(`code ${code} is not registered (a <feature>.codes.ts, src/app/codes.ts): ${where}`);
    else if (errorCodes[code as keyof typeof errorCodes] !== res.status)
      this.problems.push(`code ${code} is declared with status ${errorCodes[code as keyof typeof errorCodes]}: ${where}`);
    if (typeof message !== 'string' || message.length === 0) this.problems.push(`no message: ${where}`);
    if (expected?.code && code !== expected.code) this.problems.push(`expected code ${expected.code}: ${where}`);
  }

  assertNone() {
    assert.deepEqual(this.problems, [], `${this.problems.length} of ${this.count} answers were wrong`);
  }
}

/** Tables whose rows no refused request may touch (sessions are left out: reading one refreshes it). */
const DATA_TABLES = [
  'admins',
  'employees',
  'companies',
  'departments',
  'positions',
  'api_keys',
  'settings',
  'system_state',
  'workstations',
  'workstation_enrolment_tokens',
  'workstation_profiles',
  'workstation_events',
  'workstation_commands',
];

describe('OpenAPI fuzzing: every POST/PUT/PATCH route refuses garbage with a 4xx', () => {
  let t: TestApp;
  let admin: Client;
  /** A second session of the same admin, for POST /api/auth/logout (which ends the session it is sent with). */
  let logoutClient: Client;
  let ops: Operation[];
  let bodyLimit: number;
  let initial: { tables: Record<string, unknown[]>; lastAuditId: number };

  /** A signed-in employee, for the employee pages' routes (an admin's session is not theirs). */
  let employee: Client;
  /** An approved workstation's agent, for the agents' routes (docs/agent-protocol.md). */
  let agent: Client;
  const clientFor = (op: Operation, signedIn: Client) => {
    if (signedIn !== admin) return signedIn;
    if (op.access.startsWith('employee')) return employee;
    if (op.access.startsWith('agent')) return agent;
    return op.path === '/api/auth/logout' ? logoutClient : admin;
  };

  async function snapshot() {
    const tables: Record<string, unknown[]> = {};
    // The audit chain head moves with any (failure) record; records are checked on their own below.
    for (const table of DATA_TABLES)
      tables[table] = await t.db.database.query(`SELECT * FROM ${table} ${table === 'system_state' ? "WHERE key <> 'audit.head'" : ''} ORDER BY 1`);
    const [{ max }] = await t.db.database.query<{ max: string | number | null }>('SELECT max(id) AS max FROM audit_events');
    return { tables: JSON.parse(JSON.stringify(tables)) as Record<string, unknown[]>, lastAuditId: Number(max ?? 0) };
  }

  before(async () => {
    t = await createTestApp();
    admin = await signedInAdmin(t);
    logoutClient = await signedInAdmin(t);
    const key = softKeys.yubikey();
    await registerKey(t, await createEmployee(t), key);
    employee = new Client(t.app);
    assert.equal((await passkeySignIn(employee, key)).status, 200);
    bodyLimit = t.services.config.bodyLimit;
    const token = (await admin.post('/api/workstation-enrolment-tokens', { name: 'Fuzz agents', autoApprove: true })).body.secret;
    agent = (await enrollSoftwareAgent(t.app, { token })).client();
    // Some rows to be (not) changed: a company with a department, a position, an employee, an API key.
    const company = await admin.post('/api/companies', { name: 'Fuzz Corp' });
    assert.equal(company.status, 201, company.raw);
    for (const [url, body] of [
      [`/api/companies/${company.body.id}/departments`, { name: 'Fuzz Dept' }],
      ['/api/positions', { name: 'Fuzz Position' }],
      ['/api/employees', { email: 'ada@corp.example', firstName: 'Ada', lastName: 'Lovelace', companyId: company.body.id }],
      ['/api/api-keys', { name: 'fuzz key', scope: 'admin' }],
    ] as const) {
      const res = await admin.post(url, body);
      assert.equal(res.status, 201, `${url}: ${res.raw}`);
    }
    const doc = await admin.get('/api/openapi.json');
    assert.equal(doc.status, 200);
    ops = operationsFrom(doc.body);
    initial = await snapshot();
  });

  after(async () => {
    await t?.close();
  });

  it(`finds at least ${MIN_ROUTES} POST/PUT/PATCH routes in the OpenAPI document, most with a JSON body schema`, () => {
    assert.ok(ops.length >= MIN_ROUTES, `only ${ops.length} routes: ${ops.map((o) => `${o.method} ${o.path}`).join(', ')}`);
    assert.ok(ops.filter((o) => o.body).length >= MIN_ROUTES - 3, 'most routes should declare a JSON body');
    // The sign-in and the settings routes are the ones that matter most; they must be among them.
    for (const route of ['POST /api/auth/login', 'POST /api/setup', 'PATCH /api/settings', 'POST /api/employees']) {
      assert.ok(
        ops.some((o) => `${o.method} ${o.path}` === route),
        `${route} is not in the OpenAPI document`,
      );
    }
  });

  /**
   * What a caller gets before its body is looked at: credentials are checked first (onRequest), so
   * a request without a CSRF header is refused as such, and a stranger on a route that is not
   * public is told to sign in; only then do parser and validators see the body.
   */
  const refusedFirst = (op: Operation, caller: Caller) =>
    // Agents sign each request and use no cookies: no CSRF check, and no assertion is no agent.
    op.path.startsWith('/api/agent/')
      ? caller !== 'signed in' && op.access !== 'public'
        ? { status: 401, code: 'agent.assertion_invalid' }
        : undefined
      : caller === 'bare'
        ? { status: 403, code: 'auth.csrf_invalid' }
        : caller === 'anonymous' && op.access !== 'public'
          ? { status: 401, code: 'auth.required' }
          : undefined;

  /** The garbage for one route: malformed, non-object, wrong types, unknown field. */
  async function sendGarbage(client: Client, caller: Caller, findings: Findings) {
    for (const op of ops) {
      const c = clientFor(op, client);
      const name = `${caller} ${op.method} ${op.path}`;
      const first = refusedFirst(op, caller);
      findings.check(`${name} malformed JSON`, await send(c, op, '{"a":'), first ?? { status: 400, code: 'request.invalid_json' });
      findings.check(`${name} truncated JSON`, await send(c, op, '{"name": "x", '), first ?? { status: 400, code: 'request.invalid_json' });
      if (!op.body) continue; // a route without a body: only the parser-level garbage applies
      for (const notObject of ['[]', '[{"name":"x"}]', '"a string"', '42', 'true', 'null']) {
        findings.check(`${name} body ${notObject}`, await send(c, op, notObject), first ?? { status: 400 });
      }
      const valid = validValue(op.body, 'body') as Record<string, unknown>;
      for (const { path, schema } of propertyPaths(op.body)) {
        for (const wrong of wrongValues(schema)) {
          findings.check(
            `${name} ${path.join('.')}=${JSON.stringify(wrong)}`,
            await send(c, op, JSON.stringify(withValue(valid, path, wrong))),
            first ?? { status: 400, code: 'request.validation_failed' },
          );
        }
      }
      // Otherwise valid, plus a field the schema does not declare: refused, and for that reason alone.
      const res = await send(c, op, JSON.stringify({ ...valid, [UNKNOWN_FIELD]: 'surprise' }));
      findings.check(`${name} unknown field`, res, first ?? { status: 400, code: 'request.validation_failed' });
      if (!first && res.status === 400) {
        const message = String(res.body?.error?.message ?? '');
        assert.ok(message.includes(UNKNOWN_FIELD), `${name}: the 400 should name the unknown field: ${message}`);
        const others = ((res.body?.error?.details ?? []) as { path: string }[]).filter((d) => d.path !== `body.${UNKNOWN_FIELD}`);
        assert.deepEqual(others, [], `${name}: the test's valid-looking body ${JSON.stringify(valid)} is itself invalid`);
      }
    }
  }

  it('refuses malformed JSON, non-object JSON, wrongly typed properties and unknown fields from a signed-in admin with 400', async () => {
    const findings = new Findings();
    await sendGarbage(admin, 'signed in', findings);
    findings.assertNone();
    assert.ok(findings.count > ops.length * 5, `only ${findings.count} requests were sent`);
  });

  it('refuses the same garbage from a client that is not signed in, with or without a CSRF token', async () => {
    const findings = new Findings();
    await sendGarbage(new Client(t.app), 'anonymous', findings);
    // No cookies and no CSRF header at all: a bare request.
    const bare = new Client(t.app);
    bare.request = async (method, url, body, extraHeaders = {}) => {
      const res = await t.app.inject({ method: method as never, url, headers: extraHeaders, ...(body !== undefined ? { payload: body as never } : {}) });
      return { status: res.statusCode, body: safeJson(res.body), headers: res.headers, raw: res.body };
    };
    await sendGarbage(bare, 'bare', findings);
    findings.assertNone();
  });

  it('refuses a body larger than the body limit with 413, signed in or not (a stranger on a protected route is refused before it is read)', async () => {
    const findings = new Findings();
    // Valid JSON, only too big: 1.5 × the limit (1 MiB by default).
    const padding = 'x'.repeat(Math.ceil(bodyLimit * 1.5));
    for (const [label, client] of [
      ['signed in', admin],
      ['anonymous', new Client(t.app)],
    ] as const) {
      for (const op of ops) {
        const valid = op.body ? (validValue(op.body, 'body') as Record<string, unknown>) : {};
        const payload = JSON.stringify({ ...valid, padding });
        findings.check(
          `${label} ${op.method} ${op.path} ${payload.length} bytes`,
          await send(clientFor(op, client), op, payload),
          refusedFirst(op, label) ?? { status: 413, code: 'request.body_too_large' },
        );
      }
    }
    findings.assertNone();
  });

  it('refuses a text/plain or XML body on every route with a 4xx, signed in or not', async () => {
    const findings = new Findings();
    for (const [label, client] of [
      ['signed in', admin],
      ['anonymous', new Client(t.app)],
    ] as const) {
      for (const op of ops) {
        const c = clientFor(op, client);
        const valid = op.body ? validValue(op.body, 'body') : { note: 'a route without a body' };
        // The JSON text itself, only labelled wrongly: a server that ignored the content type would accept it.
        findings.check(`${label} ${op.method} ${op.path} text/plain`, await send(c, op, JSON.stringify(valid), 'text/plain'));
        findings.check(
          `${label} ${op.method} ${op.path} application/xml`,
          await send(c, op, '<body/>', 'application/xml'),
          refusedFirst(op, label) ?? { status: 415 },
        );
      }
    }
    findings.assertNone();
  });

  it('refuses bad query strings and malformed ids on GET routes with 400', async () => {
    const doc = (await admin.get('/api/openapi.json')).body as {
      paths: Record<string, Record<string, { 'x-tessera-access'?: string; parameters?: { name: string; in: string; schema?: JsonSchema }[] }>>;
    };
    const findings = new Findings();
    // Each probe goes out as the caller the route serves: an employee's route refuses an admin before it reads a parameter.
    const probes: { url: string; caller: Client }[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      const op = methods.get;
      if (!op) continue;
      const access = op['x-tessera-access'] ?? '';
      const caller = access.startsWith('employee') ? employee : access.startsWith('agent') ? agent : admin;
      const params = op.parameters ?? [];
      const goodPath = path.replace(/\{[^}]+\}/g, () => crypto.randomUUID());
      for (const p of params.filter((x) => x.in === 'path')) {
        for (const bad of ['not-a-uuid', '1', "1' OR '1'='1", '../../etc/passwd', '00000000-0000-0000-0000-00000000000g']) {
          probes.push({
            url: path.replace(`{${p.name}}`, encodeURIComponent(bad)).replace(/\{[^}]+\}/g, () => crypto.randomUUID()),
            caller,
          });
        }
      }
      const query = params.filter((x) => x.in === 'query');
      if (query.length === 0) continue;
      const names = new Set(query.map((x) => x.name));
      const bad: string[] = [`${UNKNOWN_FIELD}=1`];
      if (names.has('page')) bad.push('page=-1', 'page=0', 'page=abc', 'page=1.5', 'page=99999999999');
      if (names.has('pageSize')) bad.push('pageSize=100000', 'pageSize=0', 'pageSize=-5');
      if (names.has('sort')) bad.push('sort=nonsense', 'sort=lastName;DROP TABLE employees');
      if (names.has('order')) bad.push('order=sideways');
      for (const x of query) {
        const s = x.schema ?? {};
        if (s.format === 'uuid') bad.push(`${x.name}=not-a-uuid`);
        if (s.format === 'date-time') bad.push(`${x.name}=yesterday`);
        if (s.enum) bad.push(`${x.name}=nonsense`);
        if (s.maxLength) bad.push(`${x.name}=${'y'.repeat(s.maxLength + 1)}`);
      }
      for (const q of bad) {
        const [name, ...value] = q.split('=');
        probes.push({ url: `${goodPath}?${name}=${encodeURIComponent(value.join('='))}`, caller });
      }
    }
    assert.ok(
      probes.some(({ url }) => url.startsWith('/api/employees?page=-1')),
      'GET /api/employees should take page',
    );
    assert.ok(
      probes.some(({ url }) => url.startsWith('/api/employees?pageSize=100000')),
      'GET /api/employees should take pageSize',
    );
    assert.ok(
      probes.some(({ url }) => url.startsWith('/api/employees?sort=nonsense')),
      'GET /api/employees should take sort',
    );
    assert.ok(
      probes.some(({ url }) => url.startsWith('/api/employees/not-a-uuid')),
      'GET /api/employees/{id} should be in the document',
    );
    for (const { url, caller } of probes) findings.check(`GET ${url}`, await caller.get(url), { status: 400, code: 'request.validation_failed' });
    findings.assertNone();
  });

  it('left the database as it was: no row changed, no successful audit record', async () => {
    const now = await snapshot();
    for (const table of DATA_TABLES) assert.deepEqual(now.tables[table], initial.tables[table], `table ${table} changed`);
    const records = await t.db.database.query<{ id: number; action: string; outcome: string }>(
      'SELECT id, action, outcome FROM audit_events WHERE id > $1 ORDER BY id',
      [initial.lastAuditId],
    );
    assert.deepEqual(
      records.filter((r) => r.outcome === 'success'),
      [],
      'a refused request recorded a success',
    );
    // The signed-in client is still signed in: none of the garbage ended its session.
    assert.equal((await admin.get('/api/auth/me')).status, 200);
  });
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A marker that the JSON text of a body carries, replaced by a hostile JSON string literal. */
const MARK = 'FUZZ_TEXT_MARK';
/** JSON string literals that decode to text PostgreSQL cannot store: a NUL, a lone high and a lone low surrogate. */
const HOSTILE_LITERALS = ['"a\\u0000b"', '"\\ud800"', '"x\\udc00y"'];
/** The same in a URL: %00 decodes to NUL; bytes of a UTF-16 surrogate are invalid UTF-8 and must not turn into one. */
const HOSTILE_URL_VALUES = ['a%00b', '%00', '%ED%A0%80', '%C0%80'];
const HUGE = 'z'.repeat(100_000);
const DEEP = 10_000;
/** Values no URL field may take (src/http/url-schemas.ts), each refused with the field named. */
const BAD_URLS = [
  'example.com/callback',
  'javascript:alert(1)',
  'https://user:secret@app.example/cb',
  'https://app.example/cb#fragment',
  'ftp://app.example/cb',
  'https://app.example/c b',
  'https://app.\texample/cb',
  'https:\\\\app.example\\cb',
  '//app.example/cb',
  '',
];
const isUrlField = (name: string) => /(ur[il]s?|url)$/i.test(name) && !/^(startUrl)$/.test(name);

interface AnyOperation {
  method: string;
  path: string;
  access?: string;
  params: { name: string; in: string; schema?: JsonSchema }[];
  body?: JsonSchema;
}

function allOperationsFrom(doc: {
  paths: Record<
    string,
    Record<string, { 'x-tessera-access'?: string; parameters?: AnyOperation['params']; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>
  >;
}): AnyOperation[] {
  const ops: AnyOperation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const content = op.requestBody?.content;
      ops.push({
        method: method.toUpperCase(),
        path,
        access: op['x-tessera-access'],
        params: op.parameters ?? [],
        body: content?.['application/json']?.schema ?? (content ? Object.values(content)[0]?.schema : undefined),
      });
    }
  }
  return ops;
}

/**
 * The string-valued places of a body schema: a string property, an array of strings (one element),
 * and the string properties of an array of objects (its first element: `acsEndpoints.0.url`).
 */
function textPaths(s: JsonSchema, prefix: string[] = []): { path: string[]; isArray: boolean }[] {
  const out: { path: string[]; isArray: boolean }[] = [];
  for (const { path, schema } of propertyPaths(s, prefix)) {
    const merged: JsonSchema = Object.assign({}, ...(schema.allOf ?? []), schema);
    const { types } = typesOf(merged);
    const items = merged.items ? (Object.assign({}, ...(merged.items.allOf ?? []), merged.items) as JsonSchema) : undefined;
    if (types.has('string')) out.push({ path, isArray: false });
    else if (types.has('array') && items && typesOf(items).types.has('string')) out.push({ path, isArray: true });
    else if (types.has('array') && items?.properties) out.push(...textPaths(items, [...path, '0']));
  }
  return out;
}

/** A copy of `base` with `value` at `path`; a numeric key makes an array (one element, valid for its schema). */
function setAt(base: Record<string, unknown>, path: string[], value: unknown, body: JsonSchema): Record<string, unknown> {
  const copy = structuredClone(base);
  let at: Record<string, unknown> = copy;
  let schema: JsonSchema | undefined = body;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i];
    const isIndex = /^\d+$/.test(path[i + 1]);
    schema = /^\d+$/.test(key) ? schema?.items : schema?.properties?.[key];
    if (typeof at[key] !== 'object' || at[key] === null) at[key] = isIndex ? [] : {};
    if (isIndex && Array.isArray(at[key]) && (at[key] as unknown[]).length === 0 && schema?.items) (at[key] as unknown[]).push(validValue(schema.items, key));
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1]] = value;
  return copy;
}

/** Tables whose row counts no refused request may change. */
const COUNTED_TABLES = [
  'admins',
  'employees',
  'companies',
  'departments',
  'positions',
  'api_keys',
  'settings',
  'oidc_clients',
  'saml_service_providers',
  'directory_domains',
  'hardware_keys',
  'hardware_key_events',
  'hardware_key_credentials',
  'invitations',
  'webauthn_credentials',
  'mail_outbox',
  'employee_auth',
  'workstations',
  'workstation_enrolment_tokens',
  'workstation_profiles',
  'workstation_events',
  'workstation_sessions',
  'workstation_commands',
];

describe('OpenAPI fuzzing: hostile text, 100 KB strings, deep nesting and bad URLs on every route, anonymous and with an admin API key', () => {
  let t: TestApp;
  let ops: AnyOperation[];
  let clients: [string, Client][];

  async function rowCounts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of COUNTED_TABLES) out[table] = Number((await t.db.database.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${table}`))[0].n);
    return out;
  }

  before(async () => {
    t = await createTestApp();
    const admin = await signedInAdmin(t);
    const company = await admin.post('/api/companies', { name: 'Hostile Corp' });
    assert.equal(company.status, 201, company.raw);
    const key = await admin.post('/api/api-keys', { name: 'hostile fuzz key', scope: 'admin' });
    assert.equal(key.status, 201, key.raw);
    // The console session too: routes that only a signed-in admin may call validate for it alone.
    const token = (await admin.post('/api/workstation-enrolment-tokens', { name: 'Hostile agents', autoApprove: true })).body.secret;
    clients = [
      ['anonymous', new Client(t.app)],
      ['admin API key', new Client(t.app, { authorization: `Bearer ${key.body.secret}` })],
      ['admin session', admin],
      // An approved workstation's agent reaches the validators of the agents' routes.
      ['agent', (await enrollSoftwareAgent(t.app, { token })).client()],
    ];
    const doc = await admin.get('/api/openapi.json');
    ops = allOperationsFrom(doc.body);
  });
  after(async () => {
    await t?.close();
  });

  it('answers none of them with a 5xx, refuses NUL and lone surrogates with 400 request.invalid_text, names the URL field, and changes no row', async () => {
    const before = await rowCounts();
    const problems: string[] = [];
    let sent = 0;
    let invalidText = 0;
    const namedUrlFields = new Set<string>();
    const expect = async (
      label: string,
      c: Client,
      method: string,
      url: string,
      payload: string | undefined,
      rule: { is4xx?: boolean; code?: string; mentions?: string } = {},
    ) => {
      const res = await c.request(method, url, payload, payload === undefined ? {} : { 'content-type': 'application/json' });
      sent++;
      const where = `${label} → ${res.status} ${String(res.raw).slice(0, 200)}`;
      if (res.status >= 500 || res.status === 0) return void problems.push(`5xx: ${where}`);
      if (rule.is4xx && (res.status < 400 || res.status >= 500)) return void problems.push(`expected 4xx: ${where}`);
      // Authentication and scope come first (401/403); a 400 must be for the reason probed.
      if (res.status === 400 && rule.code && res.body?.error?.code !== rule.code) problems.push(`expected ${rule.code}: ${where}`);
      // The field is named in the message (request.invalid_text) or by the path of one of the details (request.validation_failed).
      const named = (d: { path?: string }) => d?.path === rule.mentions;
      const details = Array.isArray(res.body?.error?.details) ? (res.body.error.details as { path?: string }[]) : [];
      if (res.status === 400 && rule.mentions && !String(res.body?.error?.message).includes(rule.mentions) && !details.some(named))
        problems.push(`the 400 should name ${rule.mentions}: ${where}`);
      if (res.status === 400 && res.body?.error?.code === 'request.invalid_text') invalidText++;
      if (res.status === 400 && rule.code === 'request.validation_failed' && rule.mentions)
        namedUrlFields.add(rule.mentions.replace(/\.\d+/g, '').split('.').pop()!);
    };

    for (const [who, c] of clients) {
      for (const op of ops) {
        // The session goes where an API key cannot (console-only routes); elsewhere the key reaches the same validators.
        if (who === 'admin session' && op.access !== undefined && op.access !== 'session' && op.access !== 'partial') continue;
        if (who === 'agent' && !op.access?.startsWith('agent')) continue;
        const label = `${who} ${op.method} ${op.path}`;
        const pathParams = op.params.filter((p) => p.in === 'path');
        const url = op.path.replace(/\{[^}]+\}/g, () => crypto.randomUUID());
        // Route parameters.
        for (const p of pathParams) {
          for (const bad of HOSTILE_URL_VALUES) {
            const probe = op.path.replace(`{${p.name}}`, bad).replace(/\{[^}]+\}/g, () => crypto.randomUUID());
            await expect(`${label} ${p.name}=${bad}`, c, op.method, probe, op.body ? JSON.stringify(validValue(op.body, 'body')) : undefined, {
              is4xx: true,
              code: bad.includes('%00') ? 'request.invalid_text' : undefined,
            });
          }
        }
        // Query values.
        for (const q of op.params.filter((p) => p.in === 'query')) {
          for (const bad of [...HOSTILE_URL_VALUES, HUGE]) {
            await expect(`${label} ?${q.name}=${bad.slice(0, 12)}`, c, op.method, `${url}?${q.name}=${bad}`, undefined, {
              code: bad.includes('%00') ? 'request.invalid_text' : undefined,
              is4xx: bad.includes('%00'),
            });
          }
        }
        if (!op.body) continue;
        const valid = validValue(op.body, 'body') as Record<string, unknown>;
        // Deep nesting: the whole body, and under the first property.
        const first = Object.keys(op.body.properties ?? {})[0] ?? 'name';
        await expect(`${label} ${DEEP} nested arrays`, c, op.method, url, '['.repeat(DEEP) + ']'.repeat(DEEP), { is4xx: true });
        await expect(`${label} ${DEEP} nested objects`, c, op.method, url, `${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}`, { is4xx: true });
        await expect(
          `${label} ${first}: ${DEEP} nested arrays`,
          c,
          op.method,
          url,
          JSON.stringify({ ...valid, [first]: MARK }).replace(`"${MARK}"`, '['.repeat(DEEP) + ']'.repeat(DEEP)),
          { is4xx: true },
        );
        // A hostile field name.
        await expect(`${label} NUL in a key`, c, op.method, url, JSON.stringify({ ...valid, [MARK]: 1 }).replace(`"${MARK}"`, '"k\\u0000"'), {
          is4xx: true,
          code: 'request.invalid_text',
        });
        for (const { path, isArray } of textPaths(op.body)) {
          const field = path.join('.');
          const at = (value: unknown) => JSON.stringify(setAt(valid, path, isArray ? [value] : value, op.body!));
          const text = at(MARK);
          for (const literal of HOSTILE_LITERALS) {
            await expect(`${label} ${field}=${literal}`, c, op.method, url, text.replace(`"${MARK}"`, literal), {
              is4xx: true,
              code: 'request.invalid_text',
              mentions: `body.${field}`,
            });
          }
          await expect(`${label} ${field}=100 KB`, c, op.method, url, at(HUGE), { is4xx: true });
          if (isUrlField(path[path.length - 1])) {
            for (const bad of BAD_URLS) {
              await expect(`${label} ${field}=${JSON.stringify(bad)}`, c, op.method, url, at(bad), {
                is4xx: true,
                code: 'request.validation_failed',
                mentions: `body.${field}${isArray ? '.0' : ''}`,
              });
            }
          }
        }
      }
    }
    assert.deepEqual(problems, [], `${problems.length} of ${sent} answers were wrong`);
    assert.ok(sent > ops.length * 4, `only ${sent} requests were sent`);
    // The probes reached the guard and the URL schemas, not only the sign-in check.
    assert.ok(invalidText > 500, `only ${invalidText} answers were request.invalid_text`);
    for (const field of ['redirectUris', 'postLogoutRedirectUris', 'jwksUri', 'backchannelLogoutUri', 'initiateLoginUri', 'url', 'sloUrl']) {
      assert.ok(namedUrlFields.has(field), `no bad URL in ${field} was refused naming it (refused: ${[...namedUrlFields].join(', ')})`);
    }
    assert.deepEqual(await rowCounts(), before, 'a refused request changed a table');
    // Whatever the requests made the server record hashes as it was stored.
    await t.services.audit.flush();
    const chain = await t.services.audit.verifyChain();
    assert.equal(chain.ok, true, JSON.stringify(chain));
  });
});
