import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A webhook receiver that checks what README "Audit forwarding" tells one to: the HMAC-SHA256
 * of "<X-Tessera-Timestamp>.<raw body>" under the shared secret, compared in constant time with
 * X-Tessera-Signature's v1 value, and a timestamp within `toleranceSeconds` of its clock.
 */
export interface WebhookReceiver {
  url: string;
  /** Events of the batches it accepted, in arrival order. */
  events: Array<{ eventId: string; auditId: number; action: string }>;
  refused: Array<{ status: number; reason: string }>;
  /** The raw requests, to replay one in a test. */
  raw: Array<{ headers: Record<string, string>; body: string }>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(opts: { secret: string; toleranceSeconds?: number; now?: () => number }): Promise<WebhookReceiver> {
  const state: WebhookReceiver = { url: '', events: [], refused: [], raw: [], close: async () => {} };
  const tolerance = opts.toleranceSeconds ?? 300;
  const now = opts.now ?? (() => Date.now());
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const refuse = (status: number, reason: string) => {
        state.refused.push({ status, reason });
        res.writeHead(status, { 'Content-Type': 'text/plain' }).end(reason);
      };
      const timestamp = String(req.headers['x-tessera-timestamp'] ?? '');
      const signature = String(req.headers['x-tessera-signature'] ?? '');
      state.raw.push({ headers: { 'x-tessera-timestamp': timestamp, 'x-tessera-signature': signature, 'content-type': 'application/json' }, body });
      if (!/^\d+$/.test(timestamp)) return refuse(400, 'no timestamp');
      if (Math.abs(now() / 1000 - Number(timestamp)) > tolerance) return refuse(401, 'timestamp outside the tolerance: a replay?');
      const expected = crypto.createHmac('sha256', opts.secret).update(`${timestamp}.${body}`).digest('hex');
      const given = /^v1=([0-9a-f]{64})$/.exec(signature)?.[1] ?? '';
      if (given.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return refuse(401, 'bad signature');
      const batch = JSON.parse(body) as { events: WebhookReceiver['events'] };
      state.events.push(...batch.events);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tessera-audit`;
  server.on('connection', (s) => s.unref());
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}
