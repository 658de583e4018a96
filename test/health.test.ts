/**
 * Health as a load balancer reads it: /readyz is 200 only with the database migrated and, when
 * REDIS_URL is set, Redis answering; at SIGTERM a node first answers /readyz with 503 for
 * TESSERA_SHUTDOWN_DRAIN_SECONDS while it still serves requests, then stops and exits 0.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createTestApp } from './helpers/app.js';
import { freePort, startServerProcess, stopServerProcess, type ServerProcess } from './helpers/server.js';

describe('readiness and draining', () => {
  let server: ServerProcess | undefined;
  let dir: string | undefined;
  after(async () => {
    await stopServerProcess(server);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 on /readyz while draining, keeps serving, then exits 0', { timeout: 180_000 }, async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-drain-'));
    server = await startServerProcess({ DATA_DIR: dir, TESSERA_SHUTDOWN_DRAIN_SECONDS: '4' });
    const ready = await fetch(`http://127.0.0.1:${server.port}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', database: 'pglite' });

    const exited = new Promise<number | null>((resolve) => server!.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    let draining: Response | undefined;
    for (let i = 0; i < 40 && !draining; i++) {
      const res = await fetch(`http://127.0.0.1:${server.port}/readyz`);
      if (res.status === 503) draining = res;
      else await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(draining, 'the node said it is not ready during the drain');
    assert.equal(((await draining.json()) as { error: { message: string } }).error.message, 'This node is shutting down');
    const served = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    assert.equal(served.status, 200, 'requests are still served while draining');
    assert.equal(await exited, 0);
  });

  it('exits 0 after a drain longer than the stop timeout (the drain is not cut short)', { timeout: 180_000 }, async () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-longdrain-'));
    // 11 s: longer than the 10 s the CLI gives the HTTP side to stop, as a real drain often is.
    const long = await startServerProcess({ DATA_DIR: own, TESSERA_SHUTDOWN_DRAIN_SECONDS: '11' });
    try {
      const exited = new Promise<number | null>((resolve) => long.child.once('exit', (code) => resolve(code)));
      long.child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      await stopServerProcess(long);
      fs.rmSync(own, { recursive: true, force: true });
    }
  });

  it('stops cleanly (exit 0) although a client keeps a request half-sent (slowloris)', { timeout: 180_000 }, async () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-slow-'));
    const slow = await startServerProcess({ DATA_DIR: own });
    const socket = net.connect(slow.port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    // A header line now and then: the request never ends, the connection never idles.
    const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 200);
    try {
      const exited = new Promise<number | null>((resolve) => slow.child.once('exit', (code) => resolve(code)));
      slow.child.kill('SIGTERM');
      // Without cutting the straggler the stop never finishes and the CLI's last resort exits 1
      // (the database not closed).
      assert.equal(await exited, 0);
    } finally {
      clearInterval(trickle);
      socket.destroy();
      await stopServerProcess(slow);
      fs.rmSync(own, { recursive: true, force: true });
    }
  });

  it('is not ready while its Redis is down, and ready again once it is back', { timeout: 120_000 }, async () => {
    // A Redis of the test's own (the shared one serves other suites): started, stopped, started again.
    const port = await freePort();
    const startRedis = async () => {
      const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      for (let i = 0; i < 100; i++) {
        const up = await new Promise<boolean>((resolve) => {
          const socket = net.connect(port, '127.0.0.1', () => {
            socket.end();
            resolve(true);
          });
          socket.on('error', () => resolve(false));
        });
        if (up) return child;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('redis-server did not start');
    };
    const stop = (child: ChildProcess) => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      return exited;
    };
    let redis = await startRedis();
    const t = await createTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
    const readyz = async () => {
      const res = await t.app.inject({ method: 'GET', url: '/readyz' });
      return { status: res.statusCode, body: res.json() };
    };
    const waitFor = async (status: number) => {
      let last = await readyz();
      for (let i = 0; i < 100 && last.status !== status; i++) {
        await new Promise((r) => setTimeout(r, 100));
        last = await readyz();
      }
      return last;
    };
    try {
      const ready = await waitFor(200);
      assert.deepEqual(ready.body, { status: 'ready', database: 'pglite', redis: 'ok' });
      await stop(redis);
      const down = await waitFor(503);
      assert.equal(down.status, 503);
      assert.equal(down.body.error.code, 'internal.unavailable');
      assert.equal(down.body.error.message, 'Redis is not reachable');
      redis = await startRedis();
      assert.equal((await waitFor(200)).status, 200, 'ready again once Redis is back');
    } finally {
      await t.close();
      await stop(redis);
    }
  });
});
