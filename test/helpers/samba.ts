import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Attribute, Change, Client } from 'ldapts';

const run = promisify(execFile);

/**
 * A throwaway Samba AD domain controller for tests (recipe: shared/peers/README.md): provisioned
 * into a temp folder, listening only on its own loopback address (so several test files can each
 * have one), seeded over LDAPS as Administrator, stopped by its PID at the end.
 */
export interface SambaDc {
  ip: string;
  realm: string;
  netbios: string;
  baseDn: string;
  usersDn: string;
  adminUpn: string;
  adminPassword: string;
  /** The CA certificate Samba generated (private/tls/ca.pem). */
  caPem: string;
  /** The name in the controller's certificate. */
  tlsServerName: string;
  ldapsUrl: string;
  dir: string;
  addUser(u: SeedUser): Promise<string>;
  /** Many users over one connection, `concurrency` requests in flight (fast seeding for paging and the bench). */
  addUsers(users: SeedUser[], concurrency?: number): Promise<void>;
  /**
   * Thousands of users (enabled, no password) added to a group (through nested groups of 500)
   * offline: samba is stopped, the LDIF goes straight into sam.ldb through Samba's own ldb modules
   * (ldbmodify), then samba starts again.
   */
  bulkAddUsers(users: SeedUser[], group: string): Promise<void>;
  addGroup(name: string): Promise<string>;
  /** An organizational unit directly under the base DN; answers its DN. */
  addOu(name: string): Promise<string>;
  /** A group at a DN of the caller's choice (e.g. in an OU); groupType default: global security (-2147483646), 2 is global distribution. */
  addGroupAt(dn: string, opts?: { groupType?: number }): Promise<string>;
  /** Members given by DN into a group given by DN. */
  addMembersByDn(groupDn: string, memberDns: string[]): Promise<void>;
  /** Renames a group of the Users container (cn and sAMAccountName, as Active Directory Users and Computers does). */
  renameGroup(name: string, next: string): Promise<void>;
  addMembers(group: string, members: string[]): Promise<void>;
  removeMembers(group: string, members: string[]): Promise<void>;
  modifyUser(username: string, changes: Record<string, string | null>): Promise<void>;
  setEnabled(username: string, enabled: boolean): Promise<void>;
  deleteUser(username: string): Promise<void>;
  /** Does this password bind for this user now? */
  canBind(username: string, password: string): Promise<boolean>;
  /** Freezes samba (SIGSTOP): connections stay open but nothing answers, as with a controller that hangs. */
  freeze(): void;
  /** Kills samba at once (SIGKILL), as a controller that crashes; `start` brings it back. */
  kill(): void;
  thaw(): void;
  /** Stops samba (kept for a later `start`). */
  halt(): Promise<void>;
  start(): Promise<void>;
  /** Stops samba and removes the folder and the loopback address. */
  stop(): Promise<void>;
}

export interface SeedUser {
  username: string;
  password?: string;
  givenName?: string;
  surname?: string;
  mail?: string;
  displayName?: string;
  department?: string;
  title?: string;
  phone?: string;
  company?: string;
  disabled?: boolean;
  /** Enabled without a password (userAccountControl PASSWD_NOTREQD): fast bulk seeding. */
  passwordNotRequired?: boolean;
}

const ADMIN_PASSWORD = 'Adm1n-Secret!pw';

async function ensureAddress(ip: string): Promise<boolean> {
  const { stdout } = await run('ip', ['-o', 'addr', 'show', 'dev', 'lo']);
  if (stdout.includes(` ${ip}/`)) return false;
  await run('ip', ['addr', 'add', `${ip}/8`, 'dev', 'lo']);
  return true;
}

function isListening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const HOST_NAME = 'dc1';

/**
 * Provisioning a domain costs 10–15 s of CPU (samba-tool writes the whole schema), the same for
 * every test file of one realm: it is done once per machine, realm and Samba version into a
 * template folder, and each controller starts from a copy. Only etc/smb.conf names the folder and
 * the address; the copy's is rewritten. The TLS certificate is made by each copy's first start.
 */
let sambaVersion: Promise<string> | undefined;

/** The configuration file of the new controller in `dir`. */
async function provisionFromTemplate({ realm, netbios, dir, ip }: { realm: string; netbios: string; dir: string; ip: string }): Promise<string> {
  sambaVersion ??= run('samba', ['--version']).then(({ stdout }) => stdout);
  const version = await sambaVersion;
  const key = `${realm}-${netbios}-${version.trim().replace(/[^A-Za-z0-9.]+/g, '_')}`.toLowerCase();
  const template = path.join(os.tmpdir(), `tessera-samba-template-${key}`);
  const TEMPLATE_IP = '127.0.0.254';
  if (!fs.existsSync(path.join(template, 'ready'))) {
    const building = fs.mkdtempSync(`${template}.building-`);
    await run(
      'samba-tool',
      [
        'domain',
        'provision',
        `--realm=${realm.toUpperCase()}`,
        `--domain=${netbios}`,
        '--server-role=dc',
        '--dns-backend=NONE',
        `--adminpass=${ADMIN_PASSWORD}`,
        '--use-rfc2307',
        `--host-name=${HOST_NAME}`,
        `--option=netbios name=${HOST_NAME.toUpperCase()}`,
        `--targetdir=${building}`,
        `--option=interfaces=${TEMPLATE_IP}`,
        '--option=bind interfaces only=yes',
        '--option=server services=ldap',
        `--option=pid directory=${building}/run`,
        `--option=ncalrpc dir=${building}/run/ncalrpc`,
        `--option=winbindd socket directory=${building}/run/winbindd`,
        `--option=log file=${building}/log/log.%m`,
        '--option=old password allowed period=0',
      ],
      { maxBuffer: 10 * 1024 * 1024 },
    );
    const buildingConf = path.join(building, 'etc', 'smb.conf');
    await run('samba-tool', ['domain', 'passwordsettings', 'set', '-s', buildingConf, '--min-pwd-age=0', '--max-pwd-age=0', '--history-length=0']);
    fs.writeFileSync(path.join(building, 'template-dir'), building);
    fs.writeFileSync(path.join(building, 'ready'), '');
    // Two test files that both missed the template: the first rename wins, the other's copy goes.
    try {
      fs.renameSync(building, template);
    } catch {
      fs.rmSync(building, { recursive: true, force: true });
    }
  }
  await run('cp', ['-a', `${template}/.`, dir]);
  const templateDir = fs.readFileSync(path.join(dir, 'template-dir'), 'utf8');
  const conf = path.join(dir, 'etc', 'smb.conf');
  const text = fs
    .readFileSync(conf, 'utf8')
    .split(templateDir)
    .join(dir)
    .replace(/^(\s*interfaces = ).*$/m, `$1${ip}`);
  fs.writeFileSync(conf, text);
  return conf;
}

/**
 * Test files run two at a time, so each owns its loopback address: 127.0.0.21 directory-sync,
 * .22 directory-passwords (.23 stays unused: "unreachable"), .24 directory-rotation-crash,
 * .25 directory-console, .26 and .27 directory-merge, .28 entra-merge, .29 cli-server-sync, .30 the directory bench,
 * .31 workstations.e2e.
 */
export async function startSamba(opts: { ip: string; realm?: string; netbios?: string }): Promise<SambaDc> {
  const ip = opts.ip;
  const realm = (opts.realm ?? 'corp.example.test').toLowerCase();
  const netbios = opts.netbios ?? realm.split('.')[0].toUpperCase().slice(0, 15);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-samba-'));
  const addedIp = await ensureAddress(ip);
  // A controller left over from a killed run would answer instead of ours: refuse to start.
  if (await isListening(ip, 636)) throw new Error(`something already listens on ${ip}:636 (a samba left over from a killed test run?)`);
  const conf = await provisionFromTemplate({ realm, netbios, dir, ip });

  const baseDn = realm
    .split('.')
    .map((p) => `DC=${p}`)
    .join(',');
  const usersDn = `CN=Users,${baseDn}`;
  const ldapsUrl = `ldaps://${ip}:636`;
  let pid: number | undefined;
  let admin: Client | undefined;

  async function start() {
    const child = spawn('samba', ['-i', '-M', 'single', '-s', conf], { detached: true, stdio: 'ignore' });
    child.unref();
    pid = child.pid;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const c = new Client({ url: ldapsUrl, tlsOptions: { rejectUnauthorized: false }, connectTimeout: 2000, timeout: 5000 });
      try {
        await c.bind(`Administrator@${realm}`, ADMIN_PASSWORD);
        admin = c;
        return;
      } catch (err) {
        await c.unbind().catch(() => {});
        if (Date.now() > deadline) throw new Error(`samba on ${ip} did not start: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  }

  async function halt() {
    await admin?.unbind().catch(() => {});
    admin = undefined;
    if (!pid) return;
    const p = pid;
    pid = undefined;
    try {
      process.kill(p, 'SIGCONT');
      process.kill(p, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 50; i++) {
      try {
        process.kill(p, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }

  // A test process that dies must not leave samba running.
  const onExit = () => {
    if (pid)
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
  };
  process.once('exit', onExit);
  const onSignal = () => {
    onExit();
    process.exit(143);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await start();
  const a = () => {
    if (!admin) throw new Error('samba is stopped');
    return admin;
  };
  const userDn = (name: string) => `CN=${name},${usersDn}`;
  const groupDn = (name: string) => `CN=${name},${usersDn}`;
  const pwd = (p: string) => Buffer.from(`"${p}"`, 'utf16le');

  async function addUser(u: SeedUser): Promise<string> {
    const attrs: Record<string, string | string[] | Buffer> = {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      sAMAccountName: u.username,
      userPrincipalName: `${u.username}@${realm}`,
    };
    const map: [keyof SeedUser, string][] = [
      ['givenName', 'givenName'],
      ['surname', 'sn'],
      ['mail', 'mail'],
      ['displayName', 'displayName'],
      ['department', 'department'],
      ['title', 'title'],
      ['phone', 'telephoneNumber'],
      ['company', 'company'],
    ];
    for (const [k, attr] of map) if (u[k]) attrs[attr] = String(u[k]);
    const list = Object.entries(attrs).map(([type, v]) => new Attribute({ type, values: Array.isArray(v) ? v : [v as string] }));
    if (u.password) list.push(new Attribute({ type: 'unicodePwd', values: [pwd(u.password)] }));
    // 512 NORMAL_ACCOUNT, 514 disabled; a new account without a password must stay disabled in AD.
    const uac = u.disabled ? 514 : u.password ? 512 : u.passwordNotRequired ? 544 : 514;
    list.push(new Attribute({ type: 'userAccountControl', values: [String(uac)] }));
    await a().add(userDn(u.username), list);
    return userDn(u.username);
  }

  const dc: SambaDc = {
    ip,
    realm,
    netbios,
    baseDn,
    usersDn,
    adminUpn: `Administrator@${realm}`,
    adminPassword: ADMIN_PASSWORD,
    caPem: fs.readFileSync(path.join(dir, 'private', 'tls', 'ca.pem'), 'utf8'),
    tlsServerName: `${HOST_NAME.toUpperCase()}.${realm}`,
    ldapsUrl,
    dir,
    addUser,
    async addUsers(users, concurrency = 1) {
      for (let i = 0; i < users.length; i += concurrency) await Promise.all(users.slice(i, i + concurrency).map(addUser));
    },
    async bulkAddUsers(users, group) {
      const attr: [keyof SeedUser, string][] = [
        ['givenName', 'givenName'],
        ['surname', 'sn'],
        ['mail', 'mail'],
        ['displayName', 'displayName'],
        ['department', 'department'],
        ['title', 'title'],
        ['phone', 'telephoneNumber'],
        ['company', 'company'],
      ];
      let ldif = '';
      for (const u of users) {
        ldif += `dn: ${userDn(u.username)}\nobjectClass: user\nsAMAccountName: ${u.username}\nuserPrincipalName: ${u.username}@${realm}\nuserAccountControl: 544\n`;
        for (const [k, name] of attr) if (u[k]) ldif += `${name}: ${String(u[k])}\n`;
        ldif += '\n';
      }
      // Members go into nested groups of 500 (one modify with thousands of member values is
      // quadratic in Samba), which the sync group contains: transitive membership covers them.
      const parts: string[] = [];
      for (let i = 0; i < users.length; i += 500) {
        const part = `${group} ${parts.length + 1}`;
        parts.push(part);
        ldif += `dn: ${groupDn(part)}\nobjectClass: group\nsAMAccountName: bulk-part-${parts.length}\n`;
        ldif += `${users
          .slice(i, i + 500)
          .map((u) => `member: ${userDn(u.username)}\n`)
          .join('')}\n`;
      }
      ldif += `dn: ${groupDn(group)}\nchangetype: modify\nadd: member\n${parts.map((p) => `member: ${groupDn(p)}\n`).join('')}\n`;
      const file = path.join(dir, 'bulk.ldif');
      fs.writeFileSync(file, ldif);
      await halt();
      await run('ldbmodify', ['-H', path.join(dir, 'private', 'sam.ldb'), file], { maxBuffer: 64 * 1024 * 1024 });
      await start();
    },
    async addGroup(name) {
      await a().add(groupDn(name), { objectClass: ['top', 'group'], sAMAccountName: name });
      return groupDn(name);
    },
    async addOu(name) {
      const dn = `OU=${name},${baseDn}`;
      await a().add(dn, { objectClass: ['top', 'organizationalUnit'], ou: name });
      return dn;
    },
    async addGroupAt(dn, opts = {}) {
      const cn = /^CN=([^,]+)/i.exec(dn)?.[1] ?? dn;
      await a().add(dn, { objectClass: ['top', 'group'], sAMAccountName: cn, groupType: String(opts.groupType ?? -2147483646) });
      return dn;
    },
    async addMembersByDn(group, memberDns) {
      await a().modify(group, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: memberDns }) }));
    },
    async renameGroup(name, next) {
      await a().modifyDN(groupDn(name), `CN=${next}`);
      await a().modify(groupDn(next), new Change({ operation: 'replace', modification: new Attribute({ type: 'sAMAccountName', values: [next] }) }));
    },
    async addMembers(group, members) {
      for (let i = 0; i < members.length; i += 1000) {
        await a().modify(
          groupDn(group),
          new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: members.slice(i, i + 1000).map(userDn) }) }),
        );
      }
    },
    async removeMembers(group, members) {
      await a().modify(groupDn(group), new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: members.map(userDn) }) }));
    },
    async modifyUser(username, changes) {
      await a().modify(
        userDn(username),
        Object.entries(changes).map(
          ([type, v]) =>
            new Change({
              operation: v === null ? 'delete' : 'replace',
              modification: new Attribute({ type, values: v === null ? [] : [v] }),
            }),
        ),
      );
    },
    async setEnabled(username, enabled) {
      await a().modify(
        userDn(username),
        new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [enabled ? '512' : '514'] }) }),
      );
    },
    async deleteUser(username) {
      await a().del(userDn(username));
    },
    async canBind(username, password) {
      const c = new Client({ url: ldapsUrl, tlsOptions: { rejectUnauthorized: false }, timeout: 5000 });
      try {
        await c.bind(`${username}@${realm}`, password);
        return true;
      } catch {
        return false;
      } finally {
        await c.unbind().catch(() => {});
      }
    },
    freeze() {
      if (pid) process.kill(pid, 'SIGSTOP');
    },
    kill() {
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      pid = undefined;
      admin = undefined;
    },
    thaw() {
      if (pid) process.kill(pid, 'SIGCONT');
    },
    halt,
    start,
    async stop() {
      await halt();
      process.removeListener('exit', onExit);
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
      fs.rmSync(dir, { recursive: true, force: true });
      if (addedIp) await run('ip', ['addr', 'del', `${ip}/8`, 'dev', 'lo']).catch(() => {});
    },
  };
  return dc;
}
