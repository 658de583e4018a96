import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateDomainPassword } from '../password.service.js';
import { encodeUnicodePwd, entryToUser, escapeFilterValue, guidToString, sidToString } from './ad-mapping.js';

describe('AD attribute mapping', () => {
  it('writes objectGUID as AD tools show it (first three fields little-endian, MS-DTYP §2.3.4.2)', () => {
    const bytes = Buffer.from('0c7ca015c612b545ba9ac0974e36ad5c', 'hex');
    assert.equal(guidToString(bytes), '15a07c0c-12c6-45b5-ba9a-c0974e36ad5c');
  });

  it('maps a user entry, and userAccountControl ACCOUNTDISABLE to enabled=false', () => {
    const u = entryToUser({
      dn: 'CN=a,DC=x',
      objectGUID: Buffer.alloc(16, 1),
      sAMAccountName: 'alice',
      userPrincipalName: 'alice@x',
      mail: 'a@x',
      givenName: 'Alice',
      sn: 'A',
      displayName: '',
      department: 'IT',
      title: 'Eng',
      telephoneNumber: '+1',
      company: 'X',
      userAccountControl: '514',
    });
    assert.equal(u.username, 'alice');
    assert.equal(u.enabled, false);
    assert.equal(u.displayName, null, 'an empty attribute is absent');
    assert.equal(u.phone, '+1');
  });

  it('escapes filter values (RFC 4515 §3) and encodes unicodePwd as quoted UTF-16LE', () => {
    assert.equal(escapeFilterValue('a*(b)\\'), 'a\\2a\\28b\\29\\5c');
    assert.deepEqual(encodeUnicodePwd('Ab1!'), Buffer.from('"Ab1!"', 'utf16le'));
  });

  it('generates passwords with upper, lower, digit and symbol (AD complexity)', () => {
    for (let i = 0; i < 200; i++) {
      const p = generateDomainPassword();
      assert.equal(p.length, 24);
      for (const re of [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/]) assert.match(p, re);
    }
  });

  it('writes a binary objectSid in its string form (MS-DTYP 2.4.2): authority big-endian, sub-authorities little-endian', () => {
    // S-1-5-21-1004336348-1177238915-682003330-512 (a Domain Admins SID from Microsoft's examples)
    const sid = Buffer.from('010500000000000515000000dcf4dc3b833d2b46828ba62800020000', 'hex');
    assert.equal(sidToString(sid), 'S-1-5-21-1004336348-1177238915-682003330-512');
    assert.throws(() => sidToString(sid.subarray(0, 20)), /not a SID/);
  });
});
