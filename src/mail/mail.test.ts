/**
 * E-mail as an administrator meets it: SMTP settings and a test button in the console, an outbox
 * that retries and never loses a mail, invitation and notification templates in the
 * organisation's colours, and the logo. A real SMTP server (smtp-server) receives what is sent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { isSealed } from '../security/sealing.js';
import { renderInvitationMail, renderNotificationMail } from './mail.templates.js';
import { Client, createTestApp, manualClock, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { freePort } from '../../test/helpers/server.js';
import { tinyPng } from '../../test/helpers/images.js';

const SMTP_USER = 'tessera';
const SMTP_PASSWORD = 'sink-password-8f2c';
const FROM = 'identity@corp.example';

interface Received {
  from: string;
  to: string[];
  raw: string;
  header(name: string): string | undefined;
}

/** A real SMTP server on 127.0.0.1 that keeps what it receives; plain text (TLS mode 'none'). */
function smtpSink(port: number) {
  const received: Received[] = [];
  let server: SMTPServer | undefined;
  return {
    received,
    async start() {
      server = new SMTPServer({
        secure: false,
        disabledCommands: ['STARTTLS'],
        authOptional: true,
        allowInsecureAuth: true,
        logger: false,
        onAuth(auth, _session, callback) {
          if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return callback(null, { user: auth.username });
          callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
        },
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
            received.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              raw,
              header: (name) => new RegExp(`^${name}: (.*)$`, 'mi').exec(head)?.[1],
            });
            callback();
          });
        },
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, '127.0.0.1', () => resolve());
      });
    },
    async stop() {
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
    },
  };
}

const MINUTE = 60_000;

describe('E-mail: SMTP settings, test e-mail, outbox with retries', () => {
  const clock = manualClock(new Date());
  let t: TestApp;
  let admin: Client;
  let port: number;
  let sink: ReturnType<typeof smtpSink>;
  const smtp = () => ({ host: '127.0.0.1', port, tls: 'none', username: SMTP_USER, from: FROM });
  /** Moving the clock by hours ends console sessions: sign in again afterwards. */
  const advance = async (ms: number) => {
    clock.advance(ms);
    admin = await signedInAdmin(t);
  };
  const mailRow = async (id: string) => (await admin.get('/api/mail?pageSize=200')).body.items.find((m: { id: string }) => m.id === id);
  const invitationMail = (to: string, link: string) => ({
    kind: 'invitation' as const,
    relatedId: crypto.randomUUID(),
    to,
    ...renderInvitationMail({
      branding: { organisationName: 'Contoso', primaryColor: '#1c7ed6', hasLogo: false },
      publicUrl: 'http://localhost:8080',
      firstName: 'Ada',
      link,
      expiresAt: new Date(clock.now().getTime() + 7 * 86_400_000),
    }),
  });

  before(async () => {
    t = await createTestApp({ clock });
    admin = await signedInAdmin(t);
    port = await freePort();
    sink = smtpSink(port);
    await sink.start();
  });
  after(async () => {
    await sink.stop();
    await t.close();
  });

  it('keeps mail pending while SMTP is not configured, and sends it once it is', async () => {
    const refused = await admin.post('/api/settings/smtp/test', { to: 'it@corp.example' });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'mail.not_configured');

    const id = await t.services.mail.enqueue(invitationMail('early@corp.example', 'http://localhost:8080/enroll/early-token'));
    assert.deepEqual(await t.services.mail.processDue(), { sent: 0, retrying: 0, failed: 0, waiting: 1 });
    const waiting = await mailRow(id);
    assert.equal(waiting.status, 'pending');
    assert.equal(waiting.attempts, 0, 'waiting for configuration spends no attempt');
    assert.equal(waiting.lastError, 'SMTP is not configured');

    const saved = await admin.patch('/api/settings', { organisationName: 'Contoso', smtp: { ...smtp(), password: SMTP_PASSWORD } });
    assert.equal(saved.status, 200, saved.raw);
    assert.equal((await t.services.mail.processDue()).sent, 1);
    const sent = await mailRow(id);
    assert.equal(sent.status, 'sent');
    assert.equal(sent.lastError, null);
    assert.ok(sent.sentAt);
    assert.deepEqual(sink.received.at(-1)!.to, ['early@corp.example']);
  });

  it('sends a test e-mail at once that the SMTP server receives, from the configured address', async () => {
    const before = sink.received.length;
    const res = await admin.post('/api/settings/smtp/test', { to: 'it-ops@corp.example' });
    assert.equal(res.status, 204, res.raw);
    assert.equal(sink.received.length, before + 1);
    const mail = sink.received.at(-1)!;
    assert.equal(mail.from, FROM);
    assert.deepEqual(mail.to, ['it-ops@corp.example']);
    assert.match(mail.header('From')!, /Contoso.*<identity@corp\.example>/);
    assert.equal(mail.header('To'), 'it-ops@corp.example');
    assert.equal(mail.header('Subject'), 'Test e-mail from Tessera');
    assert.equal(mail.header('Auto-Submitted'), 'auto-generated');
    assert.match(mail.raw, /multipart\/alternative/, 'a plain-text and an HTML part');
    const { items } = await t.services.audit.find({ action: 'mail.test_sent' }, { offset: 0, limit: 1 });
    assert.equal(items[0].outcome, 'success');
    assert.equal(items[0].actorLabel, 'root@corp.example');
  });

  it("answers 502 with the SMTP server's answer when the password is wrong, without the password", async () => {
    const wrong = 'wrong-password-41d9';
    assert.equal((await admin.patch('/api/settings', { smtp: { password: wrong } })).status, 200);
    const res = await admin.post('/api/settings/smtp/test', { to: 'it-ops@corp.example' });
    assert.equal(res.status, 502);
    assert.equal(res.body.error.code, 'mail.send_failed');
    assert.match(res.body.error.message, /535/);
    assert.match(res.body.error.message, /Authentication credentials invalid/);
    assert.ok(!res.raw.includes(wrong) && !res.raw.includes(Buffer.from(wrong).toString('base64')));
    const { items } = await t.services.audit.find({ action: 'mail.test_sent' }, { offset: 0, limit: 1 });
    assert.equal(items[0].outcome, 'failure');
    assert.match(String(items[0].details.error), /535/);
    assert.ok(!JSON.stringify(items[0]).includes(wrong));
    assert.equal((await admin.patch('/api/settings', { smtp: { password: SMTP_PASSWORD } })).status, 200);
  });

  it('refuses a test e-mail to something that is not an address', async () => {
    const res = await admin.post('/api/settings/smtp/test', { to: 'not an address' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'request.validation_failed');
  });

  it("writes a mail in the caller's transaction: rolled back together with what it is about", async () => {
    const msg = invitationMail('rolled-back@corp.example', 'http://localhost:8080/enroll/rolled-back');
    await assert.rejects(
      t.services.db.transaction(async (tx) => {
        await t.services.mail.enqueue(msg, tx);
        throw new Error('the invitation could not be saved');
      }),
    );
    const rows = await t.db.database.query('SELECT id FROM mail_outbox WHERE to_address = $1', ['rolled-back@corp.example']);
    assert.equal(rows.length, 0);
  });

  it('retries a mail the SMTP server could not take, with backoff, and delivers it when the server is back', async () => {
    await sink.stop();
    const msg = invitationMail('grace@corp.example', 'http://localhost:8080/enroll/grace-link-token');
    const id = await t.services.db.transaction((tx) => t.services.mail.enqueue(msg, tx));
    assert.deepEqual(await t.services.mail.processDue(), { sent: 0, retrying: 1, failed: 0, waiting: 0 });
    const pending = await mailRow(id);
    assert.equal(pending.status, 'pending');
    assert.equal(pending.attempts, 1);
    assert.match(pending.lastError, /ECONNREFUSED/);
    assert.equal(new Date(pending.nextAttemptAt).getTime(), clock.now().getTime() + MINUTE, 'first retry after one minute');
    assert.equal((await t.services.mail.processDue()).retrying, 0, 'not due again before its time');

    await sink.start();
    await advance(MINUTE + 1000);
    const before = sink.received.length;
    assert.equal((await t.services.mail.processDue()).sent, 1);
    const sent = await mailRow(id);
    assert.equal(sent.status, 'sent');
    assert.equal(sent.attempts, 2);
    const mail = sink.received[before];
    assert.deepEqual(mail.to, ['grace@corp.example']);
    assert.equal(mail.header('Subject'), 'Set up your Contoso sign-in');
    assert.ok(mail.raw.includes('grace-link-token'));
    assert.deepEqual(
      [...(await t.services.mail.statusForRelated([msg.relatedId]))],
      [[msg.relatedId, { status: 'sent', attempts: 2, lastError: null, sentAt: sent.sentAt }]],
    );
    const { items } = await t.services.audit.find({ action: 'mail.sent' }, { offset: 0, limit: 1 });
    assert.deepEqual(items[0].details, { to: 'grace@corp.example', subject: msg.subject, kind: 'invitation', attempts: 2 });
    assert.ok(!JSON.stringify(items[0]).includes('grace-link-token'), 'the audit log never holds the body');
  });

  it('marks a mail failed after 10 attempts, lists it, and sends it again on retry', async () => {
    await sink.stop();
    const id = await t.services.mail.enqueue(invitationMail('linus@corp.example', 'http://localhost:8080/enroll/linus'));
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 10; attempt++) {
      const result = await t.services.mail.processDue();
      assert.equal(attempt < 10 ? result.retrying : result.failed, 1, `attempt ${attempt}`);
      const row = (await t.db.database.query<{ next_attempt_at: Date }>('SELECT next_attempt_at FROM mail_outbox WHERE id = $1', [id]))[0];
      delays.push((new Date(row.next_attempt_at).getTime() - clock.now().getTime()) / MINUTE);
      clock.advance(61 * MINUTE);
    }
    assert.deepEqual(delays.slice(0, 9), [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    admin = await signedInAdmin(t);
    const failed = await admin.get('/api/mail?status=failed');
    assert.equal(failed.status, 200);
    assert.deepEqual(
      failed.body.items.map((m: { id: string }) => m.id),
      [id],
    );
    assert.equal(failed.body.items[0].attempts, 10);
    assert.match(failed.body.items[0].lastError, /ECONNREFUSED/);
    const audited = await t.services.audit.find({ action: 'mail.failed' }, { offset: 0, limit: 1 });
    assert.equal(audited.items[0].outcome, 'failure');
    assert.match(String(audited.items[0].details.error), /ECONNREFUSED/);

    await sink.start();
    const retried = await admin.post(`/api/mail/${id}/retry`);
    assert.equal(retried.status, 204, retried.raw);
    const again = await mailRow(id);
    assert.deepEqual([again.status, again.attempts], ['pending', 0]);
    assert.equal((await t.services.mail.processDue()).sent, 1);
    assert.equal((await mailRow(id)).status, 'sent');
    assert.equal((await t.services.audit.find({ action: 'mail.retried' }, { offset: 0, limit: 1 })).items[0].targetId, id);

    const twice = await admin.post(`/api/mail/${id}/retry`);
    assert.deepEqual([twice.status, twice.body.error.code], [409, 'mail.already_sent']);
    const unknown = await admin.post(`/api/mail/${crypto.randomUUID()}/retry`);
    assert.deepEqual([unknown.status, unknown.body.error.code], [404, 'mail.not_found']);
  });

  it('keeps the body sealed in the table, bound to its row', async () => {
    const id = await t.services.mail.enqueue(invitationMail('sealed@corp.example', 'http://localhost:8080/enroll/secret-link-7e1'));
    const [row] = await t.db.database.query<{ body: string }>('SELECT body FROM mail_outbox WHERE id = $1', [id]);
    assert.ok(isSealed(row.body));
    assert.ok(!row.body.includes('secret-link-7e1') && !row.body.includes('Ada'));
    assert.match(t.services.sealer.open(row.body, `mail_outbox.body:${id}`), /secret-link-7e1/);
    assert.throws(() => t.services.sealer.open(row.body, `mail_outbox.body:${crypto.randomUUID()}`));
  });

  it('pages and filters the outbox, and lets only admins see it', async () => {
    const page = await admin.get('/api/mail?page=1&pageSize=2');
    assert.equal(page.status, 200);
    assert.equal(page.body.items.length, 2);
    assert.equal(page.body.total, 4, 'early, grace, linus and sealed; the rolled-back one never existed');
    assert.ok(page.body.items.every((m: Record<string, unknown>) => !('body' in m)));
    assert.equal((await admin.get('/api/mail?status=nonsense')).status, 400);
    assert.equal((await new Client(t.app).get('/api/mail')).status, 401);
    const key = await admin.post('/api/api-keys', { name: 'reader', scope: 'read' });
    const reader = new Client(t.app, { authorization: `Bearer ${key.body.secret}` });
    assert.equal((await reader.get('/api/mail')).body.error.code, 'auth.insufficient_scope');
    assert.equal((await reader.post('/api/settings/smtp/test', { to: 'x@corp.example' })).body.error.code, 'auth.insufficient_scope');
    assert.equal((await new Client(t.app).post('/api/settings/smtp/test', { to: 'x@corp.example' })).status, 401);
  });
});

describe('E-mail: several nodes share one outbox (PostgreSQL)', () => {
  it('sends each due mail once when three nodes process the outbox at the same moment', async () => {
    const t = await createTestApp({ engine: 'postgres' });
    const port = await freePort();
    const sink = smtpSink(port);
    await sink.start();
    try {
      const admin = await signedInAdmin(t);
      await admin.patch('/api/settings', { smtp: { host: '127.0.0.1', port, tls: 'none', username: SMTP_USER, from: FROM, password: SMTP_PASSWORD } });
      for (let i = 0; i < 12; i++) {
        await t.services.mail.enqueue({ kind: 'notification', to: `n${i}@corp.example`, subject: `Notice ${i}`, text: 'x', html: '<p>x</p>' });
      }
      // Three runs at once, each on its own pooled connection, as three nodes would: none waits for
      // another's claim (SKIP LOCKED), and none takes a mail another has claimed.
      const results = await Promise.all([1, 2, 3].map(() => t.services.mail.processDue(5)));
      assert.equal(
        results.reduce((n, r) => n + r.sent, 0),
        12,
      );
      const addresses = sink.received.map((m) => m.to[0]).sort();
      assert.equal(new Set(addresses).size, addresses.length, 'no mail sent twice');
      assert.equal(addresses.length, 12);
    } finally {
      await sink.stop();
      await t.close();
    }
  });
});

describe('E-mail templates', () => {
  const branding = { organisationName: 'Contoso & Co', primaryColor: '#ffd43b', hasLogo: true };

  it('escapes names in the HTML, and includes the link, the expiry and the logo', () => {
    const mail = renderInvitationMail({
      branding,
      publicUrl: 'https://id.contoso.example/',
      firstName: '<script>alert(1)</script>',
      link: 'https://id.contoso.example/enroll/abc?x=1&y=2',
      expiresAt: '2026-03-01T12:00:00Z',
    });
    assert.equal(mail.subject, 'Set up your Contoso & Co sign-in');
    assert.ok(!mail.html.includes('<script>'));
    assert.ok(mail.html.includes('Hello &lt;script&gt;alert(1)&lt;/script&gt;,'));
    assert.ok(mail.html.includes('Contoso &amp; Co'));
    assert.ok(mail.html.includes('href="https://id.contoso.example/enroll/abc?x=1&amp;y=2"'));
    assert.ok(mail.html.includes('<img src="https://id.contoso.example/api/branding/logo"'));
    assert.ok(mail.html.includes('background:#ffd43b'), 'the button has the primary colour');
    assert.ok(mail.html.includes('color:#111111'), 'dark text on a light button');
    assert.ok(mail.text.includes('Hello <script>alert(1)</script>,'), 'the plain-text part is text, not HTML');
    assert.ok(mail.text.includes('https://id.contoso.example/enroll/abc?x=1&y=2'));
    assert.match(mail.text, /expires on Sunday 1 March 2026 at 12:00 UTC/);
  });

  it('shows the organisation name instead of a logo when there is none, and refuses odd colours and links', () => {
    const mail = renderNotificationMail({
      branding: { organisationName: 'Contoso', primaryColor: 'red;background:url(x)', hasLogo: false },
      publicUrl: 'https://id.contoso.example',
      firstName: null,
      title: 'New\r\nBcc: x@evil.example',
      paragraphs: ['A <b>new</b> sign-in.'],
      action: { label: 'Review', url: 'javascript:alert(1)' },
    });
    assert.equal(mail.subject, 'New Bcc: x@evil.example', 'a subject is one line');
    assert.ok(!mail.html.includes('<img'));
    assert.ok(!mail.html.includes('url(x)') && mail.html.includes('#1c7ed6'));
    assert.ok(!mail.html.includes('javascript:') && !mail.text.includes('javascript:'));
    assert.ok(mail.html.includes('A &lt;b&gt;new&lt;/b&gt; sign-in.'));
    assert.ok(mail.text.includes('Hello,'));
  });
});

describe('Branding and logo', () => {
  let t: TestApp;
  let admin: Client;
  const png = tinyPng();
  before(async () => {
    t = await createTestApp();
    admin = await signedInAdmin(t);
  });
  after(() => t.close());

  it('answers the branding to anyone, with the colour set in Settings', async () => {
    assert.equal((await admin.patch('/api/settings', { organisationName: 'Contoso', branding: { primaryColor: '#2b8a3e' } })).status, 200);
    const res = await new Client(t.app).get('/api/branding');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { organisationName: 'Contoso', primaryColor: '#2b8a3e', hasLogo: false, allowPasswordSignIn: false, allowPlatform: false });
    const none = await new Client(t.app).get('/api/branding/logo');
    assert.deepEqual([none.status, none.body.error.code], [404, 'request.not_found']);
  });

  it('stores an uploaded PNG and serves it publicly with its type', async () => {
    const res = await admin.request('PUT', '/api/settings/logo', { contentType: 'image/png', base64: png.toString('base64') });
    assert.equal(res.status, 204, res.raw);
    const logo = await t.app.inject({ method: 'GET', url: '/api/branding/logo' });
    assert.equal(logo.statusCode, 200);
    assert.equal(logo.headers['content-type'], 'image/png');
    assert.equal(logo.headers['cache-control'], 'public, max-age=300');
    assert.equal(logo.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual(logo.rawPayload, png);
    assert.equal((await new Client(t.app).get('/api/branding')).body.hasLogo, true);
    assert.equal((await admin.get('/api/settings')).body.branding.hasLogo, true);
  });

  it('refuses a logo whose bytes are not what its type says, one too large, and bad base64', async () => {
    const put = (body: unknown) => admin.request('PUT', '/api/settings/logo', body);
    const mislabelled = await put({ contentType: 'image/jpeg', base64: png.toString('base64') });
    assert.deepEqual([mislabelled.status, mislabelled.body.error.code], [400, 'settings.logo_invalid']);
    assert.match(mislabelled.body.error.message, /labelled image\/jpeg but its content is image\/png/);
    const big = Buffer.concat([png, Buffer.alloc(256 * 1024)]);
    const tooLarge = await put({ contentType: 'image/png', base64: big.toString('base64') });
    assert.deepEqual([tooLarge.status, tooLarge.body.error.code], [400, 'settings.logo_invalid']);
    assert.match(tooLarge.body.error.message, /257 KB; the largest accepted is 256 KB/);
    assert.equal((await put({ contentType: 'image/png', base64: 'not*base64' })).body.error.code, 'settings.logo_invalid');
    assert.equal((await put({ contentType: 'image/svg+xml', base64: png.toString('base64') })).body.error.code, 'request.validation_failed');
    assert.equal((await new Client(t.app).request('PUT', '/api/settings/logo', { contentType: 'image/png', base64: png.toString('base64') })).status, 401);
    const logo = await t.app.inject({ method: 'GET', url: '/api/branding/logo' });
    assert.deepEqual(logo.rawPayload, png, 'the refused uploads left the logo as it was');
  });

  it('removes the logo', async () => {
    assert.equal((await admin.delete('/api/settings/logo')).status, 204);
    assert.equal((await new Client(t.app).get('/api/branding/logo')).status, 404);
    assert.equal((await new Client(t.app).get('/api/branding')).body.hasLogo, false);
    const { items } = await t.services.audit.find({ action: 'settings.updated' }, { offset: 0, limit: 1 });
    assert.deepEqual(items[0].details, { changed: ['branding.logo (removed)'] });
  });
});
