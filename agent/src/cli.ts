/**
 * `tessera-agent`: enrol this computer with Tessera, show its status, run the agent.
 * Exit codes: 0 done, 1 usage or unexpected error, 2 not enrolled, 3 refused by Tessera (token
 * invalid, key revoked, workstation removed: enrol again), 4 Tessera unreachable.
 */
import fs from 'node:fs';
import os from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { createAgent } from './agent.js';
import { createFido2AssertAuthenticator } from './authenticator.js';
import { ApiError, createApiClient, isUnavailable } from './api.js';
import { generateKeyPair, privateKeyFromPem, privateKeyToPem, signAssertion } from './assertion.js';
import type { Driver } from './drivers/driver.js';
import { createLinuxDriver, POLL_MS } from './drivers/linux.js';
import { createScriptedDriver } from './drivers/scripted.js';
import { collectFacts } from './facts.js';
import { createLogger, logLevelFromEnv, type Logger } from './log.js';
import {
  EMPTY_POLICY,
  ensureStateDir,
  readAgentState,
  readPrivateKeyPem,
  resolveStateDir,
  writeAgentState,
  writeCachedPolicy,
  writePrivateKeyPem,
  type AgentState,
} from './state.js';
import { AGENT_VERSION } from './version.js';

export const EXIT = { ok: 0, error: 1, notEnrolled: 2, refused: 3, unreachable: 4 } as const;

class CliExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

const level = () => logLevelFromEnv(process.env.TESSERA_AGENT_LOG_LEVEL);
/** enroll and status print their answer on stdout; their failures go to stderr so that stdout stays the answer. */
const errorLog = () => createLogger({ write: (line) => process.stderr.write(line), level: level() });

function serverUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--server must be a URL such as https://tessera.corp.example, got ${value}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`--server must be http(s), got ${url.protocol}`);
  if (url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    // Plain HTTP carries the enrolment token and the assertions in the clear; allowed, as for a lab, but said loudly.
    errorLog().warn('server.insecure', { server: url.origin, why: 'plain http outside localhost: use https in production' });
  }
  return url.href.replace(/\/+$/, '');
}

/** The exit code for a failed call to Tessera, after logging why. */
function failure(log: Logger, what: string, err: unknown): Error {
  if (isUnavailable(err)) {
    log.error(`${what}.unreachable`, { error: err, status: err instanceof ApiError ? err.status : undefined });
    return new CliExit(EXIT.unreachable);
  }
  if (err instanceof ApiError) {
    log.error(`${what}.refused`, { status: err.status, code: err.code, error: err.message });
    return new CliExit(EXIT.refused);
  }
  return err instanceof Error ? err : new Error(String(err));
}

function loadEnrolment(stateDir: string, log: Logger): { state: AgentState; privateKey: ReturnType<typeof privateKeyFromPem> } {
  const state = readAgentState(stateDir);
  if (!state) {
    log.error('agent.not_enrolled', { stateDir, why: 'run `tessera-agent enroll --server URL --token T` first' });
    throw new CliExit(EXIT.notEnrolled);
  }
  const { pem, isExposed } = readPrivateKeyPem(stateDir);
  if (isExposed) log.warn('state.key_exposed', { file: 'key.pem', why: 'the key file is readable by others than its owner: chmod 600 it' });
  return { state, privateKey: privateKeyFromPem(pem) };
}

/**
 * The enrolment token from --token, or from --token-file (`-`: standard input). A command line is
 * readable by every user of the computer (ps, /proc/<pid>/cmdline) and lands in shell histories and
 * sudo's log, and a mass-deployment token enrols any computer: the file keeps it to its reader.
 */
function enrolmentToken(opts: { token?: string; tokenFile?: string }): string {
  if ((opts.token === undefined) === (opts.tokenFile === undefined)) throw new Error('give the enrolment token with either --token or --token-file');
  const token = opts.tokenFile === undefined ? opts.token! : fs.readFileSync(opts.tokenFile === '-' ? 0 : opts.tokenFile, 'utf8').trim();
  if (!token) throw new Error(`no enrolment token in ${opts.tokenFile === '-' ? 'standard input' : opts.tokenFile}`);
  return token;
}

async function enroll(opts: {
  server: string;
  token?: string;
  tokenFile?: string;
  stateDir?: string;
  hostname?: string;
  domain?: string;
  machineId?: string;
}): Promise<void> {
  const log = errorLog();
  const server = serverUrl(opts.server);
  const token = enrolmentToken(opts);
  const stateDir = resolveStateDir(opts.stateDir);
  // Before the token is spent: a state directory we cannot write would waste it.
  ensureStateDir(stateDir);
  const keys = generateKeyPair();
  const facts = collectFacts({ stateDir, hostname: opts.hostname, domain: opts.domain, machineId: opts.machineId });
  let answer: Awaited<ReturnType<ReturnType<typeof createApiClient>['enroll']>>;
  try {
    answer = await createApiClient({ server }).enroll({ token, publicKey: keys.publicJwk, facts });
  } catch (err) {
    throw failure(log, 'enroll', err);
  }
  // Written only after Tessera accepted the new key: a failed enrolment leaves a working one in place.
  writePrivateKeyPem(stateDir, privateKeyToPem(keys.privateKey));
  writeAgentState(stateDir, {
    server,
    workstationId: answer.workstationId,
    audience: answer.audience,
    domain: facts.domain,
    enrolledAt: new Date().toISOString(),
  });
  writeCachedPolicy(stateDir, { ...EMPTY_POLICY, status: answer.status });
  process.stdout.write(`${JSON.stringify({ workstationId: answer.workstationId, status: answer.status })}\n`);
}

async function status(opts: { stateDir?: string }): Promise<void> {
  const log = errorLog();
  const stateDir = resolveStateDir(opts.stateDir);
  const { state, privateKey } = loadEnrolment(stateDir, log);
  const api = createApiClient({
    server: state.server,
    makeAssertion: () => signAssertion({ privateKey, workstationId: state.workstationId, audience: state.audience }),
  });
  try {
    process.stdout.write(`${JSON.stringify(await api.status())}\n`);
  } catch (err) {
    throw failure(log, 'status', err);
  }
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

async function run(opts: { driver?: string; stateDir?: string }): Promise<void> {
  const log = createLogger({ level: level() });
  const stateDir = resolveStateDir(opts.stateDir);
  const { state, privateKey } = loadEnrolment(stateDir, log);
  const driverName = opts.driver ?? (os.platform() === 'linux' ? 'linux' : undefined);
  let driver: Driver;
  if (driverName === 'scripted') {
    // Test only: a file descriptor the test opened gets each delivery's passwords (never the log).
    const fd = process.env.TESSERA_AGENT_SCRIPTED_SECRETS_FD;
    const revealTo = fd && /^\d+$/.test(fd) && Number(fd) > 2 ? (line: string) => fs.writeSync(Number(fd), line) : undefined;
    driver = createScriptedDriver({ log, revealTo });
  } else if (driverName === 'linux') {
    driver = createLinuxDriver({
      log,
      loginctl: process.env.TESSERA_AGENT_LOGINCTL || 'loginctl',
      domain: state.domain,
      pollMs: positiveInt(process.env.TESSERA_AGENT_POLL_MS, POLL_MS),
    });
  } else {
    log.error('agent.no_driver', { platform: os.platform(), why: 'this agent has a driver for linux only; --driver scripted for tests' });
    throw new CliExit(EXIT.error);
  }
  // The security key reader for credential delivery (§8): fido2-assert on this device.
  const device = process.env.TESSERA_AGENT_FIDO2_DEVICE;
  const authenticator = device ? createFido2AssertAuthenticator({ device, command: process.env.TESSERA_AGENT_FIDO2_ASSERT || 'fido2-assert' }) : undefined;
  const agent = createAgent({
    state,
    privateKey,
    stateDir,
    driver,
    log,
    authenticator,
    backoff: { initialMs: positiveInt(process.env.TESSERA_AGENT_BACKOFF_MS, 1_000) },
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal means "now": someone is not willing to wait for the last events.
    if (++signals > 1) process.exit(EXIT.ok);
    log.info('agent.signal', { signal });
    void agent.stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await agent.start();
  const code = await agent.done;
  // The driver's stdin reader and the like must not keep a stopped agent alive.
  process.exit(code);
}

export function buildCli(): Command {
  const program = new Command('tessera-agent')
    .description('Tessera workstation agent: enrols this computer and carries out what Tessera decides for it')
    .version(AGENT_VERSION)
    .showHelpAfterError()
    .exitOverride();
  const stateDirOption = () => new Option('--state-dir <dir>', 'where the key and state live (env TESSERA_AGENT_STATE_DIR, default /var/lib/tessera-agent)');
  program
    .command('enroll')
    .description('make this computer a workstation of Tessera with an enrolment token')
    .requiredOption('--server <url>', "Tessera's public address, e.g. https://tessera.corp.example")
    .option(
      '--token <token>',
      'an enrolment token from the console (Workstations → Enrolment tokens); other users can read a command line: prefer --token-file',
    )
    .option('--token-file <file>', 'read the enrolment token from this file, or from standard input with -')
    .addOption(stateDirOption())
    .option('--hostname <name>', 'the name to report (default: this computer’s host name)')
    .option('--domain <domain>', 'the AD/NetBIOS domain accounts belong to, e.g. CORP (default: none)')
    .option('--machine-id <id>', 'a stable id of this computer (default: /etc/machine-id, else one generated and kept)')
    .action(enroll);
  program.command('status').description("ask Tessera for this workstation's status and profile").addOption(stateDirOption()).action(status);
  program
    .command('run')
    .description('run the agent: the command channel, session events, the profile')
    .addOption(new Option('--driver <driver>', 'the platform driver').choices(['linux', 'scripted']))
    .addOption(stateDirOption())
    .action(run);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) process.exitCode = err.exitCode;
    else if (err instanceof CliExit) process.exitCode = err.exitCode;
    else {
      errorLog().error('agent.failed', { error: err });
      process.exitCode = EXIT.error;
    }
  }
}

// Run when executed directly (tsx agent/src/cli.ts, or bin/tessera-agent.js importing the built file).
if (process.argv[1] && /(agent[\\/]src|dist[\\/]agent)[\\/]cli\.(ts|js)$/.test(process.argv[1])) {
  await runCli(process.argv.slice(2));
}
