import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pgToolConnection } from './backup.command.js';

describe('pg_dump and pg_restore connect as the server does', () => {
  it('keeps the password off the command line, wherever the URL put it', () => {
    for (const url of ['postgres://tessera:s3cr%40t@db.internal/tessera', 'postgres://tessera@db.internal/tessera?password=s3cr%40t']) {
      const c = pgToolConnection(url);
      assert.ok(!c.dbname.includes('s3cr'), `no password in ${c.dbname}`);
      assert.equal(c.env.PGPASSWORD, 's3cr@t');
    }
  });

  it('checks the server certificate wherever the server would (node-postgres reads require as verify-full; libpq would check nothing)', () => {
    for (const mode of ['require', 'prefer', 'verify-ca', 'verify-full']) {
      assert.equal(new URL(pgToolConnection(`postgres://t@db/t?sslmode=${mode}`).dbname).searchParams.get('sslmode'), 'verify-full', mode);
    }
    assert.equal(new URL(pgToolConnection('postgres://t@db/t?sslmode=no-verify').dbname).searchParams.get('sslmode'), 'require');
    const compat = new URL(pgToolConnection('postgres://t@db/t?sslmode=require&uselibpqcompat=true').dbname);
    assert.equal(compat.searchParams.get('sslmode'), 'require', "uselibpqcompat asks for libpq's own meanings");
    assert.equal(compat.searchParams.has('uselibpqcompat'), false, 'a parameter libpq does not know is not passed on');
    assert.equal(new URL(pgToolConnection('postgres://t@db/t').dbname).searchParams.has('sslmode'), false);
  });
});
