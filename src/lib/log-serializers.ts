import pino from 'pino';

/**
 * What the log may say about a request and an error. Every log line of the server, the jobs and
 * the CLI goes through one pino instance (src/app/server.ts createLogger) with these serializers, so
 * the rules hold wherever something is logged:
 * - Request URLs: one-time tokens travel in them (the invitation link `/enroll?token=`, the
 *   enrolment API `/api/enroll/<token>/…`, the first-run link `/setup?token=`, OIDC's
 *   `id_token_hint`). Their values are replaced by `[redacted]`, whatever the encoding of the path.
 * - Errors: a failed query is reported by drizzle as "Failed query: <sql>\nparams: <values>", and
 *   the values are what the query carried (e-mail addresses, hashes, sealed secrets). The SQL stays,
 *   the values go: the `params` line and property, and PostgreSQL's `detail` (which repeats the
 *   conflicting value: `Key (email)=(…) already exists`) and `where`. A data exception's message
 *   that quotes the value (`invalid input syntax for type uuid: "…"`) loses the quoted part.
 */

export const REDACTED = '[redacted]';

/** Path segments after which the next segment is a secret token. */
const TOKEN_PARENTS = new Set(['enroll']);
/** Query parameters whose values are secrets or personal data: token, *_token, *_token_hint, code, secret, password. */
const SECRET_QUERY = /^(?:.*_)?(?:token|token_hint|hint|code|secret|password)$/i;

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/** The URL (path and query, as a request line carries it) without the secrets it may hold. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? undefined : url.slice(q + 1);
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i++) {
    if (TOKEN_PARENTS.has(safeDecode(segments[i - 1]).toLowerCase()) && segments[i] !== '') segments[i] = REDACTED;
  }
  const redactedQuery = query
    ?.split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      return eq !== -1 && SECRET_QUERY.test(safeDecode(name)) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return segments.join('/') + (redactedQuery === undefined ? '' : `?${redactedQuery}`);
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remotePort?: number } | null;
  params?: unknown;
}

/** Fastify's request serializer (method, url, host, address), with the URL redacted. */
export function serializeRequest(req: LoggedRequest) {
  let url = typeof req.url === 'string' ? redactUrl(req.url) : req.url;
  // A route parameter named like a secret is redacted even where the path rules above do not look.
  if (typeof url === 'string' && req.params && typeof req.params === 'object') {
    for (const [name, value] of Object.entries(req.params as Record<string, unknown>)) {
      if (typeof value === 'string' && value.length >= 8 && SECRET_QUERY.test(name))
        url = url.split(value).join(REDACTED).split(encodeURIComponent(value)).join(REDACTED);
    }
  }
  return { method: req.method, url, host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}

/** Error properties that hold a query's values. */
const VALUE_KEYS = new Set(['params', 'parameters', 'detail', 'where']);
/** A PostgreSQL data exception (SQLSTATE class 22) quotes the offending value in its message. */
const isDataException = (err: Record<string, unknown>) => typeof err.code === 'string' && /^22[0-9A-Z]{3}$/.test(err.code) && typeof err.message === 'string';
const QUOTED = /"(?:[^"]|"")*"/g;

/**
 * The exact texts to take out of every message and stack: for each error of the cause chain, the
 * drizzle params line, and a data exception's quoted values.
 */
function secretTexts(err: unknown, seen = new Set<unknown>()): [string, string][] {
  if (!err || typeof err !== 'object' || seen.has(err) || seen.size > 10) return [];
  seen.add(err);
  const e = err as Record<string, unknown>;
  const out: [string, string][] = [];
  if (typeof e.message === 'string' && e.message.startsWith('Failed query: ') && 'params' in e) {
    out.push([`\nparams: ${String(e.params)}`, `\nparams: ${REDACTED}`]);
  }
  if (isDataException(e)) {
    const message = e.message as string;
    const scrubbed = message.replace(QUOTED, `"${REDACTED}"`);
    if (scrubbed !== message) out.push([message, scrubbed]);
  }
  return [...out, ...secretTexts(e.cause, seen), ...(Array.isArray(e.errors) ? e.errors.flatMap((x) => secretTexts(x, seen)) : [])];
}

/** Anything left that looks like a params line (an error re-thrown with the message in its own). */
const PARAMS_LINE = /\nparams: (?!\[redacted\])[\s\S]*?(?=\n {4}at |\ncaused by: |$)/g;

function scrubText(text: string, texts: [string, string][]): string {
  let out = text;
  for (const [secret, replacement] of texts) if (secret) out = out.split(secret).join(replacement);
  return out.replace(PARAMS_LINE, `\nparams: ${REDACTED}`);
}

/** A copy of a serialized error without the value-holding keys, its strings scrubbed (the logged objects are never changed). */
function scrubObject(value: unknown, texts: [string, string][], depth: number): unknown {
  if (typeof value === 'string') return scrubText(value, texts);
  if (!value || typeof value !== 'object' || depth > 4) return value;
  if (Array.isArray(value)) return value.map((v) => scrubObject(v, texts, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (!VALUE_KEYS.has(key)) out[key] = scrubObject(v, texts, depth + 1);
  return out;
}

/** pino's error serializer (type, message and stack with causes, own properties), without query values. */
export function serializeError(err: unknown): unknown {
  if (typeof err === 'string') return scrubText(err, []);
  const texts = secretTexts(err);
  const serialized = pino.stdSerializers.err(err as Error);
  return scrubObject(serialized, texts, 0);
}

/** The serializers of the server's pino instance. */
export const logSerializers = { req: serializeRequest, err: serializeError, error: serializeError };
