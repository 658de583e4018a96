/**
 * The security key, as the agent relays a WebAuthn ceremony to it (docs/agent-protocol.md §8.2).
 * The agent is the WebAuthn client here: it builds the clientDataJSON (WebAuthn §5.8.1: type
 * `webauthn.get`, Tessera's challenge, Tessera's origin), hands its SHA-256 to the authenticator
 * with the RP ID and the allowed credential ids, and assembles the AuthenticationResponseJSON
 * Tessera verifies. An `Authenticator` is whatever signs: the key through `fido2-assert`
 * (fido2-tools, the reference Linux agent) or, in tests, a software authenticator.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';

export type UserVerification = 'required' | 'preferred' | 'discouraged';

export interface AssertionRequest {
  rpId: string;
  /** SHA-256 of the clientDataJSON (CTAP2 §6.2 clientDataHash). */
  clientDataHash: Buffer;
  /** The credentials Tessera allows (the employee's Active keys), in its order. */
  credentialIds: Buffer[];
  userVerification: UserVerification;
  /** The key's PIN, where the logon UI asked for one. */
  pin?: string;
}

export interface AuthenticatorAssertion {
  credentialId: Buffer;
  /** The raw authenticator data (WebAuthn §6.1). */
  authenticatorData: Buffer;
  signature: Buffer;
  userHandle: Buffer | null;
}

export interface Authenticator {
  readonly name: string;
  getAssertion(request: AssertionRequest): Promise<AuthenticatorAssertion>;
}

/** The request options of §8.1, as far as the agent reads them. */
export interface DeliveryOptions {
  requestId: string;
  origin: string;
  options: { challenge: string; rpId?: string; allowCredentials?: { id: string }[]; userVerification?: UserVerification };
}

export interface AssertionJson {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle?: string };
  authenticatorAttachment: 'cross-platform';
  clientExtensionResults: Record<string, never>;
}

/** The ceremony (WebAuthn §7.2 steps the client does): clientDataJSON, the key's signature, the response. */
export async function relayAssertion(authenticator: Authenticator, delivery: DeliveryOptions, opts: { pin?: string } = {}): Promise<AssertionJson> {
  const { options, origin } = delivery;
  const rpId = options.rpId ?? new URL(origin).hostname;
  const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin, crossOrigin: false }), 'utf8');
  const result = await authenticator.getAssertion({
    rpId,
    clientDataHash: crypto.createHash('sha256').update(clientDataJSON).digest(),
    credentialIds: (options.allowCredentials ?? []).map((c) => Buffer.from(c.id, 'base64url')),
    userVerification: options.userVerification ?? 'preferred',
    pin: opts.pin,
  });
  const id = result.credentialId.toString('base64url');
  return {
    id,
    rawId: id,
    type: 'public-key',
    response: {
      clientDataJSON: clientDataJSON.toString('base64url'),
      authenticatorData: result.authenticatorData.toString('base64url'),
      signature: result.signature.toString('base64url'),
      ...(result.userHandle ? { userHandle: result.userHandle.toString('base64url') } : {}),
    },
    authenticatorAttachment: 'cross-platform',
    clientExtensionResults: {},
  };
}

/**
 * fido2-assert prints the authenticator data CBOR-encoded (a byte string, RFC 8949 §3.1 major
 * type 2), as libfido2's fido_assert_authdata_ptr() holds it; WebAuthn wants the raw bytes.
 */
export function unwrapCborBytes(b: Buffer): Buffer {
  if (b.length === 0 || b[0] >> 5 !== 2) throw new Error('fido2-assert did not print the authenticator data as a CBOR byte string');
  const info = b[0] & 0x1f;
  const [length, start] = info < 24 ? [info, 1] : info === 24 ? [b[1], 2] : info === 25 ? [b.readUInt16BE(1), 3] : [-1, 0];
  if (length < 0 || start + length !== b.length) throw new Error('fido2-assert printed a malformed authenticator data');
  return b.subarray(start);
}

/** `fido2-assert -G` output (man fido2-assert, OUTPUT FORMAT): client data hash, RP ID, authenticator data, signature[, user id]. */
export function parseFido2AssertOutput(stdout: string, expect: { rpId: string; clientDataHash: Buffer }): Omit<AuthenticatorAssertion, 'credentialId'> {
  const lines = stdout.split('\n').map((l) => l.trim());
  if (lines.length < 4 || !lines[2] || !lines[3]) throw new Error('fido2-assert printed less than an assertion');
  if (!Buffer.from(lines[0], 'base64').equals(expect.clientDataHash)) throw new Error('fido2-assert answered for another client data hash');
  if (lines[1] !== expect.rpId) throw new Error(`fido2-assert answered for relying party ${lines[1]}, not ${expect.rpId}`);
  return {
    authenticatorData: unwrapCborBytes(Buffer.from(lines[2], 'base64')),
    signature: Buffer.from(lines[3], 'base64'),
    userHandle: lines[4] ? Buffer.from(lines[4], 'base64') : null,
  };
}

export interface Fido2AssertOptions {
  /** The authenticator's device (e.g. /dev/hidraw3); `fido2-token -L` lists them. */
  device: string;
  /** The fido2-assert program (default `fido2-assert` on PATH). */
  command?: string;
  timeoutMs?: number;
}

/**
 * fido2-assert opens its input file with fopen(3), and on Linux /dev/fd/N cannot be opened when N
 * is a socket (ENXIO), which is what Node gives a child for an extra stdio pipe. So the program
 * runs under sh, which turns the agent's fd 3 into a real pipe (through cat) and keeps standard
 * input for the PIN: `sh -c SCRIPT fido2-assert ARGS…` runs `fido2-assert ARGS…` with fd 3 a pipe.
 */
const WITH_PIPE_ON_FD3 = 'exec 4<&0; cat <&3 | { exec 3<&0 0<&4 4<&-; exec "$0" "$@"; }';

/**
 * The key through fido2-tools: one `fido2-assert -G` a credential id, until one is on the key.
 * The input goes through file descriptor 3 (`-i /dev/fd/3`), so nothing is written to disk and
 * standard input is free for the PIN, which fido2-assert reads there when it has no terminal.
 */
export function createFido2AssertAuthenticator({ device, command = 'fido2-assert', timeoutMs = 60_000 }: Fido2AssertOptions): Authenticator {
  function once(request: AssertionRequest, credentialId: Buffer): Promise<string> {
    const args = ['-G', '-p', '-i', '/dev/fd/3'];
    if (request.pin) args.push('-v');
    else if (request.userVerification === 'required') args.push('-t', 'uv=true');
    args.push(device);
    return new Promise((resolve, reject) => {
      // detached: a session of its own, without a terminal, so fido2-assert reads the PIN from stdin.
      const child = spawn('sh', ['-c', WITH_PIPE_ON_FD3, command, ...args], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], detached: true });
      let out = '';
      let err = '';
      // The whole process group: sh, cat and fido2-assert.
      const timer = setTimeout(() => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }, timeoutMs);
      child.stdout!.on('data', (c) => (out += c));
      child.stderr!.on('data', (c) => (err += c));
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot run ${command}: ${e.message}`));
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(out);
        // sh says 127 when it cannot find the program.
        else if (code === 127) reject(new Error(`cannot run ${command}: ${err.trim().split('\n').pop() ?? 'not found'}`.slice(0, 300)));
        else reject(new Error(`${command} exited ${code}: ${err.trim().split('\n').pop() ?? ''}`.slice(0, 300)));
      });
      const input = child.stdio[3] as NodeJS.WritableStream;
      input.on('error', () => undefined);
      input.end(`${request.clientDataHash.toString('base64')}\n${request.rpId}\n${credentialId.toString('base64')}\n`);
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(request.pin ? `${request.pin}\n` : '');
    });
  }
  return {
    name: 'fido2-assert',
    async getAssertion(request) {
      if (request.credentialIds.length === 0) throw new Error('Tessera allows no credential for this employee');
      let last: Error | undefined;
      for (const credentialId of request.credentialIds) {
        try {
          const out = await once(request, credentialId);
          return { credentialId, ...parseFido2AssertOutput(out, request) };
        } catch (e) {
          last = e as Error;
        }
      }
      throw last!;
    },
  };
}
