import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import type { App } from '../../src/http/types.js';
import { Client } from './app.js';

/** What createTestApp's configuration names as PUBLIC_URL: the audience of every assertion. */
export const TEST_AUDIENCE = 'http://localhost:8080';

export interface AssertionOptions {
  key?: CryptoKey;
  lifetime?: number;
  iat?: number;
  audience?: string;
  claims?: Record<string, unknown>;
}

/**
 * A workstation agent in the test process: its own ES256 key, enrolled with a token, and
 * assertions as docs/agent-protocol.md §3 describes them. The real agent is agent/ (tessera-agent);
 * this one lets route and protocol tests forge exactly the assertion they need.
 */
export async function enrollSoftwareAgent(
  target: App | string,
  opts: {
    token: string;
    machineId?: string;
    hostname?: string;
    domain?: string | null;
    audience?: string;
    /** The clock its assertions are issued by: the server's, when a test runs it on a manual clock. */
    now?: () => Date;
  },
) {
  const machineId = opts.machineId ?? crypto.randomUUID();
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const payload = {
    token: opts.token,
    publicKey: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
    facts: {
      hostname: opts.hostname ?? `WS-${machineId.slice(0, 6)}`,
      domain: opts.domain === undefined ? 'CORP' : opts.domain,
      osName: 'Linux',
      osVersion: 'Debian 12',
      agentVersion: '1.0.0',
      machineId,
    },
  };
  // An app in this process (inject), or a server's base URL (a real socket).
  const res =
    typeof target === 'string'
      ? await fetch(`${target}/api/agent/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }).then(
          async (r) => ({ statusCode: r.status, body: await r.text() }),
        )
      : await target.inject({ method: 'POST', url: '/api/agent/v1/enroll', payload });
  assert.equal(res.statusCode, 201, res.body);
  const { workstationId, status } = JSON.parse(res.body) as { workstationId: string; status: string };
  const audience = opts.audience ?? TEST_AUDIENCE;
  const assertion = (o: AssertionOptions = {}) => {
    const iat = o.iat ?? Math.floor((opts.now?.() ?? new Date()).getTime() / 1000);
    return new SignJWT({ jti: crypto.randomBytes(16).toString('base64url'), ...o.claims })
      .setProtectedHeader({ alg: 'ES256', typ: 'tessera-agent+jwt', kid: workstationId })
      .setIssuer(workstationId)
      .setAudience(o.audience ?? audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + (o.lifetime ?? 60))
      .sign(o.key ?? privateKey);
  };
  return {
    workstationId,
    status,
    machineId,
    assertion,
    /** The workstation's private key (to open what Tessera encrypts to it, as the agent does). */
    privateKey,
    client: () => {
      assert.ok(typeof target !== 'string', 'client() is for an app in this process');
      return new AgentClient(target, assertion);
    },
  };
}
export type SoftwareAgent = Awaited<ReturnType<typeof enrollSoftwareAgent>>;

/** A Client that signs each request with a fresh assertion, as an agent must (no cookies, no CSRF). */
export class AgentClient extends Client {
  constructor(
    app: App,
    private readonly sign: () => Promise<string>,
  ) {
    super(app);
  }
  override async request(method: string, url: string, body?: unknown, extraHeaders: Record<string, string> = {}) {
    const headers = { authorization: `Bearer ${await this.sign()}`, ...extraHeaders };
    const res = await this.app.inject({ method: method as never, url, headers, ...(body !== undefined ? { payload: body as never } : {}) });
    let parsed: any;
    try {
      parsed = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      parsed = res.body;
    }
    return { status: res.statusCode, body: parsed, headers: res.headers, raw: res.body };
  }
}
