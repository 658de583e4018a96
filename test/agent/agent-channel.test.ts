import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { createChannel, MAX_REFUSED_UPGRADES } from '../../agent/src/channel.js';
import { createLogger } from '../../agent/src/log.js';

/**
 * The channel's reconnection rules against a local WebSocket server that plays Tessera's answers:
 * refused upgrades (401) stop the agent after a few in a row, unless a denial (4403) explains them.
 */
describe('agent channel: refused reconnections', () => {
  let server: http.Server;
  let wss: WebSocketServer;
  let url: string;
  /** What the next upgrades get: 'accept', 'refuse' (401), or 'deny' (accept, then close 4403). */
  const plan: ('accept' | 'refuse' | 'deny')[] = [];
  let upgrades = 0;

  before(async () => {
    wss = new WebSocketServer({ noServer: true });
    server = http.createServer();
    server.on('upgrade', (req, socket, head) => {
      // Node takes its own error listener off an upgraded socket: without this one, an agent that
      // hangs up while its refusal is written (the test stops it mid-handshake) would be an
      // uncaught ECONNRESET that fails the whole file.
      socket.on('error', () => {});
      upgrades++;
      const next = plan.shift() ?? 'refuse';
      if (next === 'refuse') {
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        if (next === 'deny') ws.close(4403, 'the workstation was denied');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/agent/v1/channel`;
  });
  after(async () => {
    wss.close();
    await new Promise((r) => server.close(r));
  });

  const run = (until: () => boolean) =>
    new Promise<{ revoked: boolean }>((resolve) => {
      let revoked = false;
      const channel = createChannel({
        url,
        makeAssertion: () => 'assertion',
        onFrame: () => {},
        onRevoked: () => {
          revoked = true;
        },
        log: createLogger({ level: 'error', write: () => {} }),
        backoff: { initialMs: 5, maxMs: 10, random: () => 0.5 },
      });
      channel.start();
      const poll = setInterval(() => {
        if (revoked || until()) {
          clearInterval(poll);
          void channel.stop().then(() => resolve({ revoked }));
        }
      }, 5);
    });

  it(`stops as revoked after ${MAX_REFUSED_UPGRADES} refused upgrades in a row`, async () => {
    upgrades = 0;
    plan.length = 0;
    const { revoked } = await run(() => upgrades > MAX_REFUSED_UPGRADES + 3);
    assert.equal(revoked, true);
    assert.equal(upgrades, MAX_REFUSED_UPGRADES);
  });

  it('counts again from zero after a connection that opened', async () => {
    upgrades = 0;
    plan.length = 0;
    plan.push('refuse', 'refuse', 'refuse', 'deny');
    // After the denial, any number of refusals: the agent keeps trying.
    const { revoked } = await run(() => upgrades >= 4 + MAX_REFUSED_UPGRADES * 2);
    assert.equal(revoked, false, 'the refusals after a 4403 are the denial’s');
  });
});
