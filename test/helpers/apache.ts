/**
 * A throwaway Apache httpd (Debian's apache2) for tests that need a real web server as a peer:
 * mod_auth_openidc as an OIDC relying party (src/sso/oidc/oidc-apache.test.ts), mod_auth_mellon as a SAML
 * service provider. Shared helper: give it the modules to load and a config snippet; it writes its
 * own httpd.conf in a temp dir (own ServerRoot, PidFile, logs, one port on 127.0.0.1) and runs
 * `apache2 -X -f <conf>` in the foreground (one process, so stop() by its PID ends it), never
 * touching /etc/apache2 or the system service.
 *
 *   const apache = await startApache({ modules: ['auth_openidc'], config: `<Location /app> ... </Location>`,
 *     files: { 'htdocs/app/index.html': 'hello' } });
 *   ... fetch(`${apache.url}/app/`) ...
 *   await apache.stop();
 *
 * `config` may use `${apache.dir}`-style paths: the dir and port are passed to a function form.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './server.js';

const MODULE_DIR = '/usr/lib/apache2/modules';
/** What every config needs: the MPM for -X, authorization core, MIME types, directory index, logs. */
const BASE_MODULES = ['mpm_prefork', 'authz_core', 'authn_core', 'authz_user', 'mime', 'dir'];

export interface ApacheOptions {
  /** Extra modules by short name (`auth_openidc`, `auth_mellon`, `headers`, `proxy`...). */
  modules?: string[];
  /** Config appended after the base config; a function gets the port, base URL and folder. */
  config: string | ((ctx: { port: number; url: string; dir: string }) => string);
  /** Files to create below the server folder (e.g. `htdocs/app/index.html`). */
  files?: Record<string, string> | ((ctx: { port: number; url: string; dir: string }) => Record<string, string>);
  /** Port; a free one by default. */
  port?: number;
  /**
   * Runs Apache with its clock moved by libfaketime (FAKETIME offset, e.g. `+30d`), so a
   * test sees what an SP does with its files (metadata, certificates) that many days later.
   */
  clockOffset?: string;
}

export interface Apache {
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  dir: string;
  /** error_log contents, for assertion messages. */
  errorLog(): string;
  stop(): Promise<void>;
}

export function isApacheAvailable(): boolean {
  return fs.existsSync('/usr/sbin/apache2');
}

/** Debian's libfaketime (package `faketime`), which `clockOffset` preloads into Apache. */
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
export function isFaketimeAvailable(): boolean {
  return fs.existsSync(LIBFAKETIME);
}

export async function startApache(opts: ApacheOptions): Promise<Apache> {
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-apache-'));
  const ctx = { port, url, dir };
  fs.mkdirSync(path.join(dir, 'htdocs'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const files = typeof opts.files === 'function' ? opts.files(ctx) : (opts.files ?? {});
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  const modules = [...new Set([...BASE_MODULES, ...(opts.modules ?? [])])];
  const isRoot = process.getuid?.() === 0;
  const conf = [
    `ServerRoot "${dir}"`,
    `ServerName 127.0.0.1`,
    `PidFile "${dir}/httpd.pid"`,
    `Listen 127.0.0.1:${port}`,
    ...modules.map((m) => `LoadModule ${m}_module ${MODULE_DIR}/mod_${m}.so`),
    // apache2 refuses to run as root without a User; the folder must be readable by that user.
    ...(isRoot ? ['User www-data', 'Group www-data'] : []),
    `DocumentRoot "${dir}/htdocs"`,
    `<Directory "${dir}/htdocs">`,
    '  Require all granted',
    '</Directory>',
    'DirectoryIndex index.html',
    'TypesConfig /etc/mime.types',
    `ErrorLog "${dir}/logs/error_log"`,
    'LogLevel warn',
    `LogFormat "%h %r %>s" short`,
    `CustomLog "${dir}/logs/access_log" short`,
    `DefaultRuntimeDir "${dir}"`,
    `Mutex file:${dir} default`,
    typeof opts.config === 'function' ? opts.config(ctx) : opts.config,
    '',
  ].join('\n');
  const confFile = path.join(dir, 'httpd.conf');
  fs.writeFileSync(confFile, conf);
  if (isRoot) fs.chmodSync(dir, 0o755);

  // libfaketime preloaded into apache2 itself (what `faketime -f` does, without a parent process
  // between us and the PID that stop() ends). Monotonic clocks stay real: only the date moves.
  const env = opts.clockOffset ? { ...process.env, LD_PRELOAD: LIBFAKETIME, FAKETIME: opts.clockOffset, DONT_FAKE_MONOTONIC: '1' } : process.env;
  const child = spawn('/usr/sbin/apache2', ['-X', '-f', confFile, '-d', dir], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const errorLog = () => {
    try {
      return fs.readFileSync(path.join(dir, 'logs/error_log'), 'utf8');
    } catch {
      return '';
    }
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      const message = `apache2 exited with ${child.exitCode}:\n${out}\n${errorLog()}`;
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(message);
    }
    try {
      await fetch(`${url}/`, { redirect: 'manual' });
      break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      const message = `apache2 not ready in time:\n${out}\n${errorLog()}`;
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(message);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    url,
    dir,
    errorLog,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
