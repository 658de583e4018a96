import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { z } from 'zod';
import type { Runtime } from '../app/server.js';
import { logSerializers } from '../lib/log-serializers.js';
import type { DataCommand } from './data-command.js';
import { controlSocketPath } from './control-protocol.js';
import { startControlServer, type ControlServer } from './control-server.js';

/** The answer lines, and how long the server took to close the connection. */
function talk(socketPath: string, write: (s: net.Socket) => void): Promise<{ lines: Record<string, unknown>[]; ms: number }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    const t0 = Date.now();
    let data = '';
    s.on('data', (d) => {
      data += d;
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
    });
    s.on('close', () =>
      resolve({
        lines: data
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
        ms: Date.now() - t0,
      }),
    );
    s.on('connect', () => write(s));
  });
}
const request = (command: string, options: Record<string, unknown>) => `${JSON.stringify({ v: 1, command, options })}\n`;

/**
 * The server end of the control channel, with stand-in commands: what a hostile or broken client
 * can do to it (the end-to-end behaviour with the real commands is in test/embedded-lock.test.ts).
 */
describe('control server', () => {
  let dir: string;
  let control: ControlServer;
  let logged = '';
  const ran: Record<string, unknown>[] = [];

  const echo: DataCommand<{ text?: string }> = {
    name: 'echo',
    options: z.strictObject({ text: z.string().max(100).optional() }),
    async run(_rt, opts, io) {
      ran.push(opts);
      io.out(opts.text ?? '');
      return 0;
    },
  };
  const failing: DataCommand<Record<string, never>> = {
    name: 'fail',
    options: z.strictObject({}),
    // What a failed query looks like (drizzle): its SQL and its parameters, here a password hash.
    async run() {
      throw new Error(
        'Failed query: insert into "admins" ("email", "password_hash") values ($1, $2)\nparams: a@corp.example,$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0$aGFzaA',
      );
    },
  };
  /** Reads a file (at most 100 bytes) and writes it back reversed, in two pieces. */
  const reverse: DataCommand<Record<string, never>> = {
    name: 'reverse',
    options: z.strictObject({}),
    input: { maxBytes: () => 100 },
    writesFile: true,
    async run(_rt, _opts, io) {
      const chunks: Buffer[] = [];
      for await (const c of io.input!) chunks.push(Buffer.from(c));
      const reversed = Buffer.concat(chunks).reverse();
      await io.write!(reversed.subarray(0, 3));
      await io.write!(reversed.subarray(3));
      io.out(`${reversed.length} bytes`);
      return 0;
    },
  };
  const frame = (bytes: string) => `${JSON.stringify({ data: Buffer.from(bytes).toString('base64') })}\n`;
  const upload = (command: string) => `${JSON.stringify({ v: 1, command, options: {}, upload: true })}\n`;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-control-'));
    // The server's serializers (src/app/server.ts createLogger), which redact a query's parameters.
    const logger = pino(
      { level: 'info', serializers: logSerializers },
      new Writable({
        write(chunk, _enc, cb) {
          logged += chunk;
          cb();
        },
      }),
    );
    const runtime = { config: { dataDir: dir }, logger } as unknown as Runtime;
    control = (await startControlServer({ runtime, commands: [echo, failing, reverse] as DataCommand[], logger, requestTimeoutMs: 1500 }))!;
  });
  after(async () => {
    await control.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('carries out a listed command', async () => {
    const { lines } = await talk(controlSocketPath(dir), (s) => s.write(request('echo', { text: 'hello' })));
    assert.deepEqual(lines, [{ stdout: 'hello' }, { exit: 0 }]);
  });

  it('cuts a request line that dribbles in at the deadline, however often a byte arrives', { timeout: 8000 }, async () => {
    const { lines, ms } = await talk(controlSocketPath(dir), (s) => {
      const drip = setInterval(() => {
        if (!s.destroyed) s.write(' ');
      }, 200);
      s.on('close', () => clearInterval(drip));
    });
    assert.deepEqual(lines, []);
    assert.ok(ms < 4000, `closed after ${ms} ms`);
  });

  it('refuses NUL and lone surrogates in the options, naming the field, before the command runs', async () => {
    const before = ran.length;
    for (const text of ['a\u0000b', 'a\ud800b']) {
      const { lines } = await talk(controlSocketPath(dir), (s) => s.write(request('echo', { text })));
      assert.deepEqual(lines.at(-1), { exit: 2 });
      assert.match(String(lines[0].stderr), /^tessera: invalid options for `echo`: options\.text contains (a NUL character|a lone UTF-16 surrogate)/);
    }
    assert.equal(ran.length, before, 'nothing ran');
  });

  it('answers an unexpected failure without its message, which may hold a query and its parameters', async () => {
    const { lines } = await talk(controlSocketPath(dir), (s) => s.write(request('fail', {})));
    assert.deepEqual(lines.at(-1), { exit: 1 });
    const text = JSON.stringify(lines);
    assert.doesNotMatch(text, /argon2|Failed query|params/);
    assert.match(String(lines[0].stderr), /^tessera: `fail` failed in the server \(details in the server log\)$/);
    assert.doesNotMatch(logged, /argon2/, 'the log redacts the parameters');
    assert.match(logged, /control command failed/);
  });

  it('takes a file in data frames after an upload request and sends one back before the exit line', async () => {
    const { lines } = await talk(controlSocketPath(dir), (s) => s.write(`${upload('reverse') + frame('abc') + frame('defgh')}{"end":true}\n`));
    const sent = lines.filter((l) => 'data' in l).map((l) => Buffer.from(String(l.data), 'base64').toString());
    assert.equal(sent.join(''), 'hgfedcba');
    assert.deepEqual(lines.slice(-2), [{ stdout: '8 bytes' }, { exit: 0 }]);
  });

  it('refuses a file to a command that reads none, a command that reads one without it, a bad frame and a file over the limit, running nothing', async () => {
    const before = ran.length;
    const cases: [string, RegExp][] = [
      [upload('echo'), /^tessera: `echo` reads no file$/],
      [request('reverse', {}), /^tessera: `reverse` reads a file/],
      [`${upload('reverse')}{"data":"not base64!"}\n`, /not a data frame/],
      [`${upload('reverse')}{"data":"YQ==","more":1}\n`, /not a data frame/],
      [`${upload('reverse') + frame('x'.repeat(60)) + frame('y'.repeat(60))}{"end":true}\n`, /larger than the 100 bytes this command accepts/],
    ];
    for (const [text, message] of cases) {
      const { lines } = await talk(controlSocketPath(dir), (s) => s.write(text));
      assert.deepEqual(lines.at(-1), { exit: 2 }, text);
      assert.match(String(lines[0].stderr), message);
      assert.ok(!lines.some((l) => 'data' in l));
    }
    assert.equal(ran.length, before);
  });

  it('runs nothing for an upload that stops before its end frame, and cuts the client when it goes quiet', { timeout: 8000 }, async () => {
    const { lines } = await talk(controlSocketPath(dir), (s) => s.write(upload('reverse') + frame('abc')));
    assert.deepEqual(lines, [], 'closed without an answer');
  });
  it('tells a client beyond the connection limit that the server is busy, rather than hang up on it', { timeout: 8000 }, async () => {
    const holders = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<net.Socket>((resolve) => {
            const s = net.connect(controlSocketPath(dir), () => resolve(s));
            s.on('error', () => {});
          }),
      ),
    );
    try {
      const { lines } = await talk(controlSocketPath(dir), (s) => s.write(request('echo', { text: 'late' })));
      assert.deepEqual(lines.at(-1), { exit: 75 });
      assert.match(String(lines[0].stderr), /busy/);
    } finally {
      for (const s of holders) s.destroy();
    }
  });
});
