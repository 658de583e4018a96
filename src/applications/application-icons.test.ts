// Application icons as an administrator and an employee meet them, through the real application
// (inject), on PGlite and PostgreSQL: uploaded on a SAML SP, a WS-Fed RP and an OIDC client, shown
// on the portal of an employee who may open the application and on no other path; hostile uploads
// refused with nothing changed; removal audited; an application's removal takes its icon.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliContext } from '../lib/context.js';
import { ENGINES } from '../../test/helpers/db.js';
import { Client, createTestApp, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { tinyPng } from '../../test/helpers/images.js';
import { createEmployee, passkeySignIn, registerKey } from '../../test/helpers/signin.js';
import { softKeys } from '../../test/helpers/soft-authenticator.js';

const png = tinyPng();
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, ...Buffer.from('JFIF'), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]);
const b64 = (b: Buffer) => b.toString('base64');
/** The client's cookies as a header, for inject() calls that need the raw bytes of an answer. */
const cookieOf = (c: Client) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

for (const engine of ENGINES) {
  describe(`application icons (${engine})`, () => {
    let t: TestApp;
    let admin: Client;
    let employee: Client;
    let samlId: string;
    let hiddenSamlId: string;
    let wsfedId: string;
    let oidcId: string;
    const key = softKeys.yubikey();

    const portalApps = async () => {
      const res = await employee.get('/api/portal/applications');
      assert.equal(res.status, 200, res.raw);
      return new Map<string, { iconUrl: string | null }>(res.body.items.map((a: { name: string; iconUrl: string | null }) => [a.name, a]));
    };

    before(async () => {
      t = await createTestApp({ engine });
      admin = await signedInAdmin(t);
      const sp = (name: string, idpInitiated: boolean) =>
        t.services.serviceProviders.create(cliContext(), 'saml', {
          name,
          entityId: `https://${name}.sp.example/metadata`,
          acsEndpoints: [{ url: `https://${name}.sp.example/acs`, binding: 'post', index: 0, isDefault: true }],
          nameIdFormat: 'email',
          nameIdField: 'email',
          attributes: [],
          idpInitiated,
        });
      samlId = (await sp('Payroll', true)).id;
      // Reached only SP-initiated: not on the portal, so its icon is nobody's business there.
      hiddenSamlId = (await sp('Backoffice', false)).id;
      wsfedId = (
        await t.services.serviceProviders.create(cliContext(), 'wsfed', {
          name: 'Timesheets',
          entityId: 'urn:timesheets',
          acsEndpoints: [{ url: 'https://timesheets.example/wsfed', binding: 'post', index: 0, isDefault: true }],
          nameIdFormat: 'email',
          nameIdField: 'email',
          attributes: [],
          startUrl: 'https://timesheets.example/',
        })
      ).id;
      const client = await admin.post('/api/oidc/clients', {
        name: 'Intranet',
        redirectUris: ['https://intranet.example/callback'],
        initiateLoginUri: 'https://intranet.example/login',
      });
      assert.equal(client.status, 201, client.raw);
      oidcId = client.body.client.id;
      const ada = await createEmployee(t, { email: 'ada@corp.example', firstName: 'Ada', lastName: 'Lovelace' });
      await registerKey(t, ada, key, 'security_key');
      employee = new Client(t.app);
      assert.equal((await passkeySignIn(employee, key)).status, 200);
    });
    after(async () => {
      await t?.close();
    });

    it('shows no icon until one is uploaded', async () => {
      const apps = await portalApps();
      assert.deepEqual([...apps.keys()], ['Intranet', 'Payroll', 'Timesheets']);
      for (const app of apps.values()) assert.equal(app.iconUrl, null);
      assert.equal((await admin.get(`/api/saml/service-providers/${samlId}/icon`)).status, 404);
    });

    it('serves an uploaded icon to the console and to the portal, with its type and nosniff; audited', async () => {
      for (const [base, id, image, type] of [
        ['/api/saml/service-providers', samlId, png, 'image/png'],
        ['/api/wsfed/relying-parties', wsfedId, jpeg, 'image/jpeg'],
        ['/api/oidc/clients', oidcId, png, 'image/png'],
      ] as const) {
        const put = await admin.request('PUT', `${base}/${id}/icon`, { contentType: type, base64: b64(image) });
        assert.equal(put.status, 204, put.raw);
        const preview = await t.app.inject({ method: 'GET', url: `${base}/${id}/icon`, headers: { cookie: cookieOf(admin) } });
        assert.equal(preview.statusCode, 200);
        assert.deepEqual(preview.rawPayload, image);
      }
      const apps = await portalApps();
      for (const [name, image, type] of [
        ['Payroll', png, 'image/png'],
        ['Timesheets', jpeg, 'image/jpeg'],
        ['Intranet', png, 'image/png'],
      ] as const) {
        const url = apps.get(name)!.iconUrl!;
        assert.match(url, /^\/api\/portal\/applications\/[0-9a-f-]{36}\/icon\?v=\d+$/);
        const res = await t.app.inject({ method: 'GET', url, headers: { cookie: cookieOf(employee) } });
        assert.equal(res.statusCode, 200, name);
        assert.equal(res.headers['content-type'], type);
        assert.equal(res.headers['x-content-type-options'], 'nosniff');
        assert.deepEqual(res.rawPayload, image);
      }
      const { items } = await t.services.audit.find({ action: 'application.icon_set' }, { offset: 0, limit: 10 });
      assert.deepEqual(items.map((e) => [e.targetType, e.targetLabel]).sort(), [
        ['oidc_client', 'Intranet'],
        ['saml_sp', 'Payroll'],
        ['wsfed_rp', 'Timesheets'],
      ]);
      assert.deepEqual(items.find((e) => e.targetLabel === 'Payroll')!.details, { contentType: 'image/png', bytes: png.length });
    });

    it('a new icon gets a new address, so no cache shows the old one', async () => {
      const before = (await portalApps()).get('Payroll')!.iconUrl;
      await new Promise((r) => setTimeout(r, 5));
      assert.equal((await admin.request('PUT', `/api/saml/service-providers/${samlId}/icon`, { contentType: 'image/jpeg', base64: b64(jpeg) })).status, 204);
      const after = (await portalApps()).get('Payroll')!.iconUrl;
      assert.notEqual(after, before);
      const res = await t.app.inject({ method: 'GET', url: after!, headers: { cookie: cookieOf(employee) } });
      assert.deepEqual(res.rawPayload, jpeg);
    });

    it('refuses hostile uploads with a stable code and keeps the icon it had', async () => {
      const put = (body: unknown, id = samlId) => admin.request('PUT', `/api/saml/service-providers/${id}/icon`, body);
      const mislabelled = await put({ contentType: 'image/png', base64: b64(jpeg) });
      assert.deepEqual([mislabelled.status, mislabelled.body.error.code], [400, 'applications.icon_invalid']);
      assert.match(mislabelled.body.error.message, /labelled image\/png but its content is image\/jpeg/);
      const html = await put({ contentType: 'image/png', base64: b64(Buffer.from('<html><script>alert(1)</script></html>')) });
      assert.match(html.body.error.message, /not a PNG, JPEG or WebP image/);
      const tooLarge = await put({ contentType: 'image/png', base64: b64(Buffer.concat([png, Buffer.alloc(128 * 1024)])) });
      assert.deepEqual([tooLarge.status, tooLarge.body.error.code], [400, 'applications.icon_invalid']);
      assert.match(tooLarge.body.error.message, /the largest accepted is 128 KB/);
      assert.equal((await put({ contentType: 'image/png', base64: '%%%' })).body.error.code, 'applications.icon_invalid');
      assert.equal((await put({ contentType: 'image/svg+xml', base64: b64(png) })).body.error.code, 'request.validation_failed');
      assert.equal((await put({ contentType: 'image/png', base64: b64(png), extra: 1 })).body.error.code, 'request.validation_failed');
      // An application of another protocol, one that does not exist, an id that is no id.
      assert.equal((await admin.request('PUT', `/api/oidc/clients/${samlId}/icon`, { contentType: 'image/png', base64: b64(png) })).status, 404);
      assert.equal((await put({ contentType: 'image/png', base64: b64(png) }, '00000000-0000-4000-8000-000000000000')).status, 404);
      assert.equal((await put({ contentType: 'image/png', base64: b64(png) }, '..%2f..%2fsettings')).status, 400);
      // Nobody signed in, and the employee's own session, are not an administrator.
      assert.equal(
        (await new Client(t.app).request('PUT', `/api/saml/service-providers/${samlId}/icon`, { contentType: 'image/png', base64: b64(png) })).status,
        401,
      );
      const asEmployee = await employee.request('PUT', `/api/saml/service-providers/${samlId}/icon`, { contentType: 'image/png', base64: b64(png) });
      assert.ok([401, 403].includes(asEmployee.status), asEmployee.raw);
      const icon = await t.services.applicationIcons.get(samlId);
      assert.deepEqual([icon!.contentType, icon!.data], ['image/jpeg', jpeg]);
    });

    it("serves the portal only the icons of the employee's applications", async () => {
      assert.equal(
        (await admin.request('PUT', `/api/saml/service-providers/${hiddenSamlId}/icon`, { contentType: 'image/png', base64: b64(png) })).status,
        204,
      );
      const hidden = await t.app.inject({ method: 'GET', url: `/api/portal/applications/${hiddenSamlId}/icon`, headers: { cookie: cookieOf(employee) } });
      assert.equal(hidden.statusCode, 404);
      assert.equal((await new Client(t.app).get(`/api/portal/applications/${samlId}/icon`)).status, 401);
      assert.equal((await admin.get(`/api/saml/service-providers/${hiddenSamlId}/icon`)).status, 200, 'the console still previews it');
    });

    it('lets only an admin write: a read-scope API key and an employee session are refused, and an id of another protocol is 404', async () => {
      const { secret } = await t.services.apiKeys.create(cliContext(), { name: 'icon reader', scope: 'read' });
      const reader = new Client(t.app, { authorization: `Bearer ${secret}` });
      const body = { contentType: 'image/png', base64: b64(png) };
      assert.equal((await reader.request('PUT', `/api/oidc/clients/${oidcId}/icon`, body)).body.error.code, 'auth.insufficient_scope');
      assert.equal((await reader.delete(`/api/saml/service-providers/${samlId}/icon`)).body.error.code, 'auth.insufficient_scope');
      assert.equal((await employee.request('PUT', `/api/wsfed/relying-parties/${wsfedId}/icon`, body)).status, 401);
      // The SAML SP's id under the OIDC path: that registry does not have it.
      assert.equal((await admin.request('PUT', `/api/oidc/clients/${samlId}/icon`, body)).status, 404);
      assert.equal((await admin.get(`/api/wsfed/relying-parties/${samlId}/icon`)).status, 404);
      assert.equal((await admin.get('/api/oidc/clients/..%2F..%2Fsettings/icon')).status, 400);
    });

    it('removes an icon (audited), and an application removed takes its icon with it', async () => {
      assert.equal((await admin.delete(`/api/wsfed/relying-parties/${wsfedId}/icon`)).status, 204);
      assert.equal((await portalApps()).get('Timesheets')!.iconUrl, null);
      assert.equal((await admin.get(`/api/wsfed/relying-parties/${wsfedId}/icon`)).status, 404);
      assert.equal((await admin.delete(`/api/wsfed/relying-parties/${wsfedId}/icon`)).status, 204, 'removing no icon is no error');
      const { items } = await t.services.audit.find({ action: 'application.icon_removed' }, { offset: 0, limit: 10 });
      assert.deepEqual(
        items.map((e) => e.targetLabel),
        ['Timesheets'],
        'one entry: the second removal changed nothing',
      );

      assert.equal((await admin.delete(`/api/oidc/clients/${oidcId}`)).status, 204);
      assert.equal((await admin.delete(`/api/saml/service-providers/${samlId}`)).status, 204);
      assert.equal(await t.services.applicationIcons.get(oidcId), undefined);
      assert.equal(await t.services.applicationIcons.get(samlId), undefined);
    });
  });
}
