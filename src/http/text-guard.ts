import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidTextReason } from '../lib/text.js';
import { sendErrorPage } from './pages.js';
import { AppError } from '../lib/errors.js';

/**
 * Hostile text stops at the edge. A NUL character or a lone UTF-16 surrogate in any string the
 * client sent (JSON values and keys at any depth, query values, route parameters, the User-Agent
 * that the audit log keeps) cannot be stored by PostgreSQL as it is (src/lib/text.ts): refused
 * with 400 `request.invalid_text`, naming the field, before validation and before any query.
 * JSON nested deeper than MAX_DEPTH is refused too, so that no validator, serializer or jsonb
 * encoder recurses into it.
 *
 * Node's HTTP parser already refuses NUL and other control characters in header values, and it
 * decodes header bytes as Latin-1, so a header can hold no surrogate; the User-Agent is checked
 * all the same because inject() and proxies do not go through that parser.
 *
 * The API answers {"error":{"code","message"}}; the protocol endpoints answer in their own form:
 * SAML and WS-Fed with their error page, OIDC with an OAuth error (RFC 6749 §5.2), its browser
 * endpoints with the error page (RFC 6749 §4.1.2.1: a request whose parameters cannot be trusted
 * is not redirected).
 */
export const MAX_DEPTH = 64;

interface Finding {
  code: 'request.invalid_text' | 'request.invalid_json';
  message: string;
}

/** A field path short enough to read (a deep one keeps its start and its end). */
const shown = (path: string) => (path.length > 120 ? `${path.slice(0, 60)}…${path.slice(-40)}` : path);

/** The first string under `value` that cannot be stored, as `field: reason`; iterative, so depth cannot overflow the stack. */
export function findInvalidText(value: unknown, root: string): Finding | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  while (stack.length) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const reason = invalidTextReason(v);
      if (reason) return { code: 'request.invalid_text', message: `${shown(path)} ${reason}` };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_DEPTH) return { code: 'request.invalid_json', message: `${shown(path)} is nested deeper than ${MAX_DEPTH} levels` };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: `${path}.${i}`, depth: depth + 1 });
      continue;
    }
    for (const [key, inner] of Object.entries(v as Record<string, unknown>)) {
      const reason = invalidTextReason(key);
      // The key itself is not printed: it is the hostile text.
      if (reason) return { code: 'request.invalid_text', message: `a field name in ${shown(path)} ${reason}` };
      stack.push({ value: inner, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
  return undefined;
}

function findInRequest(request: FastifyRequest): Finding | undefined {
  const userAgent = request.headers['user-agent'];
  return (
    findInvalidText(request.params, 'params') ??
    findInvalidText(request.query, 'query') ??
    (typeof userAgent === 'string' ? findInvalidText(userAgent, 'header user-agent') : undefined) ??
    findInvalidText(request.body, 'body')
  );
}

type Answer = (reply: FastifyReply, finding: Finding) => FastifyReply;

const apiAnswer: Answer = (_reply, f) => {
  throw new AppError(f.code, `Invalid request: ${f.message}`);
};
const pageAnswer: Answer = (reply, f) => sendErrorPage(reply, 400, f.code, `The request is malformed: ${f.message}.`);
const oauthAnswer: Answer = (reply, f) =>
  reply
    .code(400)
    .header('Cache-Control', 'no-store')
    .type('application/json; charset=utf-8')
    .send({ error: 'invalid_request', error_description: `the request is malformed: ${f.message}` });
/** OIDC endpoints a browser is sent to: a person reads the answer. */
const OIDC_BROWSER_PATHS = ['/oidc/auth', '/oidc/session/end', '/oidc/interaction/'];

/** Which answer a route gets, by the route that matched (never the raw URL, which may be encoded). */
function answerFor(request: FastifyRequest): Answer | undefined {
  const route = request.routeOptions.url;
  if (!route) return undefined;
  if (route.startsWith('/api/')) return apiAnswer;
  if (route.startsWith('/saml/') || route === '/wsfed' || route.startsWith('/wsfed/')) return pageAnswer;
  if (route === '/oidc' || route.startsWith('/oidc/')) {
    const path = request.url.split('?')[0];
    return OIDC_BROWSER_PATHS.some((p) => path.startsWith(p)) ? pageAnswer : oauthAnswer;
  }
  return undefined;
}

export function installTextGuard(app: FastifyInstance) {
  app.addHook('preValidation', async (request, reply) => {
    const answer = answerFor(request);
    if (!answer) return;
    const finding = findInRequest(request);
    if (!finding) return;
    if (answer === apiAnswer) return apiAnswer(reply, finding);
    // Protocol endpoints: answered here, so the handler never runs.
    await answer(reply, finding);
    return reply;
  });
}
