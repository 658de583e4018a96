import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A receiver that answers as Splunk's HTTP Event Collector documents (Splunk Enterprise "Format
 * events for HTTP Event Collector" and "Troubleshoot HTTP Event Collector"):
 * - POST /services/collector/event, `Authorization: Splunk <token>`;
 * - the body is one or more JSON event objects one after another (batched, not an array), each
 *   with an `event` field and optional `time`, `host`, `source`, `sourcetype`, `index`;
 * - answers `{"text":"Success","code":0}` (200); a missing header 401 `Token is required` (2), a
 *   header not of the form `Splunk <token>` 401 `Invalid authorization` (3), an unknown token
 *   403 `Invalid token` (4), an empty body 400 `No data` (5), a body that is not JSON events 400
 *   `Invalid data format` (6) with `invalid-event-number`, an event without `event` 400
 *   `Event field is required` (12), an index the token may not write 400 `Incorrect index` (7),
 *   and, while `busy` is set, 503 `Server is busy` (9).
 * A batch is taken whole or not at all, as Splunk does for a request it refuses.
 */
export interface HecEvent {
  time?: number;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  event: Record<string, unknown>;
}

export interface HecReceiver {
  url: string;
  events: HecEvent[];
  /** How many events each accepted request carried. */
  batches: number[];
  requests: number;
  token: string;
  busy: boolean;
  allowedIndexes: string[];
  /** The next N accepted batches are kept but their answer is lost (the connection drops): a crash after the send. */
  loseAnswers: number;
  close(): Promise<void>;
}

/** Splits a HEC body into its JSON objects (concatenated, whitespace between them allowed). */
function splitEvents(body: string): unknown[] | number {
  const out: unknown[] = [];
  let i = 0;
  while (i < body.length) {
    while (i < body.length && /\s/.test(body[i])) i++;
    if (i >= body.length) break;
    if (body[i] !== '{') return out.length;
    let depth = 0;
    let inString = false;
    let j = i;
    for (; j < body.length; j++) {
      const c = body[j];
      if (inString) {
        if (c === '\\') j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) break;
    }
    try {
      out.push(JSON.parse(body.slice(i, j + 1)));
    } catch {
      return out.length;
    }
    i = j + 1;
  }
  return out;
}

export async function startHecReceiver(opts: { token: string; allowedIndexes?: string[]; tls?: { key: string; cert: string } }): Promise<HecReceiver> {
  const state: HecReceiver = {
    url: '',
    events: [],
    batches: [],
    requests: 0,
    token: opts.token,
    busy: false,
    allowedIndexes: opts.allowedIndexes ?? ['main', 'tessera'],
    loseAnswers: 0,
    close: async () => {},
  };
  const handler: http.RequestListener = (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      state.requests++;
      const answer = (status: number, text: string, code: number, extra: Record<string, unknown> = {}) => {
        res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8' });
        res.end(JSON.stringify({ text, code, ...extra }));
      };
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/services/collector/event')
        return answer(404, 'The requested URL was not found on this server.', 404);
      const auth = req.headers.authorization;
      if (!auth) return answer(401, 'Token is required', 2);
      const m = /^Splunk (\S+)$/.exec(auth);
      if (!m) return answer(401, 'Invalid authorization', 3);
      if (m[1] !== state.token) return answer(403, 'Invalid token', 4);
      if (state.busy) return answer(503, 'Server is busy', 9);
      if (body.trim() === '') return answer(400, 'No data', 5);
      const events = splitEvents(body);
      if (typeof events === 'number') return answer(400, 'Invalid data format', 6, { 'invalid-event-number': events });
      for (const [n, e] of events.entries()) {
        const ev = e as HecEvent;
        if (ev.event === undefined) return answer(400, 'Event field is required', 12, { 'invalid-event-number': n });
        if (ev.index && !state.allowedIndexes.includes(ev.index)) return answer(400, 'Incorrect index', 7, { 'invalid-event-number': n });
      }
      state.events.push(...(events as HecEvent[]));
      state.batches.push(events.length);
      if (state.loseAnswers > 0) {
        state.loseAnswers--;
        req.socket.destroy();
        return;
      }
      answer(200, 'Success', 0);
    });
  };
  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  state.url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  server.on('connection', (s) => s.unref());
  return state;
}
