import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorCode } from '../lib/errors.js';
import { type SchemaIssue, schemaFieldErrors, serviceFieldError, summaryMessage } from '../lib/field-errors.js';

/** Fastify's own client errors, mapped to our stable codes. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'request.invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'request.invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'request.body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'request.unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'request.validation_failed',
  FST_ERR_VALIDATION: 'request.validation_failed',
};

export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

export function sendError(reply: FastifyReply, status: number, code: string, message: string, details?: unknown) {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({ error: { code, message, ...(details !== undefined ? { details } : {}) } });
}

function toAnswer(err: FastifyError, request: FastifyRequest): ErrorAnswer {
  if (err instanceof AppError) {
    const details = err.details ?? (err.field ? [serviceFieldError(err.field, err.message)] : undefined);
    return { status: err.status, code: err.code, message: err.message, details };
  }
  // A schema refused the input (zod through the type provider, or ajv): readable details per field.
  if (hasZodFastifySchemaValidationErrors(err) || (err.code === 'FST_ERR_VALIDATION' && Array.isArray(err.validation))) {
    const details = schemaFieldErrors((err.validation ?? []) as SchemaIssue[], err.validationContext ?? 'body').slice(0, 50);
    return { status: 400, code: 'request.validation_failed', message: summaryMessage(details), details };
  }
  if (err.statusCode === 429) return { status: 429, code: 'rate_limit.exceeded', message: 'Too many requests: wait a minute and try again' };
  const mapped = err.code ? fastifyCodes[err.code] : undefined;
  if (mapped || (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)) {
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 400;
    return { status, code: mapped ?? 'request.validation_failed', message: err.message.replace(/^FST_\w+: /, '') };
  }
  // Anything else is our fault: log it with the request id, answer without details.
  request.log.error({ err }, 'unhandled error');
  return { status: 500, code: 'internal.error', message: `Internal error (request ${request.id})` };
}

/**
 * One error handler for the API: stable codes, 4xx for every client mistake, no details on 5xx.
 * `onRefused` hears of every refused change by a signed-in admin or an API key, for the audit log.
 */
export function installErrorHandler(app: FastifyInstance, opts: { onRefused?: (request: FastifyRequest, answer: ErrorAnswer) => Promise<void> } = {}) {
  app.setErrorHandler(async (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const answer = toAnswer(err, request);
    const isChange = request.method !== 'GET' && request.method !== 'HEAD';
    const isSignedIn = request.ctx?.actor.type === 'admin' || request.ctx?.actor.type === 'api_key';
    if (opts.onRefused && isChange && isSignedIn && answer.status >= 400 && answer.status < 500 && answer.status !== 401) {
      await opts.onRefused(request, answer).catch((e) => request.log.warn({ err: e }, 'could not audit a refused request'));
    }
    return sendError(reply, answer.status, answer.code, answer.message, answer.details);
  });
}
