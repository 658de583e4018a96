// A server full of realistic data and the list of every page of the console and the employee pages,
// for the layout test (test/layout.e2e.test.ts) and the screenshot script (scripts/screenshots.ts).
// Everything is seeded the way people and agents do it: over the API of a real server process, and
// the employee enrolls a security key from the invitation mail in Chromium.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import ts from 'typescript';
import { packageRoot } from '../../src/lib/package-root.js';
import { addVirtualAuthenticator, assertChromiumInstalled, type BrowserSession, ensureConsoleBuilt, launchBrowser, newSession } from './browser.js';
import { HttpClient } from './http.js';
import { freePort, type ServerProcess, startServerProcess, stopServerProcess } from './server.js';
import { smtpSink } from './smtp-sink.js';
import { enrollSoftwareAgent } from './software-agent.js';

export const ADMIN = { email: 'ada.lovelace-byron@headquarters.acme-widgets.example', name: 'Ada Lovelace-Byron', password: 'Quiet-lantern-73-orchard' };
/** An admin who must still set up TOTP (for /login/totp-setup). */
const NEW_ADMIN = { email: 'new.admin@acme-widgets.example', name: 'Newly Appointed Administrator', password: 'Second-lantern-84-harbour' };
/** Signs in to the portal: long name and e-mail, the worst case for a phone. */
export const EMPLOYEE = {
  email: 'maximiliana.konstantinopoulou-wetherington@research.acme-widgets.example',
  firstName: 'Maximiliana',
  lastName: 'Konstantinopoulou-Wetherington',
};
/** Invited and not enrolled yet (her link is the /enroll page). */
const INVITEE = { email: 'bartholomew.featherstonehaugh@finance.acme-widgets.example', firstName: 'Bartholomew', lastName: 'Featherstonehaugh' };
const OTHERS = [
  { email: 'grace.hopper@acme-widgets.example', firstName: 'Grace', lastName: 'Hopper' },
  { email: 'alan.turing@acme-widgets.example', firstName: 'Alan', lastName: 'Turing', status: 'disabled' },
  { email: 'katherine.johnson@acme-widgets.example', firstName: 'Katherine', lastName: 'Johnson' },
];
const HOST = 'WS-FINANCE-LONDON-0042';
const GROUP_NAME = 'Finance approvers (London and Edinburgh)';

export type Viewport = { name: 'desktop' | 'phone'; width: number; height: number };
export const VIEWPORTS: Viewport[] = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

/** Who opens a page: the signed-in admin, the signed-in employee, or a browser with no session. */
export type Visitor = 'admin' | 'employee' | 'anonymous' | 'admin-enrolling-totp';

export interface ShowcasePage {
  /** The route it stands for, as the router spells it (with the parent's path in front). */
  route: string;
  app: 'console' | 'portal';
  visitor: Visitor;
  /** What of the route it shows, when a route has several pages. */
  what?: string;
  /** The address to open, from the ids of what was seeded. */
  url: string | ((ids: SeededIds) => string);
  /** The level-1 heading the page shows once it is ready. */
  heading: string | RegExp;
  /** A file name for its screenshot when it is one of the main pages. */
  screenshot?: string;
}

type SeededIds = Awaited<ReturnType<typeof seed>> & { invitation: string };

export interface Showcase {
  server: ServerProcess;
  browser: Browser;
  api: HttpClient;
  /** The address of a page of PAGES on this server. */
  urlOf(page: ShowcasePage): string;
  /** One signed-in page per visitor, reused for every page (the viewport is set per visit). */
  session(visitor: Visitor): Promise<BrowserSession>;
  close(): Promise<void>;
}

/**
 * The routes of a react-router route table in a .tsx file, parent paths joined to their children's,
 * following `...spread` of route arrays imported from another file. '/' for an index route at the top.
 */
export function routesOf(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const imports = new Map<string, string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !statement.importClause?.namedBindings || !ts.isNamedImports(statement.importClause.namedBindings)) continue;
    const from = (statement.moduleSpecifier as ts.StringLiteral).text;
    if (!from.startsWith('.')) continue;
    for (const element of statement.importClause.namedBindings.elements) imports.set(element.name.text, path.resolve(path.dirname(file), `${from}.tsx`));
  }
  const join = (parent: string, child: string) => (child.startsWith('/') ? child : `${parent.replace(/\/$/, '')}/${child}`);
  const routes: string[] = [];
  const walkArray = (array: ts.ArrayLiteralExpression, parent: string) => {
    for (const element of array.elements) {
      if (ts.isSpreadElement(element) && ts.isIdentifier(element.expression)) {
        const other = imports.get(element.expression.text);
        assert.ok(other, `the route table spreads ${element.expression.text}, imported from a file this parser finds`);
        for (const r of routesOf(other)) routes.push(join(parent, r.replace(/^\//, '')));
      } else if (ts.isObjectLiteralExpression(element)) {
        const prop = (name: string) =>
          element.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === name)?.initializer;
        const own = prop('path');
        const here = own && ts.isStringLiteral(own) ? join(parent, own.text) : parent;
        if (prop('index')?.kind === ts.SyntaxKind.TrueKeyword || (own && ts.isStringLiteral(own))) routes.push(here || '/');
        const children = prop('children');
        if (children && ts.isArrayLiteralExpression(children)) walkArray(children, here);
      }
    }
  };
  const visit = (node: ts.Node) => {
    // The top array: createBrowserRouter([...]) or `export const x: RouteObject[] = [...]`.
    if (ts.isCallExpression(node) && node.expression.getText() === 'createBrowserRouter' && ts.isArrayLiteralExpression(node.arguments[0])) {
      walkArray(node.arguments[0], '/');
      return;
    }
    if (ts.isVariableDeclaration(node) && node.initializer && ts.isArrayLiteralExpression(node.initializer) && node.type?.getText() === 'RouteObject[]') {
      walkArray(node.initializer, '');
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return routes;
}

/** Every route of the console and of the employee pages, from their routers. */
export function allRoutes(): { console: string[]; portal: string[] } {
  const root = packageRoot();
  return { console: routesOf(path.join(root, 'web/src/console/router.tsx')), portal: routesOf(path.join(root, 'web/src/portal/router.tsx')) };
}

async function ok<T extends { status: number; text: string }>(what: string, res: Promise<T>, ...statuses: number[]): Promise<T> {
  const answer = await res;
  assert.ok((statuses.length ? statuses : [200, 201]).includes(answer.status), `${what}: ${answer.status} ${answer.text.slice(0, 500)}`);
  return answer;
}

/** Starts the server, the SMTP sink and Chromium, seeds the data, and signs the visitors in. */
export async function startShowcase(): Promise<Showcase> {
  assertChromiumInstalled();
  await ensureConsoleBuilt();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-showcase-'));
  const sink = smtpSink();
  const smtpPort = await freePort();
  const [started, launched, sunk] = await Promise.allSettled([startServerProcess({ DATA_DIR: dataDir }), launchBrowser(), sink.start(smtpPort)]);
  const server = started.status === 'fulfilled' ? started.value : undefined;
  const browser = launched.status === 'fulfilled' ? launched.value : undefined;
  const sessions = new Map<Visitor, BrowserSession>();
  const close = async () => {
    await browser?.close().catch(() => undefined);
    await stopServerProcess(server).catch(() => undefined);
    await sink.stop().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    for (const result of [started, launched, sunk]) if (result.status === 'rejected') throw result.reason;
    assert.ok(server && browser);
    const api = new HttpClient(server.url);
    const token = server.setupToken();
    assert.ok(token, `no setup link printed:\n${server.output()}`);
    await ok('setup', api.post('/api/setup', { token, ...ADMIN }));
    await ok(
      'settings',
      api.patch('/api/settings', {
        organisationName: 'Acme Widgets International Holdings',
        smtp: { host: '127.0.0.1', port: smtpPort, tls: 'none', from: 'identity@acme-widgets.example' },
      }),
    );
    const ids = await seed(api, server.url);

    const session = async (visitor: Visitor): Promise<BrowserSession> => {
      const known = sessions.get(visitor);
      if (known) return known;
      const s = await newSession(browser, { baseURL: server.url, viewport: VIEWPORTS[0] });
      sessions.set(visitor, s);
      await addVirtualAuthenticator(s.context, s.page, 'usb');
      if (visitor === 'admin') await adminSignIn(s.page, ADMIN);
      if (visitor === 'employee') await enrollEmployee(s.page, api, sink, ids.employee, server.url);
      return s;
    };
    // The invitee's link (her invitation stays open: the page is only looked at).
    await ok('invite', api.post(`/api/employees/${ids.invitee}/invitations`, {}));
    const { body } = await sink.waitForMail((m) => m.to.includes(INVITEE.email), 'the invitation mail reaches the SMTP sink');
    const invitation = /\/enroll\?token=[A-Za-z0-9_-]{43}/.exec(body)?.[0];
    assert.ok(invitation, 'the invitation mail links to /enroll');

    return {
      server,
      browser,
      api,
      urlOf: (page) => (typeof page.url === 'string' ? page.url : page.url({ ...ids, invitation })),
      async session(visitor) {
        if (visitor === 'admin-enrolling-totp') {
          // A fresh sign-in each time: the half-signed-in state ends with the enrolment.
          sessions.get(visitor)?.context.close();
          sessions.delete(visitor);
          await ok('require TOTP', api.patch('/api/settings', { requireAdminTotp: true }));
          try {
            const s = await session(visitor);
            await adminSignIn(s.page, NEW_ADMIN, '/login/totp-setup');
            // Settled before the rule is lifted again: the page has asked for its TOTP secret.
            await s.page.getByRole('heading', { name: 'Set up two-factor authentication', level: 1 }).waitFor();
            await s.page.waitForLoadState('networkidle');
            return s;
          } finally {
            await ok('TOTP optional again', api.patch('/api/settings', { requireAdminTotp: false }));
          }
        }
        return session(visitor);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function adminSignIn(page: Page, who: { email: string; password: string }, landing = '/') {
  await page.goto('/login');
  await page.getByLabel('Email', { exact: true }).fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.pathname === landing);
}

async function enrollEmployee(page: Page, api: HttpClient, sink: ReturnType<typeof smtpSink>, employeeId: string, base: string) {
  await ok('invite', api.post(`/api/employees/${employeeId}/invitations`, {}));
  const { body } = await sink.waitForMail((m) => m.to.includes(EMPLOYEE.email), 'the invitation mail reaches the SMTP sink');
  const link = /\/enroll\?token=[A-Za-z0-9_-]{43}/.exec(body)?.[0];
  assert.ok(link, 'the invitation mail links to /enroll');
  await page.goto(base + link);
  await page.getByRole('button', { name: 'Use a security key' }).click();
  await page.getByRole('heading', { name: "You're all set", level: 1 }).waitFor({ timeout: 20_000 });
}

/** The data every page shows; answers the ids the page addresses need. */
async function seed(api: HttpClient, base: string) {
  const company = (await ok('company', api.post('/api/companies', { name: 'Acme Widgets International Holdings plc' }))).json.id as string;
  const department = (await ok('department', api.post(`/api/companies/${company}/departments`, { name: 'Research and Development (Cambridge)' }))).json
    .id as string;
  await ok('department', api.post(`/api/companies/${company}/departments`, { name: 'Finance' }));
  const position = (await ok('position', api.post('/api/positions', { name: 'Principal Reliability Engineer' }))).json.id as string;
  const org = { companyId: company, departmentId: department, positionId: position };
  const employee = (await ok('employee', api.post('/api/employees', { ...EMPLOYEE, ...org, phone: '+44 20 7946 0101' }))).json.id as string;
  const invitee = (await ok('invitee', api.post('/api/employees', { ...INVITEE, companyId: company }))).json.id as string;
  const others: string[] = [];
  for (const o of OTHERS) others.push((await ok('employee', api.post('/api/employees', { ...o, ...org }))).json.id);

  const group = (await ok('group', api.post('/api/groups', { name: GROUP_NAME, description: 'May approve payments above the single-signature limit' }))).json
    .id as string;
  await ok('members', api.post(`/api/groups/${group}/members`, { employeeIds: [employee, invitee, ...others] }));
  await ok('group', api.post('/api/groups', { name: 'Helpdesk', description: 'First line' }));
  // Audit forwarding: a disabled destination with long settings (a long URL and action list), so the table shows a row.
  await ok(
    'audit destination',
    api.post('/api/audit/destinations', {
      kind: 'splunk',
      name: 'Splunk (security operations centre, London)',
      enabled: false,
      settings: { url: 'https://splunk-hec.security-operations.acme-widgets.example:8088', index: 'identity_audit' },
      secret: 'showcase-hec-token-00000000',
      filter: { actions: ['admin.', 'directory.*', 'employee.sign_in', 'workstation.'], outcome: 'any' },
    }),
  );

  await ok(
    'oidc client',
    api.post('/api/oidc/clients', {
      name: 'Company wiki (Outline)',
      redirectUris: ['https://wiki.acme-widgets.example/auth/oidc.callback'],
      initiateLoginUri: 'https://wiki.acme-widgets.example/',
    }),
  );
  await ok(
    'saml sp',
    api.post('/api/saml/service-providers', {
      name: 'GitLab self-managed',
      entityId: 'https://gitlab.acme-widgets.example',
      preset: 'gitlab',
      acsEndpoints: [{ url: 'https://gitlab.acme-widgets.example/users/auth/saml/callback' }],
    }),
  );
  await ok(
    'wsfed rp',
    api.post('/api/wsfed/relying-parties', {
      name: 'Outlook on the web (Exchange)',
      entityId: 'https://mail.acme-widgets.example/owa/',
      acsEndpoints: [{ url: 'https://mail.acme-widgets.example/owa/', binding: 'post', index: 0, isDefault: true }],
    }),
  );
  await ok('api key', api.post('/api/api-keys', { name: 'HR system nightly import (Workday)', scope: 'admin' }));
  await ok('api key', api.post('/api/api-keys', { name: 'SIEM reader', scope: 'read' }));
  await ok(
    'domain',
    api.post('/api/directory/domains', {
      kind: 'ad',
      name: 'corp.acme-widgets.example',
      secret: 'service-account-password',
      passwordChangeDays: 30,
      settings: { urls: ['ldaps://127.0.0.1:1'], bindUser: 'svc-tessera@corp.acme-widgets.example' },
    }),
  );

  const profile = (
    await ok('workstation profile', api.post('/api/workstation-profiles', { name: 'Shared kiosks on the trading floor', unlockMethods: ['security_key'] }))
  ).json.id as string;
  const secret = (
    await ok(
      'enrolment token',
      api.post('/api/workstation-enrolment-tokens', { name: 'Finance laptops rollout, spring', maxUses: 25, autoApprove: true, profileId: profile }),
    )
  ).json.secret as string;
  await ok('enrolment token', api.post('/api/workstation-enrolment-tokens', { name: 'Reception desk' }));
  const agent = await enrollSoftwareAgent(base, { token: secret, hostname: HOST, audience: base });
  const now = Date.now();
  const events = ['logon', 'lock', 'unlock'].map((type, i) => ({
    id: `layout-event-${i}-${now}`,
    type,
    at: new Date(now - (3 - i) * 60_000).toISOString(),
    account: `ACME\\${EMPLOYEE.email.split('@')[0]}`,
    method: 'security_key',
    sessionId: 'console-1',
  }));
  const posted = await fetch(`${base}/api/agent/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await agent.assertion()}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  assert.ok(posted.status < 300, `agent events: ${posted.status} ${await posted.text()}`);

  await ok(
    'access profile',
    api.post('/api/access-profiles', { name: 'Kiosk keys: touch only, re-authenticate every 15 minutes', userVerificationRequired: false, reauthMinutes: 15 }),
  );
  const csv = [
    'serial,model,aaguid',
    'YK5-LONDON-000123,YubiKey 5 NFC,ee882879-721c-4913-9775-3dfcce97072a',
    'YK5-LONDON-000124,YubiKey 5 NFC,ee882879-721c-4913-9775-3dfcce97072a',
    'FEITIAN-EDI-9001,Feitian ePass K9,',
  ].join('\n');
  await ok('key import', api.post('/api/hardware-keys/import', { csv }));
  const keys = (await ok('keys', api.get('/api/hardware-keys?q=YK5-LONDON-000123'))).json.items as { id: string; serial: string }[];
  const hardwareKey = keys.find((k) => k.serial === 'YK5-LONDON-000123')!.id;
  await ok(
    'reserve',
    api.post(`/api/hardware-keys/${hardwareKey}/transitions`, { to: 'reserved', reason: 'Issued at the London office', employeeId: invitee }),
  );

  await ok('template', api.post('/api/vault/templates', { name: 'GitHub Enterprise', urls: ['https://github.com/login'], loginHint: 'your GitHub user name' }));
  await ok(
    'shared account',
    api.post('/api/vault/shared-accounts', {
      name: 'Company social media (LinkedIn page)',
      urls: ['https://www.linkedin.com/company/acme-widgets-international-holdings/admin/'],
      login: 'social-media-team@acme-widgets.example',
      password: 'Shared-Pass-1!vq-long-enough',
      assignments: { employeeIds: [employee] },
    }),
  );
  await ok('admin', api.post('/api/admins', NEW_ADMIN));
  return { employee, invitee, group, workstation: agent.workstationId, hardwareKey };
}

/** Every page, with who opens it; the layout test checks this list against the routers. */
export const PAGES: ShowcasePage[] = [
  { route: '/setup', app: 'console', visitor: 'anonymous', url: '/setup', heading: /./ },
  { route: '/login', app: 'console', visitor: 'anonymous', url: '/login', heading: /sign in/i },
  { route: '/login/totp-setup', app: 'console', visitor: 'admin-enrolling-totp', url: '/login/totp-setup', heading: 'Set up two-factor authentication' },
  { route: '/', app: 'console', visitor: 'admin', url: '/', heading: 'Dashboard', screenshot: 'console-dashboard' },
  { route: '/employees', app: 'console', visitor: 'admin', url: '/employees', heading: 'Employees', screenshot: 'console-employees' },
  {
    route: '/employees/:id',
    app: 'console',
    visitor: 'admin',
    url: (ids) => `/employees/${ids.employee}`,
    heading: `${EMPLOYEE.firstName} ${EMPLOYEE.lastName}`,
    screenshot: 'console-employee',
  },
  { route: '/groups', app: 'console', visitor: 'admin', url: '/groups', heading: 'Groups' },
  { route: '/groups/:id', app: 'console', visitor: 'admin', url: (ids) => `/groups/${ids.group}`, heading: GROUP_NAME },
  { route: '/workstations', app: 'console', visitor: 'admin', url: '/workstations', heading: 'Workstations' },
  { route: '/workstations/tokens', app: 'console', visitor: 'admin', url: '/workstations/tokens', heading: 'Workstations' },
  { route: '/workstations/profiles', app: 'console', visitor: 'admin', url: '/workstations/profiles', heading: 'Workstations' },
  { route: '/workstations/sessions', app: 'console', visitor: 'admin', url: '/workstations/sessions', heading: 'Workstations' },
  { route: '/workstations/events', app: 'console', visitor: 'admin', url: '/workstations/events', heading: 'Workstations' },
  { route: '/workstations/summaries', app: 'console', visitor: 'admin', url: '/workstations/summaries', heading: 'Workstations' },
  { route: '/workstations/emergency', app: 'console', visitor: 'admin', url: '/workstations/emergency', heading: 'Workstations' },
  { route: '/workstations/:id', app: 'console', visitor: 'admin', url: (ids) => `/workstations/${ids.workstation}`, heading: HOST },
  { route: '/hardware-keys', app: 'console', visitor: 'admin', url: '/hardware-keys', heading: 'Hardware keys', screenshot: 'console-hardware-keys' },
  { route: '/hardware-keys/profiles', app: 'console', visitor: 'admin', url: '/hardware-keys/profiles', heading: 'Hardware keys' },
  { route: '/hardware-keys/:id', app: 'console', visitor: 'admin', url: (ids) => `/hardware-keys/${ids.hardwareKey}`, heading: /YK5-LONDON-000123/ },
  { route: '/vault', app: 'console', visitor: 'admin', url: '/vault', heading: 'Vault' },
  { route: '/vault/templates', app: 'console', visitor: 'admin', url: '/vault/templates', heading: 'Vault' },
  { route: '/organisation', app: 'console', visitor: 'admin', url: '/organisation', heading: 'Organisation' },
  { route: '/admins', app: 'console', visitor: 'admin', url: '/admins', heading: 'Admins' },
  { route: '/api-keys', app: 'console', visitor: 'admin', url: '/api-keys', heading: 'API keys' },
  { route: '/audit', app: 'console', visitor: 'admin', url: '/audit', heading: 'Audit log', screenshot: 'console-audit' },
  { route: '/audit/forwarding', app: 'console', visitor: 'admin', url: '/audit/forwarding', heading: 'Audit forwarding' },
  { route: '/entra-passkeys', app: 'console', visitor: 'admin', url: '/entra-passkeys', heading: /Entra/ },
  { route: '/settings', app: 'console', visitor: 'admin', url: '/settings', heading: 'Settings', screenshot: 'console-settings' },
  { route: '/settings/domains', app: 'console', visitor: 'admin', url: '/settings/domains', heading: 'Domains' },
  { route: '/oidc-clients', app: 'console', visitor: 'admin', url: '/oidc-clients', heading: 'OIDC clients' },
  { route: '/saml', app: 'console', visitor: 'admin', url: '/saml', heading: /SAML/, screenshot: 'console-saml' },
  { route: '/profile', app: 'console', visitor: 'admin', url: '/profile', heading: /profile/i },
  { route: '/*', app: 'console', visitor: 'admin', url: '/no-such-page', heading: /not found/i },
  { route: '/signin', app: 'portal', visitor: 'anonymous', url: '/signin', heading: /sign in/i, screenshot: 'portal-signin' },
  {
    route: '/enroll',
    app: 'portal',
    visitor: 'anonymous',
    what: 'an invitation',
    url: (ids) => ids.invitation,
    heading: `Welcome, ${INVITEE.firstName}`,
    screenshot: 'portal-enroll',
  },
  {
    route: '/enroll',
    app: 'portal',
    visitor: 'anonymous',
    what: 'key activation',
    url: '/enroll',
    heading: 'Activate your security key',
    screenshot: 'portal-activate-key',
  },
  { route: '/portal', app: 'portal', visitor: 'employee', url: '/portal', heading: `Hello, ${EMPLOYEE.firstName}`, screenshot: 'portal-home' },
];
