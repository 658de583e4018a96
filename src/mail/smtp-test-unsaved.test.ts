/**
 * The console's "Send test e-mail" tests what the form holds, not only what is saved: unsaved SMTP
 * settings in the body reach a real SMTP server (smtp-server), a blank password field uses the
 * saved password, nothing is saved, and the password is neither answered nor audited.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { ENGINES } from '../../test/helpers/db.js';
import { Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { freePort } from '../../test/helpers/server.js';

const USER = 'tessera';
const PASSWORD = 'sink-password-31ab';

/** Plain-text SMTP on 127.0.0.1 that checks one user's password and keeps the envelopes it accepts. */
async function authSink(port: number) {
  const received: { from: string; to: string[] }[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _s, cb) {
      if (auth.username === USER && auth.password === PASSWORD) return cb(null, { user: USER });
      cb(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      stream.resume();
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) });
        cb();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { received, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

for (const engine of ENGINES) {
  describe(`SMTP test e-mail with the form's unsaved settings (${engine})`, () => {
    let t: TestApp;
    let admin: Client;
    let port: number;
    let sink: Awaited<ReturnType<typeof authSink>>;

    before(async () => {
      t = await createTestApp({ engine });
      admin = await signedInAdmin(t);
      port = await freePort();
      sink = await authSink(port);
    });
    after(async () => {
      await sink.stop();
      await t.close();
    });

    it('sends with unsaved settings and a typed password, and saves none of them', async () => {
      const before = (await admin.get('/api/settings')).body.smtp;
      const form = { host: '127.0.0.1', port, tls: 'none', username: USER, from: 'unsaved@corp.example', password: PASSWORD };
      const res = await admin.post('/api/settings/smtp/test', { to: 'it@corp.example', smtp: form });
      assert.equal(res.status, 204, res.raw);
      assert.deepEqual(sink.received.at(-1), { from: 'unsaved@corp.example', to: ['it@corp.example'] });
      assert.deepEqual((await admin.get('/api/settings')).body.smtp, before, 'the saved settings are unchanged');
      const { items } = await t.services.audit.find({ action: 'mail.test_sent' }, { offset: 0, limit: 1 });
      assert.equal(items[0].details.unsaved, true);
      assert.equal(items[0].details.password, 'typed');
      assert.ok(!JSON.stringify(items[0]).includes(PASSWORD), 'the password is not audited');
    });

    it('uses the saved password when the form leaves it blank, and reports a refused one without echoing it', async () => {
      assert.equal(
        (
          await admin.patch('/api/settings', {
            smtp: { host: '127.0.0.1', port, tls: 'none', username: USER, from: 'saved@corp.example', password: PASSWORD },
          })
        ).status,
        200,
      );
      const count = sink.received.length;
      const blank = await admin.post('/api/settings/smtp/test', {
        to: 'it@corp.example',
        smtp: { host: '127.0.0.1', port, tls: 'none', username: USER, from: 'form@corp.example' },
      });
      assert.equal(blank.status, 204, blank.raw);
      assert.equal(sink.received.length, count + 1);
      assert.equal(sink.received.at(-1)!.from, 'form@corp.example');
      const wrong = 'typed-wrong-password-55';
      const refused = await admin.post('/api/settings/smtp/test', {
        to: 'it@corp.example',
        smtp: { host: '127.0.0.1', port, tls: 'none', username: USER, from: 'form@corp.example', password: wrong },
      });
      assert.equal(refused.status, 502);
      assert.equal(refused.body.error.code, 'mail.send_failed');
      assert.match(refused.body.error.message, /535/);
      assert.ok(!refused.raw.includes(wrong) && !refused.raw.includes(PASSWORD));
      const saved = (await admin.get('/api/settings')).body.smtp;
      assert.equal(saved.host, '127.0.0.1', 'still the saved host');
      assert.deepEqual(saved.password, { set: true });
      const missing = await admin.post('/api/settings/smtp/test', {
        to: 'it@corp.example',
        smtp: { host: null, port: null, tls: 'none', username: null, from: null },
      });
      assert.equal(missing.status, 409);
      assert.equal(missing.body.error.message, 'Enter the SMTP host and the from address to send a test e-mail');
      assert.equal((await new Client(t.app).post('/api/settings/smtp/test', { to: 'it@corp.example', smtp: { ...saved, password: undefined } })).status, 401);
    });

    it('never sends the saved password to another server or user: a blank password with a changed host must be typed again', async () => {
      const saved = { host: '127.0.0.1', port, tls: 'none', username: USER, from: 'saved@corp.example' };
      assert.equal((await admin.patch('/api/settings', { smtp: { ...saved, password: PASSWORD } })).status, 200);
      // The attacker's server: it accepts any password and keeps it.
      const attackerPort = await freePort();
      const captured: string[] = [];
      const attacker = new SMTPServer({
        secure: false,
        disabledCommands: ['STARTTLS'],
        authOptional: true,
        allowInsecureAuth: true,
        logger: false,
        onAuth(auth, _s, cb) {
          captured.push(String(auth.password));
          cb(null, { user: auth.username });
        },
        onData(stream, _s, cb) {
          stream.resume();
          stream.on('end', () => cb());
        },
      });
      await new Promise<void>((resolve) => attacker.listen(attackerPort, '127.0.0.1', () => resolve()));
      try {
        const count = sink.received.length;
        for (const moved of [{ host: 'localhost', port: attackerPort }, { port: attackerPort }, { username: 'someone-else' }, { host: 'localhost' }]) {
          const res = await admin.post('/api/settings/smtp/test', { to: 'it@corp.example', smtp: { ...saved, ...moved } });
          assert.equal(res.status, 400, `${JSON.stringify(moved)}: ${res.raw}`);
          assert.equal(res.body.error.code, 'mail.password_required');
          assert.equal(res.body.error.details[0].path, 'body.smtp.password');
          assert.match(res.body.error.details[0].message, /enter the SMTP password again/i);
        }
        assert.deepEqual(captured, [], 'the saved password never reached another server');
        assert.equal(sink.received.length, count, 'nothing was sent');
        // Saving the move without the password is refused the same way: the next mail would carry it there.
        for (const moved of [{ host: 'localhost', port: attackerPort }, { username: 'someone-else' }, { tls: 'none' as const, port: attackerPort }]) {
          const res = await admin.patch('/api/settings', { smtp: moved });
          assert.equal(res.status, 400, `save ${JSON.stringify(moved)}: ${res.raw}`);
          assert.equal(res.body.error.code, 'settings.smtp_password_required');
          assert.equal(res.body.error.details[0].path, 'body.smtp.password');
        }
        assert.equal((await admin.get('/api/settings')).body.smtp.host, '127.0.0.1', 'nothing saved');
        assert.equal(
          (await admin.patch('/api/settings', { smtp: { from: 'other@corp.example' } })).status,
          200,
          'a change that moves nothing needs no password',
        );
        // Typed again, the same change is tested; with no user, no password is needed.
        const typed = await admin.post('/api/settings/smtp/test', {
          to: 'it@corp.example',
          smtp: { ...saved, host: 'localhost', port: attackerPort, password: 'typed-for-the-new-server' },
        });
        assert.equal(typed.status, 204, typed.raw);
        assert.deepEqual(captured, ['typed-for-the-new-server']);
        const anonymous = await admin.post('/api/settings/smtp/test', {
          to: 'it@corp.example',
          smtp: { ...saved, host: 'localhost', port: attackerPort, username: null },
        });
        assert.equal(anonymous.status, 204, anonymous.raw);
        assert.equal(captured.length, 1);
      } finally {
        await new Promise<void>((resolve) => attacker.close(() => resolve()));
      }
    });
  });
}
