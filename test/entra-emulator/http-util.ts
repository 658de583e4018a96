import crypto from 'node:crypto';
import type http from 'node:http';

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Graph's error body: {"error":{"code","message","innerError"}}. */
export function graphError(status: number, code: string, message: string): Answer {
  return {
    status,
    body: {
      error: {
        code,
        message,
        innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': crypto.randomUUID(), 'client-request-id': crypto.randomUUID() },
      },
    },
  };
}

/** The identity platform's OAuth error body (RFC 6749 §5.2 plus AADSTS codes). */
export function oauthError(status: number, error: string, aadsts: number, description: string): Answer {
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${aadsts}: ${description}`,
      error_codes: [aadsts],
      timestamp: new Date().toISOString(),
      trace_id: crypto.randomUUID(),
      correlation_id: crypto.randomUUID(),
    },
  };
}

export function send(res: http.ServerResponse, answer: Answer): void {
  const headers: Record<string, string> = { ...answer.headers };
  if (answer.body !== undefined) headers['content-type'] = 'application/json; odata.metadata=minimal';
  res.writeHead(answer.status, headers);
  res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
}

export async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
