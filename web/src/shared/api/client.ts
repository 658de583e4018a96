// Typed fetch client for the Tessera API.
// - JSON in and out, cookies only (`credentials: 'same-origin'`).
// - Every non-GET request carries `x-csrf-token`, the value of the CSRF cookie (`tessera_csrf`, or
//   `__Host-tessera_csrf` over HTTPS); when the cookie is missing we ask GET /api/auth/csrf first,
//   and on 403 `auth.csrf_invalid` (the token belongs to sessions the browser no longer holds) we
//   fetch a fresh token and retry once. The server renews the cookie at every sign-in and sign-out.
// - Errors arrive as {"error":{"code","message","details"?}} and are thrown as ApiError.
// - 401 `auth.required` / `auth.session_expired` calls the registered unauthorized handler
//   (the app sends the admin to /login and brings them back afterwards).

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export const SIGN_IN_AGAIN_CODES = ['auth.required', 'auth.session_expired'];

type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Record<string, QueryValue>;
  signal?: AbortSignal;
  /** Do not send the admin to /login on 401 (sign-in endpoints, GET /api/auth/me). */
  allowUnauthenticated?: boolean;
}

let unauthorizedHandler: ((error: ApiError) => void) | null = null;

export function setUnauthorizedHandler(handler: (error: ApiError) => void): void {
  unauthorizedHandler = handler;
}

const CSRF_COOKIES = ['__Host-tessera_csrf', 'tessera_csrf'];
let csrfRequest: Promise<string> | null = null;

function readCsrfCookie(): string | null {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (CSRF_COOKIES.includes(name)) return decodeURIComponent(rest.join('='));
  }
  return null;
}

async function fetchCsrfToken(): Promise<string> {
  const res = await fetch('/api/auth/csrf', {
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
  });
  if (!res.ok) throw await toApiError(res);
  const body = (await res.json()) as { csrfToken: string };
  return body.csrfToken;
}

async function csrfToken(forceRefresh: boolean): Promise<string> {
  if (forceRefresh) {
    // The server may hand back the cookie it already has; drop the rejected one so it issues anew.
    // biome-ignore lint/suspicious/noDocumentCookie: the CSRF cookie is read and dropped by the page itself (double submit); the Cookie Store API is not in every supported browser
    for (const name of CSRF_COOKIES) document.cookie = `${name}=; Max-Age=0; Path=/; SameSite=Strict${name.startsWith('__Host-') ? '; Secure' : ''}`;
  } else {
    const fromCookie = readCsrfCookie();
    if (fromCookie) return fromCookie;
  }
  // Share one in-flight request between concurrent mutations.
  csrfRequest ??= fetchCsrfToken().finally(() => {
    csrfRequest = null;
  });
  return csrfRequest;
}

export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function toApiError(res: Response): Promise<ApiError> {
  let code = `http.${res.status}`;
  let message = res.statusText ? `${res.status} ${res.statusText}` : `Request failed (${res.status})`;
  let details: unknown;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; details?: unknown } };
    if (body?.error) {
      code = body.error.code ?? code;
      message = body.error.message ?? message;
      details = body.error.details;
    }
  } catch {
    // Not JSON (proxy error page, empty body): keep the generic message.
  }
  return new ApiError(res.status, code, message, details);
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const url = path + buildQuery(options.query);
  const hasBody = options.body !== undefined;

  const send = async (refreshCsrf: boolean): Promise<Response> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (hasBody) headers['content-type'] = 'application/json';
    if (method !== 'GET') headers['x-csrf-token'] = await csrfToken(refreshCsrf);
    return fetch(url, {
      method,
      headers,
      body: hasBody ? JSON.stringify(options.body) : undefined,
      credentials: 'same-origin',
      signal: options.signal,
    });
  };

  let res = await send(false);
  if (res.status === 403 && method !== 'GET') {
    const error = await toApiError(res.clone());
    if (error.code === 'auth.csrf_invalid') res = await send(true);
  }

  if (!res.ok) {
    const error = await toApiError(res);
    if (res.status === 401 && SIGN_IN_AGAIN_CODES.includes(error.code) && !options.allowUnauthenticated) {
      unauthorizedHandler?.(error);
    }
    throw error;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong';
}
