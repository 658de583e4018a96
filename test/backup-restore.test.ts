/**
 * `tessera backup` and `tessera restore`, driven as an administrator does, on each storage engine:
 * a real `tessera serve` with an employee who enrolled a passkey (a security key, as the default
 * policy asks) through an e-mailed invitation
 * is backed up while it runs; the file is restored into a fresh data folder (a fresh PostgreSQL
 * database) with the same master key, a server started on it, and the employee signs in with the
 * same passkey. Then the refusals, each leaving the target as it was: a restore over a database,
 * or onto a running server's folder; a wrong master key; a damaged, cut or foreign file; a backup
 * of a newer version. A backup whose schema is at an earlier migration is restored and migrated.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { writeBackup } from '../src/cli/backup.command.js';
import { TRAILER_BYTES } from '../src/db/backup-file.js';
import { openDatabase, type Database } from '../src/db/connection.js';
import { listMigrations, runMigrations } from '../src/db/migrate.js';
import { parseMasterKey } from '../src/security/master-key.js';
import { createSealer } from '../src/security/sealing.js';
import { createScratchPostgres, ENGINES, type Engine } from './helpers/db.js';
import { HttpClient } from './helpers/http.js';
import { freePort, runCli, startServerProcess, type ServerProcess } from './helpers/server.js';
import { smtpSink } from './helpers/smtp-sink.js';
import { softKeys } from './helpers/soft-authenticator.js';

const base = (s: ServerProcess) => `http://127.0.0.1:${s.port}`;
const origin = (s: ServerProcess) => `http://localhost:${s.port}`;
const newKeyText = () => crypto.randomBytes(32).toString('base64');

for (const engine of ENGINES) {
  describe(`tessera backup and restore on ${engine}`, () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `tessera-backup-${engine}-`));
    const sink = smtpSink();
    const servers: ServerProcess[] = [];
    const scratches: Awaited<ReturnType<typeof createScratchPostgres>>[] = [];
    const masterKey = newKeyText();
    const key = softKeys.yubikey();
    const employeeEmail = 'ada@backup.example';
    let sourceEnv: Record<string, string>;
    let smtpPort: number;
    let backupFile: string;

    /** A new place to restore into: a data folder that does not exist yet, or an empty database. */
    async function target(name: string, keyText: string | null = masterKey): Promise<Record<string, string>> {
      const dataDir = path.join(root, name);
      if (engine === 'postgres') {
        const db = await createScratchPostgres();
        scratches.push(db);
        return { DATA_DIR: dataDir, DATABASE_URL: db.url, ...(keyText ? { TESSERA_MASTER_KEY: keyText } : {}) };
      }
      // The administrator puts the master key back in the new folder before restoring.
      if (keyText) {
        fs.mkdirSync(dataDir, { mode: 0o700 });
        fs.writeFileSync(path.join(dataDir, 'master.key'), `${keyText}\n`, { mode: 0o600 });
      }
      return { DATA_DIR: dataDir };
    }

    /** What the target holds: the files of the data folder, or the tables of the database. */
    async function contents(env: Record<string, string>): Promise<string[]> {
      if (engine === 'pglite') return fs.existsSync(env.DATA_DIR) ? fs.readdirSync(env.DATA_DIR).sort() : [];
      const c = new pg.Client({ connectionString: env.DATABASE_URL });
      await c.connect();
      try {
        return (await c.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map((r) => r.t);
      } finally {
        await c.end();
      }
    }

    /** Runs SQL on a target's database while no server runs on it. */
    async function sql<T>(env: Record<string, string>, text: string): Promise<T[]> {
      if (engine === 'postgres') {
        const c = new pg.Client({ connectionString: env.DATABASE_URL });
        await c.connect();
        try {
          return (await c.query(text)).rows as T[];
        } finally {
          await c.end();
        }
      }
      const db = await PGlite.create(path.join(env.DATA_DIR, 'pglite'));
      try {
        return (await db.query(text)).rows as T[];
      } finally {
        await db.close();
      }
    }

    async function restoreRefused(file: string, env: Record<string, string>, code: string, args: string[] = []) {
      const before = await contents(env);
      const res = await runCli(['restore', file, ...args], env);
      assert.notEqual(res.code, 0, `restore should be refused:\n${res.stdout}${res.stderr}`);
      assert.match(res.stderr, new RegExp(`\\(${code.replace('.', '\\.')}\\)`), `expected ${code}:\n${res.stderr}`);
      assert.match(res.stderr, /Nothing was written/, res.stderr);
      assert.deepEqual(await contents(env), before, 'a refused restore wrote nothing');
      return res;
    }

    /** The employee's passkey sign-in on a server: the verify answer. */
    async function signIn(s: ServerProcess) {
      const c = new HttpClient(base(s));
      const start = await c.post('/api/signin/webauthn/options', { email: employeeEmail });
      assert.equal(start.status, 200, start.text);
      return c.post('/api/signin/webauthn/verify', {
        ceremonyId: start.json.ceremonyId,
        response: key.authenticate(start.json.options, { origin: origin(s) }),
      });
    }

    before(async () => {
      smtpPort = await freePort();
      await sink.start(smtpPort);
      sourceEnv = { DATA_DIR: path.join(root, 'source') };
      if (engine === 'postgres') {
        const db = await createScratchPostgres();
        scratches.push(db);
        sourceEnv = { ...sourceEnv, DATABASE_URL: db.url, TESSERA_MASTER_KEY: masterKey };
      } else {
        fs.mkdirSync(sourceEnv.DATA_DIR, { mode: 0o700 });
        fs.writeFileSync(path.join(sourceEnv.DATA_DIR, 'master.key'), `${masterKey}\n`, { mode: 0o600 });
      }
    });

    after(async () => {
      for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) await s.stop('SIGKILL');
      await sink.stop();
      for (const db of scratches) await db.drop();
      fs.rmSync(root, { recursive: true, force: true });
    });

    it('backs up a running server and restores it elsewhere, where the employee signs in with the same passkey', { timeout: 400_000 }, async () => {
      // --- The source: first admin, mail to the sink, an employee invited who enrols a passkey.
      const source = await startServerProcess(sourceEnv);
      servers.push(source);
      const admin = new HttpClient(base(source));
      const setup = await admin.post('/api/setup', {
        token: source.setupToken(),
        email: 'owner@backup.example',
        name: 'Olga Owner',
        password: 'correct horse battery staple 42',
      });
      assert.equal(setup.status, 200, setup.text);
      const smtp = await admin.patch('/api/settings', { smtp: { host: '127.0.0.1', port: smtpPort, tls: 'none', from: 'identity@backup.example' } });
      assert.equal(smtp.status, 200, smtp.text);
      const employee = await admin.post('/api/employees', { email: employeeEmail, firstName: 'Ada', lastName: 'Lovelace' });
      assert.equal(employee.status, 201, employee.text);
      const invite = await admin.post(`/api/employees/${employee.json.id}/invitations`, {});
      assert.equal(invite.status, 201, invite.text);
      const { body } = await sink.waitForMail((m) => m.to.includes(employeeEmail), 'the invitation');
      const token = /\/enroll\?token=([A-Za-z0-9_-]+)/.exec(body)?.[1];
      assert.ok(token, `no enrolment link in the invitation:\n${body}`);
      const enrolClient = new HttpClient(base(source));
      const options = await enrolClient.post(`/api/enroll/${token}/webauthn/options`, { kind: 'security_key' });
      assert.equal(options.status, 200, options.text);
      const enrolled = await enrolClient.post(`/api/enroll/${token}/webauthn/verify`, {
        ceremonyId: options.json.ceremonyId,
        response: key.register(options.json.options, { origin: origin(source) }),
      });
      assert.equal(enrolled.status, 200, enrolled.text);
      const onSource = await signIn(source);
      assert.equal(onSource.status, 200, onSource.text);
      assert.equal(onSource.json.employee.email, employeeEmail);

      // --- The backup, while the server serves.
      backupFile = path.join(root, 'tessera.backup');
      const made = await runCli(['backup', '--out', backupFile], sourceEnv);
      assert.equal(made.code, 0, made.stdout + made.stderr);
      assert.match(made.stdout, new RegExp(`Backed up the ${engine === 'pglite' ? 'embedded' : 'PostgreSQL'} database`), made.stdout);
      assert.match(made.stdout, /schema at migration \d{4}_\w+/, made.stdout);
      assert.equal(fs.statSync(backupFile).mode & 0o777, 0o600, 'the backup is of mode 0600');
      assert.deepEqual(
        fs.readdirSync(root).filter((f) => f.includes('partial')),
        [],
        'no temporary file is left',
      );
      if (engine === 'pglite') assert.match(source.output(), /"command":"backup".*control command started/, 'the running server took the backup');
      // The server still serves: the copy was taken between its transactions.
      assert.equal((await signIn(source)).status, 200);
      const again = await runCli(['backup', '--out', backupFile], sourceEnv);
      assert.equal(again.code, 2, 'a backup never replaces a file');
      assert.match(again.stderr, /already exists/);

      // --- Restored elsewhere, a server started on it: the same passkey signs in.
      const restoredEnv = await target('restored');
      const restored = await runCli(['restore', backupFile], restoredEnv);
      assert.equal(restored.code, 0, restored.stdout + restored.stderr);
      assert.match(restored.stdout, /The master key in use opened its secrets \(checked on \w+\.\w+\)/, restored.stdout);
      const copy = await startServerProcess(restoredEnv);
      servers.push(copy);
      const onCopy = await signIn(copy);
      assert.equal(onCopy.status, 200, onCopy.text);
      assert.equal(onCopy.json.employee.email, employeeEmail, 'the restored server signs the same employee in with the same passkey');

      // --- A restore onto it is refused while it runs, and over its database without --replace.
      if (engine === 'pglite') await restoreRefused(backupFile, restoredEnv, 'backup.server_running');
      else await restoreRefused(backupFile, restoredEnv, 'backup.target_not_empty');
      await copy.stop('SIGTERM');
      await restoreRefused(backupFile, restoredEnv, 'backup.target_not_empty');

      // --- Both sides audited; the restored audit log still verifies.
      await source.stop('SIGTERM');
      const sourceAudit = await sql<{ action: string }>(sourceEnv, `SELECT action FROM audit_events WHERE action = 'database.backed_up'`);
      assert.equal(sourceAudit.length, 1, 'the backup is audited where it was made');
      const restoredAudit = await sql<{ action: string; details: { migrationsApplied: string[] } }>(
        restoredEnv,
        `SELECT action, details FROM audit_events WHERE action = 'database.restored'`,
      );
      assert.equal(restoredAudit.length, 1, 'the restore is audited in the restored database');
      const verify = await runCli(['audit', 'verify'], restoredEnv);
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    });

    it('refuses a wrong or missing master key, and writes nothing', { timeout: 120_000 }, async () => {
      assert.ok(backupFile, 'the round trip made a backup');
      await restoreRefused(backupFile, await target('wrong-key', newKeyText()), 'backup.wrong_master_key');
      await restoreRefused(backupFile, await target('no-key', null), 'backup.no_master_key');
    });

    if (engine === 'postgres')
      it('without pg_dump or pg_restore, says which package to install, and writes nothing', { timeout: 120_000 }, async () => {
        assert.ok(backupFile, 'the round trip made a backup');
        const noTools = { PATH: path.join(root, 'no-such-bin') };
        const out = path.join(root, 'without-pg-dump.backup');
        const made = await runCli(['backup', '--out', out], { ...sourceEnv, ...noTools });
        assert.equal(made.code, 1, made.stdout + made.stderr);
        assert.match(made.stderr, /pg_dump was not found on PATH: .*postgresql-client.*\(backup\.pg_dump_missing\)/, made.stderr);
        assert.equal(fs.existsSync(out), false, 'no backup file');
        assert.deepEqual(
          fs.readdirSync(root).filter((f) => f.includes('partial')),
          [],
          'no temporary file is left',
        );
        const env = await target('without-pg-restore');
        const res = await runCli(['restore', backupFile], { ...env, ...noTools });
        assert.equal(res.code, 1, res.stdout + res.stderr);
        assert.match(res.stderr, /pg_restore was not found on PATH: .*postgresql-client.*\(backup\.pg_restore_missing\)/, res.stderr);
        assert.deepEqual(await contents(env), [], 'nothing was restored');
      });

    it('refuses a damaged, cut or foreign file, and writes nothing', { timeout: 120_000 }, async () => {
      assert.ok(backupFile, 'the round trip made a backup');
      const bytes = fs.readFileSync(backupFile);
      const damaged = path.join(root, 'damaged.backup');
      const flipped = Buffer.from(bytes);
      flipped[Math.floor(flipped.length / 2)] ^= 0xff;
      fs.writeFileSync(damaged, flipped);
      const cut = path.join(root, 'cut.backup');
      fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 1000));
      const foreign = path.join(root, 'notes.txt');
      fs.writeFileSync(foreign, 'not a backup at all\n');
      // Forged: a byte of the data changed and the checksum made again, as anyone can; the
      // signature (HMAC under a key derived from the master key) cannot be made again.
      const text = bytes.toString('latin1');
      const manifestEnd = text.indexOf('\n', text.indexOf('\n') + 1) + 1;
      const trailerAt = bytes.length - TRAILER_BYTES;
      const forgedBody = Buffer.from(bytes.subarray(0, trailerAt));
      forgedBody[manifestEnd + 100] ^= 0x01;
      const trailer = bytes.subarray(trailerAt).toString('latin1').split(' ');
      const sha = crypto
        .createHash('sha256')
        .update(forgedBody.subarray(text.indexOf('\n') + 1))
        .digest('hex');
      const forged = path.join(root, 'forged.backup');
      fs.writeFileSync(forged, Buffer.concat([forgedBody, Buffer.from([trailer[0], sha, trailer[2], trailer[3]].join(' '), 'latin1')]));
      // An unsigned file of the earlier format.
      const manifestLine = text.slice(text.indexOf('\n') + 1, manifestEnd);
      const unsigned = path.join(root, 'unsigned.backup');
      fs.writeFileSync(
        unsigned,
        Buffer.concat([
          Buffer.from(text.slice(0, text.indexOf('\n') + 1) + manifestLine.replace('"formatVersion":2', '"formatVersion":1'), 'latin1'),
          bytes.subarray(manifestEnd),
        ]),
      );
      const env = await target('damaged');
      await restoreRefused(damaged, env, 'backup.damaged');
      await restoreRefused(cut, env, 'backup.damaged');
      await restoreRefused(foreign, env, 'backup.not_a_backup');
      await restoreRefused(forged, env, 'backup.not_authentic');
      await restoreRefused(unsigned, env, 'backup.unsigned');
    });

    it("restores an older version's backup and migrates it; refuses a newer version's", { timeout: 240_000 }, async () => {
      const all = listMigrations();
      const earlier = all[all.length - 5].tag;
      const key = parseMasterKey(masterKey);
      // An earlier Tessera's database: migrated only up to `earlier`, one secret sealed in it.
      const { database, drop } = await earlierDatabase(engine, earlier);
      const secret = `smtp-${crypto.randomBytes(8).toString('hex')}`;
      const sealed = createSealer(key).seal(secret, 'settings:smtp.password');
      await database.query(`INSERT INTO settings (key, value) VALUES ('smtp.password', $1::jsonb)`, [JSON.stringify(sealed)]);
      const older = path.join(root, 'older.backup');
      const newer = path.join(root, 'newer.backup');
      try {
        for (const [file, manifest] of [
          [older, {}],
          [newer, { migration: '9999_from_a_later_version', tesseraVersion: '99.0.0' }],
        ] as const) {
          const fd = fs.openSync(file, 'wx', 0o600);
          await writeBackup(database, {
            masterKey: key,
            databaseUrl: engine === 'postgres' ? (database as Database & { url?: string }).url : undefined,
            manifest,
            write: async (chunk) => {
              fs.writeSync(fd, chunk);
            },
          });
          fs.closeSync(fd);
        }
      } finally {
        await database.close();
      }
      await drop();

      await restoreRefused(newer, await target('from-newer'), 'backup.newer_version');

      const env = await target('from-older');
      const res = await runCli(['restore', older], env);
      assert.equal(res.code, 0, res.stdout + res.stderr);
      assert.match(res.stdout, new RegExp(`schema at migration ${earlier}`), res.stdout);
      assert.match(res.stdout, /checked on settings\.value/, 'a sealed value of the backup was opened');
      const later = all.slice(all.length - 4).map((m) => m.tag);
      assert.match(res.stdout, new RegExp(`Migrated it to this version's schema: ${later.join(', ')}\\.`), res.stdout);
      const tags = (await sql<{ tag: string }>(env, 'SELECT tag FROM schema_migrations')).map((r) => r.tag).sort();
      assert.deepEqual(tags, all.map((m) => m.tag).sort(), 'the restored database is at the current schema');
      const [row] = await sql<{ value: string }>(env, `SELECT value FROM settings WHERE key = 'smtp.password'`);
      assert.equal(createSealer(key).open(row.value, 'settings:smtp.password'), secret, 'the restored secret opens with the same key');
    });
  });

  /** A database as an earlier Tessera left it: migrated up to `upTo` only. */
  async function earlierDatabase(engine: Engine, upTo: string): Promise<{ database: Database & { url?: string }; drop(): Promise<void> }> {
    if (engine === 'pglite') {
      // No template: the build's template is migrated already; an earlier version's started empty (initdb).
      const database = await openDatabase({ dataDir: '', inMemory: true });
      await runMigrations(database, { upTo });
      return { database, drop: async () => {} };
    }
    const scratch = await createScratchPostgres();
    const database = Object.assign(await openDatabase({ databaseUrl: scratch.url, dataDir: '' }), { url: scratch.url });
    await runMigrations(database, { upTo });
    return { database, drop: () => scratch.drop() };
  }
}
