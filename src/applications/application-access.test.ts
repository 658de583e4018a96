// Application assignment as an administrator and employees meet it, over HTTP against a started
// server, on PGlite and PostgreSQL: an OIDC client, a SAML SP and a WS-Fed RP restricted to a
// directory group let its member in and refuse anyone else in each protocol's own form (OIDC
// access_denied at the redirect URI, SAML Responder/RequestDenied to the registered ACS, WS-Fed a
// page and no token), audited with sso.not_assigned; department and employee grants; the portal
// lists only what the employee may open; bad ids get 400 with the field; back to everyone opens
// it; removing the application removes its grants.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliContext } from '../lib/context.js';
import { domainCreate } from '../directory/directory.schemas.js';
import { replaceDirectoryMemberships, syncDirectoryGroups } from '../groups/group.repository.js';
import { Browser, employeeWithKey, pkce, registerClient, signIn, startOidcApp, type OidcTestApp } from '../../test/helpers/oidc.js';
import { ENGINES } from '../../test/helpers/db.js';
import { type Client, signedInAdmin, type TestApp } from '../../test/helpers/app.js';
import { parsePostForm } from '../../test/helpers/saml.js';

const REDIRECT = 'http://127.0.0.1:9/cb';
const ACS = 'https://payroll.sp.example/acs';
const REPLY = 'https://mail.corp.example/owa/';

for (const engine of ENGINES) {
  describe(`application assignment (${engine})`, { timeout: 180_000 }, () => {
    let t: OidcTestApp;
    let admin: Client;
    let oidcId = '';
    let clientId = '';
    let samlId = '';
    let wsfedId = '';
    let groupId = '';
    const realm = `urn:owa:assign:${engine}`;

    before(async () => {
      t = await startOidcApp({ engine });
      admin = await signedInAdmin(t as unknown as TestApp);
      const client = (await registerClient(t, { name: 'Wiki', redirectUris: [REDIRECT], initiateLoginUri: 'https://wiki.example/login' } as never)).client;
      oidcId = client.id;
      clientId = client.clientId;
      samlId = (
        await t.services.serviceProviders.create(cliContext(), 'saml', {
          name: 'Payroll',
          entityId: `https://payroll-${engine}.sp.example/metadata`,
          acsEndpoints: [{ url: ACS, binding: 'post', index: 0, isDefault: true }],
          nameIdFormat: 'email',
          nameIdField: 'email',
          attributes: [],
          idpInitiated: true,
        } as never)
      ).id;
      wsfedId = (
        await t.services.serviceProviders.create(cliContext(), 'wsfed', {
          name: 'Exchange',
          entityId: realm,
          preset: 'exchange',
          tokenType: 'saml20',
          acsEndpoints: [{ url: REPLY }],
          startUrl: REPLY,
        } as never)
      ).id;
      // A directory group, as a sync stores it.
      const domain = await t.services.domains.create(
        cliContext(),
        domainCreate.parse({
          kind: 'ad',
          name: 'corp.example.test',
          secret: 'service-account-password',
          passwordChangeDays: 30,
          settings: { urls: ['ldaps://127.0.0.1:1'], bindUser: 'svc-tessera@corp.example.test' },
        }),
      );
      const ids = await syncDirectoryGroups(t.services.db, domain.id, [{ externalId: 'guid-finance', name: 'Finance' }], { prune: false });
      groupId = ids.get('guid-finance')!;
    });
    after(async () => {
      await t?.close();
    });

    const authorize = () =>
      `/oidc/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid email', redirect_uri: REDIRECT, code_challenge: pkce().challenge, code_challenge_method: 'S256', state: 'st' })}`;
    const setAccess = (protocol: string, id: string, body: Record<string, unknown>) => admin.request('PUT', `/api/applications/${protocol}/${id}/access`, body);
    const restrictAll = async (grants: { groups?: string[]; departments?: string[]; employees?: string[] }) => {
      for (const [protocol, id] of [
        ['oidc', oidcId],
        ['saml', samlId],
        ['wsfed', wsfedId],
      ]) {
        const res = await setAccess(protocol, id, { mode: 'assigned', ...grants });
        assert.equal(res.status, 200, res.raw);
      }
    };
    async function signedIn() {
      const { employee, key } = await employeeWithKey(t);
      const browser = new Browser(t.url);
      await signIn(t, browser, key);
      return { employee, browser };
    }
    const reasons = async (action: 'oidc.sign_in_refused' | 'saml.sign_in_refused' | 'wsfed.sign_in_refused', employeeId: string) =>
      (await t.services.audit.find({ action }, { offset: 0, limit: 100 })).items
        .filter((e) => e.actorId === employeeId)
        .map((e) => (e.details as Record<string, unknown>).code ?? (e.details as Record<string, unknown>).reason);

    /** What each protocol answers the browser's employee: 'in' (a code, an assertion, a token) or 'refused' in its own form. */
    async function tryAll(browser: Browser) {
      const oidc = new URL((await browser.follow(authorize())).location);
      assert.equal(oidc.origin + oidc.pathname, REDIRECT);
      const oidcResult = oidc.searchParams.get('code') ? 'in' : oidc.searchParams.get('error');

      const saml = await browser.follow(`/saml/start/${samlId}`);
      const form = parsePostForm(await saml.res.text());
      assert.equal(form.action, ACS, 'the answer goes to the registered ACS');
      const response = Buffer.from(form.fields.SAMLResponse, 'base64').toString();
      const samlResult = /<saml:Assertion|<saml2?:Assertion|Assertion /.test(response)
        ? 'in'
        : /status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:RequestDenied"/.test(response)
          ? 'RequestDenied'
          : response;

      const ws = await browser.follow(`/wsfed?wa=wsignin1.0&wtrealm=${encodeURIComponent(realm)}&wreply=${encodeURIComponent(REPLY)}`);
      const page = await ws.res.text();
      const wsResult =
        ws.res.status === 200 && /name="wresult"/.test(page)
          ? 'in'
          : ws.res.status === 403 && /sso\.not_assigned/.test(page) && !/wresult/.test(page)
            ? 'page'
            : `${ws.res.status} ${page.slice(0, 200)}`;
      return { oidc: oidcResult, saml: samlResult, wsfed: wsResult };
    }
    const IN = { oidc: 'in', saml: 'in', wsfed: 'in' };
    const REFUSED = { oidc: 'access_denied', saml: 'RequestDenied', wsfed: 'page' };
    const portalNames = async (browser: Browser) => {
      const res = await browser.api('GET', '/api/portal/applications');
      assert.equal(res.status, 200, res.text);
      return (res.json.items as { name: string }[]).map((a) => a.name).sort();
    };

    it('opens an application to every employee by default', async () => {
      for (const [protocol, id] of [
        ['oidc', oidcId],
        ['saml', samlId],
        ['wsfed', wsfedId],
      ]) {
        const res = await admin.get(`/api/applications/${protocol}/${id}/access`);
        assert.equal(res.status, 200, res.raw);
        assert.deepEqual(res.body, { mode: 'everyone', groups: [], departments: [], employees: [] });
      }
      const { browser } = await signedIn();
      assert.deepEqual(await tryAll(browser), IN);
      assert.deepEqual(await portalNames(browser), ['Exchange', 'Payroll', 'Wiki']);
    });

    it('lets a member of the assigned group in and refuses anyone else in each protocol, audited; back to everyone opens it', async () => {
      await restrictAll({ groups: [groupId] });
      const got = await admin.get(`/api/applications/saml/${samlId}/access`);
      assert.deepEqual(
        got.body.groups.map((g: { id: string; name: string }) => [g.id, g.name]),
        [[groupId, 'Finance']],
      );
      const changed = (await t.services.audit.find({ action: 'application.access_changed' }, { offset: 0, limit: 100 })).items.find(
        (e) => e.targetId === samlId,
      );
      assert.ok(changed, 'the change is audited');
      assert.deepEqual(changed.details, {
        before: { mode: 'everyone', groups: [], departments: [], employees: [] },
        after: { mode: 'assigned', groups: [groupId], departments: [], employees: [] },
      });

      const member = await signedIn();
      const domainId = (await t.services.domains.list())[0].id;
      await replaceDirectoryMemberships(t.services.db, domainId, member.employee.id, [groupId]);
      const outsider = await signedIn();

      assert.deepEqual(await tryAll(member.browser), IN);
      assert.deepEqual(await portalNames(member.browser), ['Exchange', 'Payroll', 'Wiki']);

      assert.deepEqual(await tryAll(outsider.browser), REFUSED);
      assert.deepEqual(await portalNames(outsider.browser), []);
      assert.deepEqual(await reasons('oidc.sign_in_refused', outsider.employee.id), ['sso.not_assigned']);
      assert.deepEqual(await reasons('saml.sign_in_refused', outsider.employee.id), ['sso.not_assigned']);
      assert.deepEqual(await reasons('wsfed.sign_in_refused', outsider.employee.id), ['sso.not_assigned']);

      // The icon path of the portal follows the same list: nothing to fetch for an outsider.
      assert.equal((await outsider.browser.api('GET', `/api/portal/applications/${samlId}/icon`)).status, 404);

      // Leaving the group closes it again; going back to everyone opens it to all.
      await replaceDirectoryMemberships(t.services.db, domainId, member.employee.id, []);
      assert.deepEqual(await tryAll(member.browser), REFUSED);
      for (const [protocol, id] of [
        ['oidc', oidcId],
        ['saml', samlId],
        ['wsfed', wsfedId],
      ])
        assert.equal((await setAccess(protocol, id, { mode: 'everyone' })).status, 200);
      assert.deepEqual(await tryAll(outsider.browser), IN);
      assert.deepEqual(await portalNames(outsider.browser), ['Exchange', 'Payroll', 'Wiki']);
    });

    it('grants by department and by employee, and refuses once assigned to nobody', async () => {
      const company = await t.services.organisation.createCompany(cliContext(), `Corp ${engine}`);
      const department = await t.services.organisation.createDepartment(cliContext(), company.id, 'Accounting');
      const accountant = await signedIn();
      await t.services.employees.update(cliContext(), accountant.employee.id, { companyId: company.id, departmentId: department.id });
      const chosen = await signedIn();
      const other = await signedIn();
      await restrictAll({ departments: [department.id], employees: [chosen.employee.id] });

      assert.deepEqual(await tryAll(accountant.browser), IN);
      assert.deepEqual(await tryAll(chosen.browser), IN);
      assert.deepEqual(await tryAll(other.browser), REFUSED);
      const view = (await admin.get(`/api/applications/oidc/${oidcId}/access`)).body;
      assert.deepEqual(
        view.departments.map((d: { name: string }) => d.name),
        ['Accounting'],
      );
      assert.deepEqual(
        view.employees.map((e: { detail: string }) => e.detail),
        [chosen.employee.email],
      );

      // Assigned with no one listed: nobody.
      await restrictAll({});
      assert.deepEqual(await tryAll(chosen.browser), REFUSED);
      await restrictAll({ employees: [chosen.employee.id] });
      assert.deepEqual(await tryAll(chosen.browser), IN);
    });

    it('refuses ids that name nothing with 400 and the field, and changes nothing', async () => {
      const before = (await admin.get(`/api/applications/wsfed/${wsfedId}/access`)).body;
      const unknown = '00000000-0000-4000-8000-000000000000';
      for (const field of ['groups', 'departments', 'employees']) {
        const res = await setAccess('wsfed', wsfedId, { mode: 'assigned', [field]: [unknown] });
        assert.equal(res.status, 400, res.raw);
        assert.equal(res.body.error.code, 'applications.access_target_unknown');
        assert.deepEqual(res.body.error.details, { field, unknown: [unknown] });
      }
      for (const bad of [{ mode: 'some' }, { mode: 'assigned', groups: ['not-a-uuid'] }, { mode: 'assigned', extra: 1 }]) {
        const res = await setAccess('wsfed', wsfedId, bad);
        assert.equal(res.status, 400, res.raw);
        assert.ok(res.body.error.code);
      }
      assert.equal((await setAccess('wsfed', unknown, { mode: 'everyone' })).status, 404);
      assert.deepEqual((await admin.get(`/api/applications/wsfed/${wsfedId}/access`)).body, before);
    });

    it('finds groups, departments and employees to pick, and drops an application’s grants with it', async () => {
      const fin = await admin.get('/api/applications/access-targets?q=fin');
      assert.equal(fin.status, 200, fin.raw);
      assert.ok(fin.body.items.some((i: { kind: string; id: string }) => i.kind === 'group' && i.id === groupId));
      const acc = await admin.get('/api/applications/access-targets?q=accounting');
      assert.ok(acc.body.items.some((i: { kind: string; name: string }) => i.kind === 'department' && i.name === 'Accounting'));
      const people = await admin.get('/api/applications/access-targets?q=katherine');
      assert.ok(people.body.items.some((i: { kind: string }) => i.kind === 'employee'));

      assert.equal((await setAccess('saml', samlId, { mode: 'assigned', groups: [groupId] })).status, 200);
      assert.equal((await admin.delete(`/api/saml/service-providers/${samlId}`)).status, 204);
      assert.deepEqual(await t.services.applicationAccess.get(samlId), { mode: 'everyone', groups: [], departments: [], employees: [] });
    });
  });
}
