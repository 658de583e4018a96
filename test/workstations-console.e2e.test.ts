// Workstations in the console, in Debian's Chromium, against the real server (a separate process on
// a fresh embedded database) and a software agent played by this test as docs/agent-protocol.md
// describes it: its own ES256 key, one signed assertion per request, the WebSocket command channel
// on which it acknowledges every command at once.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import {
  assertChromiumInstalled,
  browserSkipReason,
  type BrowserSession,
  dashboardCount,
  ensureConsoleBuilt,
  expectText,
  launchBrowser,
  newSession,
} from './helpers/browser.js';
import { eventually } from './helpers/eventually.js';
import { runCli, type ServerProcess, startServerProcess, stopServerProcess } from './helpers/server.js';
import { enrollSoftwareAgent } from './helpers/software-agent.js';

const ADMIN = { email: 'ada.admin@corp.example', name: 'Ada Admin', password: 'Quiet-lantern-73-orchard' };
const EMPLOYEE = { email: 'grace.hopper@corp.example', firstName: 'Grace', lastName: 'Hopper' };
const HOST = 'WS-FIN-042';
const TOKEN_NAME = 'Finance rollout';
const BLOCK_REASON = 'Drill: a laptop was stolen';

interface Frame {
  type: string;
  id?: string;
  kind?: string;
  status?: string;
  workstation?: { id: string; status: string };
  profile?: { name: string; idleLockMinutes: number; rdpAllowed: boolean; unlockMethods: string[] };
}

/**
 * A computer's agent, enrolled with `token` (test/helpers/software-agent.ts: its own key, one
 * assertion per request for the server's public URL), reporting events, and holding the command
 * channel, on which it acknowledges every command `done` as it arrives.
 */
async function softwareAgent(server: string, token: string) {
  const { workstationId, status, assertion } = await enrollSoftwareAgent(server, { token, hostname: HOST, audience: server });
  const post = async (url: string, body: unknown) => {
    const res = await fetch(`${server}${url}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await assertion()}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
  };

  const frames: Frame[] = [];
  let socket: WebSocket | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  return {
    workstationId,
    status,
    post,
    frames,
    async connect() {
      const ws = new WebSocket(`${server.replace(/^http/, 'ws')}/api/agent/v1/channel`, { headers: { authorization: `Bearer ${await assertion()}` } });
      socket = ws;
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Frame;
        frames.push(frame);
        if (frame.type === 'command') ws.send(JSON.stringify({ type: 'ack', id: frame.id, status: 'done' }));
      });
      await once(ws, 'open');
      heartbeat = setInterval(() => ws.send(JSON.stringify({ type: 'heartbeat' })), 10_000);
    },
    /** The first frame from index `from` on that matches. */
    async waitFor(what: string, match: (f: Frame) => boolean, from = 0): Promise<Frame> {
      return eventually(async () => {
        const found = frames.slice(from).find(match);
        if (!found) throw new Error(`not yet; frames so far: ${JSON.stringify(frames)}`);
        return found;
      }, `the agent receives ${what}`);
    },
    close() {
      clearInterval(heartbeat);
      socket?.close();
    },
  };
}

describe('console: workstations, their agent, Lock now and the emergency block', { skip: browserSkipReason(), timeout: 240_000 }, () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let session: BrowserSession;
  let page: Page;
  let secret = '';
  let agent: Awaited<ReturnType<typeof softwareAgent>> | undefined;
  let employeeId = '';
  let shots: string;

  before(async () => {
    assertChromiumInstalled();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-workstations-e2e-'));
    shots = process.env.TESSERA_E2E_SCREENSHOTS ?? path.join(dataDir, 'screenshots');
    const created = await runCli(
      ['admin', 'create', '--email', ADMIN.email, '--name', ADMIN.name, '--password-stdin'],
      { DATA_DIR: dataDir },
      `${ADMIN.password}\n`,
    );
    assert.equal(created.code, 0, created.stderr);
    await ensureConsoleBuilt();
    const [started, launched] = await Promise.allSettled([startServerProcess({ DATA_DIR: dataDir }), launchBrowser()]);
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    for (const result of [started, launched]) if (result.status === 'rejected') throw result.reason;
    session = await newSession(browser!, { baseURL: server!.url });
    page = session.page;
  });

  after(async () => {
    agent?.close();
    await browser?.close().catch(() => undefined);
    await stopServerProcess(server);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const nav = (name: string) => page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name, exact: true });
  const heading = (name: string) => page.getByRole('heading', { name, exact: true, level: 1 });
  const dialog = (name: string) => page.getByRole('dialog', { name });
  const notification = (title: string) => page.getByRole('alert').filter({ hasText: title });
  const workstationRow = () => page.getByRole('table', { name: 'Workstations' }).getByRole('row').filter({ hasText: HOST });
  const banner = () => page.getByTestId('emergency-banner');
  const tab = (name: string) => page.getByRole('tab', { name });
  const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

  it('creates a one-time enrolment token and shows its secret once, with the enrol command', async () => {
    await page.goto('/login');
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await heading('Dashboard').waitFor();
    // An employee for the agent's logon to belong to (a UPN is matched to the employee's e-mail).
    const csrf = (await (await page.request.get('/api/auth/csrf')).json()).csrfToken as string;
    const employee = await page.request.post('/api/employees', { data: EMPLOYEE, headers: { 'x-csrf-token': csrf } });
    assert.equal(employee.status(), 201, await employee.text());
    employeeId = (await employee.json()).id;

    await nav('Workstations').click();
    await heading('Workstations').waitFor();
    await page.getByRole('tab', { name: 'Enrolment tokens' }).click();
    await page.waitForURL((u) => u.pathname === '/workstations/tokens');
    await page.getByRole('button', { name: 'Create enrolment token' }).click();
    const create = dialog('Create enrolment token');
    await create.getByLabel('Name', { exact: true }).fill(TOKEN_NAME);
    await create.getByLabel('Valid for (hours)').fill('2');
    await create.getByRole('button', { name: 'Create token' }).click();

    const shown = dialog(`Enrolment token “${TOKEN_NAME}” created`);
    secret = await shown.getByLabel('Enrolment token secret', { exact: true }).inputValue();
    assert.match(secret, /^te_[A-Za-z0-9_-]{43}$/);
    assert.equal(
      (await shown.getByTestId('enrol-command').innerText()).trim(),
      `read -rsp 'Enrolment token: ' TOKEN && echo && echo "$TOKEN" | sudo tessera-agent enroll --server ${server!.url} --token-file -`,
      'the command names this server and reads the token at a prompt',
    );
    assert.ok(!(await shown.getByTestId('enrol-command').innerText()).includes(secret), 'the secret is not in the command (shell history)');
    await shot('workstations-1-token-secret');
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });
    const row = page.getByRole('table', { name: 'Enrolment tokens' }).getByRole('row').filter({ hasText: TOKEN_NAME });
    await expectText(row, /one-time.*by an admin.*usable/, 'the token is listed as usable, one-time, approved by an admin');
    assert.ok(!(await page.content()).includes(secret), 'the secret is gone from the page once the dialog is closed');
  });

  it('enrols an agent as pending, which the dashboard counts and the admin approves from the filtered list', async () => {
    agent = await softwareAgent(server!.url, secret);
    assert.equal(agent.status, 'pending');
    await agent.connect();
    await agent.waitFor('hello, pending', (f) => f.type === 'hello' && f.workstation?.status === 'pending');

    await nav('Dashboard').click();
    await eventually(async () => assert.equal(await dashboardCount(page, 'Pending approval'), 1), 'the Pending approval tile');
    await eventually(async () => assert.equal(await dashboardCount(page, 'Workstations online'), 1), 'the Workstations online tile');
    await shot('workstations-0-dashboard');
    await page.getByRole('link', { name: 'Review pending workstations' }).click();
    await page.waitForURL((u) => u.pathname === '/workstations' && u.searchParams.get('status') === 'pending');
    await expectText(workstationRow(), /pending/, 'the pending workstation is listed');
    await expectText(workstationRow(), /Online/, 'with its agent connected');
    await expectText(workstationRow(), /Linux Debian 12/, 'and its operating system');
    await shot('workstations-2-pending');

    await workstationRow()
      .getByRole('checkbox', { name: `Select ${HOST}` })
      .check();
    await page.getByText('1 selected').waitFor();
    await page.getByRole('button', { name: 'Approve selected' }).click();
    await notification('Approved').waitFor();
    await agent.waitFor('the approval', (f) => f.type === 'status' && f.status === 'approved');
    // The list still shows only pending workstations: this one has left it.
    await page.getByText('No workstations match').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expectText(workstationRow(), /approved/, 'the workstation is approved');
  });

  it("shows the agent's logon as an open session on the workstation's page", async () => {
    const logon = await agent!.post('/api/agent/v1/events', {
      events: [
        {
          id: crypto.randomUUID(),
          type: 'logon',
          at: new Date(Date.now() - 120_000).toISOString(),
          account: EMPLOYEE.email,
          method: 'security_key',
          sessionId: '2',
        },
      ],
    });
    assert.deepEqual(logon, { status: 200, body: { accepted: 1, duplicates: 0 } });

    await workstationRow().getByRole('link', { name: HOST }).click();
    await page.waitForURL((u) => u.pathname === `/workstations/${agent!.workstationId}`);
    await heading(HOST).waitFor();
    const sessionRow = page.getByRole('table', { name: 'Workstation sessions' }).getByRole('row').filter({ hasText: EMPLOYEE.email });
    await expectText(sessionRow, /open.*Grace Hopper.*Security key/, 'the open session, matched to the employee');
  });

  it('sends Lock now to the agent and shows the command done', async () => {
    const from = agent!.frames.length;
    await page.getByRole('button', { name: 'Lock now' }).click();
    const lock = await agent!.waitFor('the lock command', (f) => f.type === 'command' && f.kind === 'lock', from);
    await notification('Lock sent').waitFor();
    await page.getByRole('tab', { name: 'Commands' }).click();
    const row = page.getByRole('table', { name: 'Commands' }).getByRole('row').filter({ hasText: 'Lock' });
    await expectText(row, /Lock done/, 'the command turns done once the agent acknowledges it');
    await expectText(row, ADMIN.email, 'issued by the admin');
    const commands = await (await page.request.get(`/api/workstations/${agent!.workstationId}/commands`)).json();
    assert.equal(commands.items[0].id, lock.id, 'the command shown is the one the agent received');
    await shot('workstations-3-detail-commands');
  });

  it("locks the employee's workstations from the employee's page", async () => {
    await page.goto(`/employees/${employeeId}`);
    const card = page.getByRole('region', { name: 'Sessions and workstations' });
    await expectText(card.getByRole('table', { name: 'Recent workstation sessions' }), HOST, 'the employee page lists the session');
    const from = agent!.frames.length;
    await card.getByRole('button', { name: 'Lock workstations' }).click();
    const confirm = dialog('Lock workstations');
    await confirm.getByLabel('Reason').fill('Left the laptop unlocked');
    await confirm.getByRole('button', { name: 'Lock workstations' }).click();
    await notification('Workstations locking').waitFor();
    await agent!.waitFor('the second lock command', (f) => f.type === 'command' && f.kind === 'lock', from);
    await shot('workstations-4-employee');
  });

  it('creates a default profile, which the agent receives at once', async () => {
    await nav('Workstations').click();
    await tab('Profiles').click();
    await page.getByRole('button', { name: 'New profile' }).click();
    const form = dialog('New workstation profile');
    await form.getByLabel('Name', { exact: true }).fill('Office');
    await form.getByLabel('Lock after idle (minutes)').fill('5');
    await form.getByRole('checkbox', { name: 'Password' }).uncheck();
    await form.getByRole('switch', { name: 'Allow remote desktop (RDP)' }).click({ force: true });
    await form.getByRole('switch', { name: 'Default profile' }).click({ force: true });
    const from = agent!.frames.length;
    await form.getByRole('button', { name: 'Create profile' }).click();
    await form.waitFor({ state: 'detached' });
    const row = page.getByRole('table', { name: 'Workstation profiles' }).getByRole('row').filter({ hasText: 'Office' });
    await expectText(row, /Office Default 5 min Security key, Passkey, Smart card, Phone .*Refused/, 'the profile is listed as the default');
    const pushed = await agent!.waitFor('the new profile', (f) => f.type === 'profile' && f.profile?.name === 'Office', from);
    assert.deepEqual(
      { idle: pushed.profile!.idleLockMinutes, rdp: pushed.profile!.rdpAllowed, methods: pushed.profile!.unlockMethods },
      { idle: 5, rdp: false, methods: ['security_key', 'passkey', 'smart_card', 'phone'] },
    );
    // The default stays the default until another profile takes it.
    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = dialog('Edit Office');
    assert.equal(await edit.getByRole('switch', { name: 'Default profile' }).isDisabled(), true);
    await shot('workstations-5-profile');
    await edit.getByRole('button', { name: 'Cancel' }).click();
    await nav('Workstations').click();
    await expectText(workstationRow(), 'Office', 'the list shows the profile in force');
  });

  it('lists the session and its event with filters, sums it up, and exports each as CSV', async () => {
    await tab('Sessions').click();
    await page.waitForURL((u) => u.pathname === '/workstations/sessions');
    await page.getByLabel('Workstation', { exact: true }).selectOption({ label: HOST });
    await page.getByLabel('Sessions', { exact: true }).selectOption({ label: 'Open now' });
    await page.waitForURL((u) => u.searchParams.get('workstationId') === agent!.workstationId && u.searchParams.get('open') === 'true');
    const sessions = page.getByRole('table', { name: 'Workstation sessions' });
    await expectText(sessions.getByRole('row').filter({ hasText: EMPLOYEE.email }), /open.*WS-FIN-042.*Grace Hopper/, 'the open session');
    const sessionsCsv = await page.request.get((await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href'))!);
    assert.equal(sessionsCsv.status(), 200);
    const sessionLines = (await sessionsCsv.text()).split('\r\n');
    assert.match(sessionLines[0], /^startedAt,endedAt,workstation,account,employee,email,/);
    assert.ok(sessionLines[1].includes(`,${HOST},${EMPLOYEE.email},Grace Hopper,${EMPLOYEE.email},security_key,`), sessionLines[1]);

    await tab('Events').click();
    await page.waitForURL((u) => u.pathname === '/workstations/events');
    await page.getByLabel('Event', { exact: true }).selectOption({ label: 'Logon' });
    await expectText(page.getByRole('table', { name: 'Workstation events' }), /Logon Grace Hopper/, 'the logon event');
    const eventsCsv = await page.request.get((await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href'))!);
    assert.ok((await eventsCsv.text()).split('\r\n')[1].includes(`,${HOST},logon,${EMPLOYEE.email},Grace Hopper,`), 'the events CSV has the logon');

    await tab('Summaries').click();
    await page.waitForURL((u) => u.pathname === '/workstations/summaries');
    await page.getByLabel('Group by', { exact: true }).selectOption({ label: 'Workstation' });
    const summary = page.getByRole('table', { name: 'Session summary' });
    await expectText(summary.getByRole('row').filter({ hasText: HOST }), new RegExp(`${HOST} 1 \\d+ min`), 'one session, minutes signed in');
    const summaryCsv = await page.request.get((await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href'))!);
    const summaryLines = (await summaryCsv.text()).split('\r\n');
    assert.equal(summaryLines[0], 'workstation,sessions,signedInSeconds,lockedSeconds,methods,employees,workstations');
    assert.match(summaryLines[1], new RegExp(`^${HOST},1,\\d+,0,security_key,1,1$`));
    await shot('workstations-6-summary');
  });

  it('turns the emergency block on only with the typed phrase; a banner then shows on every page', async () => {
    await nav('Workstations').click();
    await page.getByRole('tab', { name: 'Emergency block' }).click();
    await page.waitForURL((u) => u.pathname === '/workstations/emergency');
    await expectText(page.getByTestId('emergency-state'), 'Off', 'the block is off');
    assert.equal(await banner().count(), 0, 'no banner while the block is off');

    const from = agent!.frames.length;
    await page.getByRole('button', { name: 'Block all workstations' }).click();
    const confirm = dialog('Block all workstations');
    const go = confirm.getByRole('button', { name: 'Block all workstations' });
    await confirm.getByLabel('Reason').fill(BLOCK_REASON);
    await confirm.getByLabel('Type BLOCK ALL WORKSTATIONS to confirm').fill('block all workstations');
    assert.equal(await go.isDisabled(), true, 'the phrase must be typed exactly');
    await confirm.getByLabel('Type BLOCK ALL WORKSTATIONS to confirm').fill('BLOCK ALL WORKSTATIONS');
    await go.click();
    await confirm.waitFor({ state: 'detached' });

    await expectText(banner(), 'Emergency block is on', 'the banner');
    await expectText(banner(), ADMIN.email, 'naming who turned it on');
    await expectText(banner(), BLOCK_REASON, 'and why');
    await agent!.waitFor('the emergency block', (f) => f.type === 'command' && f.kind === 'emergency_block', from);
    await expectText(page.getByTestId('emergency-acknowledged'), '1 of 1 workstations', 'the agent acknowledged it');
    await shot('workstations-7-emergency');

    for (const link of ['Dashboard', 'Employees', 'Audit log']) {
      await nav(link).click();
      await heading(link).waitFor();
      await expectText(banner(), BLOCK_REASON, `the banner on ${link}`);
    }
    await nav('Dashboard').click();
    await eventually(async () => assert.equal(await dashboardCount(page, 'Locked by the emergency block'), 1), 'the Locked by the emergency block tile');
    await nav('Workstations').click();
    await workstationRow().getByTestId('emergency-blocked').waitFor();
  });

  it("lifts the block from the banner's link: the banner goes and the agent is told", async () => {
    await nav('Dashboard').click();
    const from = agent!.frames.length;
    await banner().getByRole('link', { name: 'Lift the block' }).click();
    await page.waitForURL((u) => u.pathname === '/workstations/emergency');
    await page.getByRole('button', { name: 'Lift the block' }).click();
    const confirm = dialog('Lift the emergency block');
    await confirm.getByLabel('Reason').fill('Drill over');
    await confirm.getByRole('button', { name: 'Lift the block' }).click();
    await banner().waitFor({ state: 'detached' });
    await expectText(page.getByTestId('emergency-state'), 'Off', 'the block is off again');
    await agent!.waitFor('the lift', (f) => f.type === 'command' && f.kind === 'emergency_lift', from);
    await nav('Dashboard').click();
    await heading('Dashboard').waitFor();
    assert.equal(await banner().count(), 0, 'no banner on the next page either');
  });

  it('ran without uncaught errors in the page', () => {
    const unexpected = session.errors.filter((e) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(e));
    assert.deepEqual(unexpected, []);
  });
});
