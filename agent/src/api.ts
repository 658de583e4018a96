/**
 * The agent's HTTP client for docs/agent-protocol.md §2, §4, §6, §7. Every call but enrolment
 * carries a fresh assertion (§3: one per request, never reused).
 */
import {
  API_PREFIX,
  type AgentEvent,
  type AuthorizeAnswer,
  type AuthorizeRequest,
  type DeliveryAnswer,
  type DeliveryOptionsAnswer,
  type EnrollAnswer,
  type EnrollRequest,
  type StatusAnswer,
} from './protocol.js';

/** Tessera answered with an error (`{"error":{"code","message"}}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Tessera could not be reached at all (DNS, refused connection, TLS, timeout). */
export class UnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnreachableError';
  }
}

/** Whether an error means "the server is not there" (so offline rules apply) rather than "the server said no". */
export function isUnavailable(err: unknown): boolean {
  return err instanceof UnreachableError || (err instanceof ApiError && err.status >= 500);
}

export interface ApiClientOptions {
  server: string;
  /** A new assertion for each request; absent for enrolment only. */
  makeAssertion?: () => string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

export interface ApiClient {
  enroll(body: EnrollRequest): Promise<EnrollAnswer>;
  status(): Promise<StatusAnswer>;
  postEvents(events: AgentEvent[]): Promise<{ accepted: number; duplicates: number }>;
  authorize(body: AuthorizeRequest): Promise<AuthorizeAnswer>;
  /** §8.1: WebAuthn options for delivering this account's credentials. */
  deliveryOptions(body: { account: string }): Promise<DeliveryOptionsAnswer>;
  /** §8.2: the key's assertion; the credentials follow on the channel. */
  deliver(body: { requestId: string; assertion: unknown }): Promise<DeliveryAnswer>;
}

export function apiUrl(server: string, route: string): string {
  return `${server.replace(/\/+$/, '')}${API_PREFIX}${route}`;
}

export function createApiClient({ server, makeAssertion, timeoutMs = 10_000, fetchImpl = fetch }: ApiClientOptions): ApiClient {
  async function call<T>(method: 'GET' | 'POST', route: string, body: unknown, signed: boolean): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (signed) {
      if (!makeAssertion) throw new Error('this client cannot sign requests: the workstation is not enrolled');
      headers.authorization = `Bearer ${makeAssertion()}`;
    }
    let res: Response;
    try {
      res = await fetchImpl(apiUrl(server, route), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new UnreachableError(`cannot reach ${server}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, { cause: err });
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      /* a proxy's HTML error page: reported by status below */
    }
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
      throw new ApiError(res.status, error?.code ?? `http.${res.status}`, error?.message ?? `${method} ${route} answered ${res.status}`);
    }
    return json as T;
  }
  return {
    enroll: (body) => call('POST', '/enroll', body, false),
    status: () => call('GET', '/status', undefined, true),
    postEvents: (events) => call('POST', '/events', { events }, true),
    authorize: (body) => call('POST', '/authorize', body, true),
    deliveryOptions: (body) => call('POST', '/credentials/options', body, true),
    deliver: (body) => call('POST', '/credentials', body, true),
  };
}
