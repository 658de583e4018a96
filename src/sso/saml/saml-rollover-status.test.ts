// The coming signing-certificate rollover, as the admin API reports it to the console: the
// certificate's expiry, the next key's publish and activation dates, and a warning when the
// certificate expires within 30 days with no next key. Also pins that the metadata's validUntil
// follows the signing certificate, before and after a rollover.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, createTestApp, manualClock, signedInAdmin, type TestApp } from '../../../test/helpers/app.js';

const DAY = 86_400_000;
const validUntilOf = (xml: string) => Date.parse(/<md:EntityDescriptor [^>]*validUntil="([^"]+)"/.exec(xml)![1]);

describe('SAML signing-certificate rollover status', () => {
  const clock = manualClock(new Date());
  let t: TestApp;
  let admin: Client;
  const status = async () => {
    t.services.samlKeys.refresh();
    // The clock jumps years: sign in afresh, as the admin would, rather than keep an expired session.
    admin = await signedInAdmin(t);
    const res = await admin.get('/api/saml/idp');
    assert.equal(res.status, 200, res.raw);
    return res.body.rollover as { currentExpiresAt: string; next: { publishedAt: string; activatesAt: string } | null; isRolloverDue: boolean };
  };

  before(async () => {
    t = await createTestApp({ clock });
  });
  after(async () => {
    await t?.close();
  });

  it('refuses the rollover status to a caller who is not signed in as an admin', async () => {
    const res = await new Client(t.app).get('/api/saml/idp');
    assert.equal(res.status, 401, res.raw);
  });

  it("reports the signing certificate's expiry, no next key, and no warning on a fresh server; metadata lasts as long as the certificate", async () => {
    const s = await status();
    assert.equal(s.next, null);
    assert.equal(s.isRolloverDue, false);
    const expires = Date.parse(s.currentExpiresAt);
    assert.ok(expires > clock.now().getTime() + 9 * 365 * DAY, `a ten-year certificate, got ${s.currentExpiresAt}`);
    const md = await t.app.inject({ method: 'GET', url: '/saml/metadata' });
    assert.equal(validUntilOf(md.body), Math.floor(expires / 1000) * 1000, 'validUntil is the signing certificate notAfter');
    assert.match(md.body, /cacheDuration="PT24H"/);
  });

  it('warns when the certificate expires within 30 days and no next key is published', async () => {
    const expires = Date.parse((await status()).currentExpiresAt);
    clock.set(new Date(expires - 31 * DAY));
    assert.equal((await status()).isRolloverDue, false, '31 days before expiry: not yet');
    clock.set(new Date(expires - 20 * DAY));
    const s = await status();
    assert.equal(s.isRolloverDue, true);
    assert.equal(s.next, null);
  });

  it('a rollover shows the next key published now and signing after the lead time, and clears the warning', async () => {
    const publishedAt = clock.now().getTime();
    admin = await signedInAdmin(t);
    const rolled = await admin.post('/api/saml/keys/rollover', { leadDays: 7, overlapDays: 3 });
    assert.equal(rolled.status, 200, rolled.raw);
    const s = await status();
    assert.equal(s.isRolloverDue, false);
    assert.ok(s.next);
    assert.equal(Date.parse(s.next.publishedAt), publishedAt);
    assert.equal(Date.parse(s.next.activatesAt), publishedAt + 7 * DAY);
    const next = rolled.body.keys.find((k: { isActive: boolean }) => !k.isActive);
    assert.equal(Date.parse(next.publishedAt), publishedAt, 'the key list carries the publish date too');

    // Once the next key signs, it is the current one: a fresh ten-year expiry, nothing pending.
    clock.advance(8 * DAY);
    const after = await status();
    assert.equal(after.next, null);
    assert.equal(after.isRolloverDue, false);
    assert.ok(Date.parse(after.currentExpiresAt) > clock.now().getTime() + 9 * 365 * DAY);
    const md = await t.app.inject({ method: 'GET', url: '/saml/metadata' });
    assert.equal(
      validUntilOf(md.body),
      Math.floor(Date.parse(after.currentExpiresAt) / 1000) * 1000,
      'metadata now lasts as long as the new signing certificate',
    );
  });
});
