/**
 * "Lost your key?" against flooding: the per-IP limit counts an IPv6 client by its /64 (one
 * subscriber line holds 2^64 addresses), and however many addresses report the same employee, the
 * admins get one mail about that employee an hour; every report stays in the audit log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliContext } from '../lib/context.js';
import { ENGINES } from '../../test/helpers/db.js';
import { createTestApp, type TestApp } from '../../test/helpers/app.js';
import { LOST_KEY_REPORTS_PER_HOUR } from './lost-key.service.js';

for (const engine of ENGINES) {
  describe(`lost-key reports against flooding (${engine})`, () => {
    let t: TestApp;
    let csrf = '';
    const report = async (email: string, remoteAddress: string) => {
      if (!csrf) {
        const res = await t.app.inject({ method: 'GET', url: '/api/auth/csrf' });
        csrf = res.cookies.find((c) => c.name === 'tessera_csrf')!.value;
      }
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/signin/lost-key',
        payload: { email },
        remoteAddress,
        headers: { cookie: `tessera_csrf=${csrf}`, 'x-csrf-token': csrf },
      });
      return { status: res.statusCode, body: res.json() };
    };
    const mailsAbout = async (id: string) =>
      Number((await t.db.database.query<{ n: number }>(`select count(*)::int as n from mail_outbox where related_id = '${id}'`))[0].n);

    before(async () => {
      t = await createTestApp({ engine });
      await t.services.admins.create(cliContext(), { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' });
      await t.services.admins.create(cliContext(), { email: 'bob.admin@corp.example', name: 'Bob Admin', password: 'Amber-thistle-58-harbour' });
    });
    after(() => t.close());

    it(`counts an IPv6 client by its /64: the ${LOST_KEY_REPORTS_PER_HOUR + 1}th report from one /64 is refused, another /64 is not`, async () => {
      for (let i = 1; i <= LOST_KEY_REPORTS_PER_HOUR; i++) assert.equal((await report('nobody@corp.example', `2001:db8:1:2::${i}`)).status, 202);
      const refused = await report('nobody@corp.example', '2001:db8:1:2:ffff:ffff:ffff:fff0');
      assert.equal(refused.status, 429, 'a new address of the same /64 has no budget of its own');
      assert.equal(refused.body.error.code, 'rate_limit.exceeded');
      assert.equal((await report('nobody@corp.example', '2001:db8:1:3::1')).status, 202, 'a neighbouring /64 is another client');
    });

    it('mails the admins once an hour about one employee however many addresses report them, and audits every report', async () => {
      const e = await t.services.employees.create(cliContext(), { email: 'grace@corp.example', firstName: 'Grace', lastName: 'Hopper' });
      for (let i = 1; i <= 12; i++) assert.equal((await report('grace@corp.example', `198.51.100.${i}`)).status, 202);
      assert.equal(await mailsAbout(e.id), 2, 'one mail to each of the two admins, not one per report');
      const { items } = await t.services.audit.find({ action: 'employee.key_lost_reported', targetId: e.id }, { offset: 0, limit: 50 });
      assert.equal(items.length, 12, 'every report is in the audit log');
      assert.equal(items.filter((i) => i.details.adminsNotified === 2).length, 1);
      assert.equal(items.filter((i) => i.details.adminsNotified === 0 && i.details.alreadyReported === true).length, 11);
      // Another employee is reported (and mailed about) on their own.
      const other = await t.services.employees.create(cliContext(), { email: 'alan@corp.example', firstName: 'Alan', lastName: 'Turing' });
      assert.equal((await report('alan@corp.example', '198.51.100.200')).status, 202);
      assert.equal(await mailsAbout(other.id), 2);
    });
  });
}
