/**
 * A browser-like client for a real server over fetch: a cookie jar, and the CSRF header on
 * unsafe methods, as the console and the employee pages send it.
 */
export class HttpClient {
  cookies = new Map<string, string>();
  /** Every answer this client received, for "no secret in any answer" checks. */
  answers: { what: string; status: number; text: string }[] = [];

  constructor(
    public base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  async request(method: string, url: string, body?: unknown) {
    if (method !== 'GET' && !this.cookies.has('tessera_csrf')) await this.request('GET', '/api/auth/csrf');
    const headers: Record<string, string> = { ...this.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method !== 'GET' && this.cookies.has('tessera_csrf')) headers['x-csrf-token'] = this.cookies.get('tessera_csrf')!;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair, ...attrs] = cookie.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq),
        value = pair.slice(eq + 1);
      const expired = attrs.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && new Date(a.slice(8)).getTime() < Date.now()));
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    this.answers.push({ what: `${method} ${url}`, status: res.status, text });
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json, headers: res.headers };
  }
  get(url: string) {
    return this.request('GET', url);
  }
  post(url: string, body?: unknown) {
    return this.request('POST', url, body);
  }
  patch(url: string, body: unknown) {
    return this.request('PATCH', url, body);
  }
}
