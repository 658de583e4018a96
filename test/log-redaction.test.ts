/**
 * Nothing sensitive in the log of a real `tessera serve` process (on PostgreSQL, so that the test
 * can make a query fail from outside): the first-run setup token and an invitation token, used in
 * request URLs as the links do, are redacted in the request log; a failed query is logged with its
 * SQL and without its parameters (the e-mail address and names it carried).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { masterKeyFromBytes } from '../src/security/master-key.js';
import { createSealer } from '../src/security/sealing.js';
import { createScratchPostgres } from './helpers/db.js';
import { HttpClient } from './helpers/http.js';
import { startServerProcess, type ServerProcess } from './helpers/server.js';

describe('log redaction (real server process on PostgreSQL)', { timeout: 120_000 }, () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-logs-'));
  const masterKey = crypto.randomBytes(32);
  let scratch: Awaited<ReturnType<typeof createScratchPostgres>>;
  let server: ServerProcess | undefined;

  async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    const c = new pg.Client({ connectionString: scratch.url });
    await c.connect();
    try {
      return (await c.query(text, params)).rows as T[];
    } finally {
      await c.end();
    }
  }

  before(async () => {
    scratch = await createScratchPostgres();
  });
  after(async () => {
    if (server && server.child.exitCode === null) await server.stop('SIGKILL');
    await scratch?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs neither the tokens of request URLs nor the parameters of a failed query', async () => {
    server = await startServerProcess({ DATA_DIR: dataDir, DATABASE_URL: scratch.url, TESSERA_MASTER_KEY: masterKey.toString('base64'), LOG_LEVEL: 'info' });
    const base = `http://127.0.0.1:${server.port}`;
    const setupToken = server.setupToken();
    assert.ok(setupToken, 'the setup link is printed');

    // The first-run link, opened as a page, then used.
    const page = await fetch(`${base}/setup?token=${setupToken}`, { headers: { accept: 'text/html' } });
    await page.arrayBuffer();
    const admin = new HttpClient(base);
    const setup = await admin.post('/api/setup', {
      token: setupToken,
      email: 'owner@logs.example',
      name: 'Olga Owner',
      password: `Correct horse ${crypto.randomBytes(6).toString('hex')}`,
    });
    assert.equal(setup.status, 200, setup.text);

    // An invitation, its link read from its (sealed) mail as the mail worker would.
    const employee = await admin.post('/api/employees', { email: 'grace@logs.example', firstName: 'Grace', lastName: 'Hopper' });
    assert.equal(employee.status, 201, employee.text);
    const invitation = await admin.post(`/api/employees/${employee.json.id}/invitations`);
    assert.equal(invitation.status, 201, invitation.text);
    const [mail] = await sql<{ id: string; body: string }>('SELECT id, body FROM mail_outbox WHERE related_id = $1', [invitation.json.id]);
    const { text } = JSON.parse(createSealer(masterKeyFromBytes(masterKey)).open(mail.body, `mail_outbox.body:${mail.id}`)) as { text: string };
    const inviteToken = /\/enroll\?token=([A-Za-z0-9_-]+)/.exec(text)?.[1];
    assert.ok(inviteToken, 'the mail holds the link');

    const employeePage = await fetch(`${base}/enroll?token=${inviteToken}`, { headers: { accept: 'text/html' } });
    await employeePage.arrayBuffer();
    const browser = new HttpClient(base);
    assert.equal((await browser.get(`/api/enroll/${inviteToken}`)).status, 200);
    assert.equal((await browser.post(`/api/enroll/${inviteToken}/webauthn/options`, { kind: 'security_key' })).status, 200);
    assert.equal((await browser.get(`/api/%65nroll/${inviteToken}`)).status, 200, 'an encoded path reaches the same route');

    // A query that fails in the database: a trigger refuses this one employee.
    const marker = `Marker${crypto.randomBytes(6).toString('hex')}`;
    const email = `forced.${marker.toLowerCase()}@logs.example`;
    await sql(`CREATE FUNCTION tessera_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.last_name = '${marker}' THEN RAISE EXCEPTION 'refused by the test trigger'; END IF; RETURN NEW; END $$`);
    await sql('CREATE TRIGGER tessera_test_refuse BEFORE INSERT ON employees FOR EACH ROW EXECUTE FUNCTION tessera_test_refuse()');
    const failed = await admin.post('/api/employees', { email, firstName: 'Forced', lastName: marker });
    assert.equal(failed.status, 500, failed.text);
    assert.ok(!failed.text.includes(marker), 'the answer has no details');

    await server.stop('SIGTERM');
    const output = server.output();
    // The log shows the requests and the failure…
    assert.match(output, /"url":"\/api\/enroll\/\[redacted\]\/webauthn\/options"/);
    assert.match(output, /"url":"\/setup\?token=\[redacted\]"/);
    assert.match(output, /"url":"\/enroll\?token=\[redacted\]"/);
    assert.match(output, /Failed query: insert into \\"employees\\"/);
    assert.match(output, /params: \[redacted\]/);
    assert.match(output, /refused by the test trigger/);
    // …and none of the secrets: the setup token only in the banner that prints the link.
    const lines = output.split('\n');
    assert.deepEqual(
      lines.filter((l) => l.includes(inviteToken)),
      [],
      'the invitation token is logged',
    );
    assert.deepEqual(
      lines.filter((l) => l.includes(setupToken) && !l.startsWith(`  ${server!.url}/setup?token=`)),
      [],
      'the setup token is logged',
    );
    assert.deepEqual(
      lines.filter((l) => l.includes(marker) || l.includes(marker.toLowerCase())),
      [],
      'a parameter of the failed query is logged',
    );
  });
});
