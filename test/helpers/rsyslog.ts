import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './server.js';
import { makeTestCertificates } from './test-ca.js';

/**
 * rsyslog (Debian's rsyslog and rsyslog-gnutls) as a receiver of our own: its own config, pid
 * file, work folder and ports on 127.0.0.1, listening for RFC 5424 over TCP and over TLS (RFC
 * 5425; the gtls driver with a CA and server certificate made here with openssl), writing what
 * each input receives to its own file in RSYSLOG_SyslogProtocol23Format, which keeps every RFC
 * 5424 field. Never the machine's rsyslog: nothing under /etc is read or written.
 */
export interface Rsyslog {
  tcpPort: number;
  tlsPort: number;
  caPem: string;
  /** A CA that did not sign the server's certificate. */
  otherCaPem: string;
  tcpLines(): string[];
  tlsLines(): string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

export const hasRsyslog = () => {
  try {
    execFileSync('rsyslogd', ['-v'], { stdio: 'ignore' });
    return fs.existsSync('/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so') || fs.existsSync('/usr/lib/rsyslog/lmnsd_gtls.so');
  } catch {
    return false;
  }
};

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export async function startRsyslog(): Promise<Rsyslog> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-rsyslog-'));
  fs.mkdirSync(path.join(dir, 'work'));
  const certs = makeTestCertificates(dir);
  const [tcpPort, tlsPort] = [await freePort(), await freePort()];
  const f = (name: string) => path.join(dir, name);
  fs.writeFileSync(
    f('rsyslog.conf'),
    `global(workDirectory="${f('work')}" DefaultNetstreamDriverCAFile="${certs.files.ca}" DefaultNetstreamDriverCertFile="${certs.files.serverCert}" DefaultNetstreamDriverKeyFile="${certs.files.serverKey}")
module(load="imtcp" maxSessions="100")
input(type="imtcp" address="127.0.0.1" port="${tcpPort}" ruleset="tcp")
input(type="imtcp" address="127.0.0.1" port="${tlsPort}" ruleset="tls" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
ruleset(name="tcp") { action(type="omfile" file="${f('tcp.log')}" template="RSYSLOG_SyslogProtocol23Format") }
ruleset(name="tls") { action(type="omfile" file="${f('tls.log')}" template="RSYSLOG_SyslogProtocol23Format") }
`,
  );
  let child: ChildProcess | undefined;
  let output = '';
  const lines = (name: string) => (fs.existsSync(f(name)) ? fs.readFileSync(f(name), 'utf8').split('\n').filter(Boolean) : []);
  const r: Rsyslog = {
    tcpPort,
    tlsPort,
    caPem: certs.caPem,
    otherCaPem: certs.otherCaPem,
    tcpLines: () => lines('tcp.log'),
    tlsLines: () => lines('tls.log'),
    async start() {
      child = spawn('rsyslogd', ['-n', '-f', f('rsyslog.conf'), '-i', f('rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (d) => {
        output += d;
      });
      child.stderr?.on('data', (d) => {
        output += d;
      });
      const deadline = Date.now() + 30_000;
      while (!((await accepts(tcpPort)) && (await accepts(tlsPort)))) {
        if (child.exitCode !== null) throw new Error(`rsyslogd exited with ${child.exitCode}: ${output}`);
        if (Date.now() > deadline) throw new Error(`rsyslogd did not listen within 30 s: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGTERM');
      await exited;
    },
    async close() {
      await r.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await r.start();
  return r;
}

/** One line of RSYSLOG_SyslogProtocol23Format: the RFC 5424 fields as rsyslog parsed them. */
export interface SyslogLine {
  pri: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  sd: Record<string, string>;
  msg: Record<string, unknown>;
}

const LINE = /^<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\[tessera@32473(?: [a-zA-Z]+="(?:[^"\\\]]|\\.)*")*\]) (.*)$/;

export function parseSyslogLine(line: string): SyslogLine {
  const m = LINE.exec(line);
  if (!m) throw new Error(`not an RFC 5424 line from Tessera: ${line.slice(0, 300)}`);
  const sd: Record<string, string> = {};
  for (const p of m[7].matchAll(/ ([a-zA-Z]+)="((?:[^"\\\]]|\\.)*)"/g)) sd[p[1]] = p[2].replace(/\\(.)/g, '$1');
  return { pri: Number(m[1]), timestamp: m[2], hostname: m[3], appName: m[4], procId: m[5], msgId: m[6], sd, msg: JSON.parse(m[8]) };
}
