/**
 * Microsoft Graph over fetch, with what Graph's documentation asks of a client:
 * - paging: follow `@odata.nextLink` to the end, and keep the final `@odata.deltaLink` of a
 *   delta query (the links are opaque; only links on the configured Graph host are followed, so a
 *   token is never sent elsewhere);
 * - throttling: on 429 or 503/504 wait as long as `Retry-After` says (seconds), then retry the same
 *   request, so a listing resumes where it stopped;
 * - a token refused with 401 mid-run (expired, revoked) is renewed once and the request repeated.
 */
import type { EntraTokenSource } from './entra-token.js';

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

export interface GraphClientOptions {
  baseUrl: string;
  tokens: EntraTokenSource;
  fetch: typeof fetch;
  /** Waits between retries (injected so tests can record them). */
  sleep?: (ms: number) => Promise<void>;
  maxRetries?: number;
  timeoutMs?: number;
  /** Longest Retry-After honoured; a longer one fails the call instead of stalling a sync. */
  maxRetryAfterMs?: number;
}

export interface GraphPage<T> {
  value: T[];
  nextLink?: string;
  deltaLink?: string;
}

export type GraphClient = ReturnType<typeof createGraphClient>;

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createGraphClient(o: GraphClientOptions) {
  const base = o.baseUrl.replace(/\/+$/, '');
  const origin = new URL(base).origin;
  const sleep = o.sleep ?? defaultSleep;
  const maxRetries = o.maxRetries ?? 5;
  const maxRetryAfterMs = o.maxRetryAfterMs ?? 120_000;
  /** Retries waited for (429/503), for the run's progress and tests. */
  let throttled = 0;
  let renewals = 0;

  const absolute = (pathOrUrl: string) => {
    if (!/^https?:\/\//.test(pathOrUrl)) return `${base}${pathOrUrl.startsWith('/') ? '' : '/'}${pathOrUrl}`;
    if (new URL(pathOrUrl).origin !== origin)
      throw new GraphError(0, 'foreign_link', `Graph answered a link to another host (${new URL(pathOrUrl).host}); not followed`);
    return pathOrUrl;
  };

  async function request<T>(method: string, pathOrUrl: string, body?: unknown): Promise<{ status: number; json: T | null }> {
    const url = absolute(pathOrUrl);
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      const token = await o.tokens.getToken(renewed);
      const res = await o.fetch(url, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(o.timeoutMs ?? 60_000),
      });
      if (res.status === 401 && !renewed) {
        await res.arrayBuffer().catch(() => {});
        renewed = true;
        renewals++;
        continue;
      }
      if ((res.status === 429 || res.status === 503 || res.status === 504) && attempt < maxRetries) {
        await res.arrayBuffer().catch(() => {});
        const wait = retryAfterMs(res.headers.get('retry-after'), attempt);
        if (wait > maxRetryAfterMs)
          throw new GraphError(res.status, 'throttled', `Microsoft Graph asked to wait ${Math.round(wait / 1000)} s (Retry-After); giving up`);
        throttled++;
        await sleep(wait);
        continue;
      }
      const text = await res.text();
      let json: unknown = null;
      if (text) {
        try {
          json = JSON.parse(text);
        } catch {
          json = null;
        }
      }
      if (!res.ok) {
        const err = (json as { error?: { code?: string; message?: string } } | null)?.error;
        throw new GraphError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? `Microsoft Graph answered ${res.status}`);
      }
      return { status: res.status, json: json as T | null };
    }
  }

  return {
    stats: () => ({ throttled, renewals }),
    get: async <T>(pathOrUrl: string) => (await request<T>('GET', pathOrUrl)).json as T,
    post: async <T>(pathOrUrl: string, body: unknown) => (await request<T>('POST', pathOrUrl, body)).json as T,
    patch: async (pathOrUrl: string, body: unknown) => {
      await request('PATCH', pathOrUrl, body);
    },
    delete: async (pathOrUrl: string) => {
      await request('DELETE', pathOrUrl);
    },
    /** Every page of a collection (or delta round), in order. */
    async getAll<T>(pathOrUrl: string, onPage?: (count: number) => void): Promise<{ value: T[]; deltaLink: string | null }> {
      const value: T[] = [];
      let next: string | undefined = pathOrUrl;
      let deltaLink: string | null = null;
      while (next) {
        const page: Record<string, unknown> = await this.get<Record<string, unknown>>(next);
        const rows = page.value;
        if (!Array.isArray(rows)) throw new GraphError(0, 'invalid_response', 'Microsoft Graph answered a page without a value array');
        value.push(...(rows as T[]));
        onPage?.(value.length);
        next = typeof page['@odata.nextLink'] === 'string' ? page['@odata.nextLink'] : undefined;
        if (typeof page['@odata.deltaLink'] === 'string') deltaLink = page['@odata.deltaLink'];
      }
      return { value, deltaLink };
    },
  };
}

/** Retry-After in seconds (RFC 9110 §10.2.3; Graph sends seconds), else exponential from 1 s. */
function retryAfterMs(header: string | null, attempt: number): number {
  if (header && /^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  if (header) {
    const at = Date.parse(header);
    if (!Number.isNaN(at)) return Math.max(0, at - Date.now());
  }
  return Math.min(2 ** attempt * 1000, 30_000);
}

export const odataQuote = (s: string) => `'${s.replace(/'/g, "''")}'`;
