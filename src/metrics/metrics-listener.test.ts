// The metrics listener of its own port (TESSERA_METRICS_PORT) against what a client on that
// network can send: only GET /metrics with the token is answered, and a connection that never
// finishes its request cannot hold the node's shutdown.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Config } from '../config/config.js';
import { startMetricsListener } from './metrics.routes.js';

const TOKEN = 'metrics-token-for-tests-0123456789';
const config = { metricsPort: 0, metricsHost: '127.0.0.1', metricsToken: TOKEN } as unknown as Config;
const metrics = { contentType: 'text/plain; version=0.0.4; charset=utf-8' as const, render: async () => 'tessera_up 1\n' };

/** One raw HTTP/1.1 exchange; the whole answer as text once the server closes. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => {
      text += d.toString('latin1');
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.end(request);
  });
}

describe('metrics listener of its own port', () => {
  let listener: { port: number; close(): Promise<void> };
  before(async () => {
    const started = await startMetricsListener({ config, metrics });
    assert.ok(started, 'listener started');
    listener = started;
  });
  after(async () => {
    await listener.close();
  });

  it('answers GET /metrics with the token, and nothing else', async () => {
    const ok = await raw(listener.port, `GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`);
    assert.match(ok, /^HTTP\/1\.1 200 /);
    assert.match(ok, /tessera_up 1/);
    for (const [request, status] of [
      ['GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong-token-0123456789\r\nConnection: close\r\n\r\n', 401],
      ['GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 401],
      [`POST /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc`, 404],
      [`HEAD /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`, 404],
      [`GET /metrics/../metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`, 404],
      [`GET /%6detrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`, 404],
      [`GET http://x/metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`, 404],
    ] as const) {
      const answer = await raw(listener.port, request);
      assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status} `), request.split('\r\n')[0]);
      assert.doesNotMatch(answer, /tessera_up/, request.split('\r\n')[0]);
    }
  });

  it('refuses headers beyond the size limit with 431, not by growing', async () => {
    const answer = await raw(listener.port, `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    assert.match(answer, /^HTTP\/1\.1 431 /);
  });

  it('closes although a client keeps a request half-sent (slowloris): shutdown is not held', { timeout: 20_000 }, async () => {
    const own = await startMetricsListener({ config, metrics });
    assert.ok(own, 'second listener started');
    const socket = net.connect(own.port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
    // A header line now and then, as a slow client does, keeps the connection busy.
    const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 200);
    try {
      await own.close();
      await closed;
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
  });
});
