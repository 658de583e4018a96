/**
 * An emulator of Microsoft Entra ID's token endpoint and the Microsoft Graph calls Tessera makes,
 * served over HTTPS on 127.0.0.1 (msal-node refuses http:// authorities) with a test CA.
 * Login lives at `loginUrl` (/{tenant}/oauth2/v2.0/token), Graph at `graphUrl` (/v1.0/..., /beta/...).
 *
 * In the test process use `emulator.fetch` (it trusts the test CA); a server process under test
 * gets NODE_EXTRA_CA_CERTS=`emulator.caFile` and `knownAuthorities: ['127.0.0.1:<port>']`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { createConnector, type ConnectorFactory } from '../../src/directory/connector-factory.js';
import { createEntraConnector } from '../../src/directory/entra/entra-connector.js';
import { entraSettings } from '../../src/directory/entra/entra.schemas.js';
import { directoryRoute } from './graph-directory.js';
import { fido2Route } from './graph-fido2.js';
import { graphError, readBody, send, type Answer } from './http-util.js';
import { createTestPki } from './pki.js';
import { EntraState } from './state.js';
import { openIdConfiguration, tokenEndpoint } from './token-endpoint.js';

export { EntraState } from './state.js';
export { createClientCertificate } from './pki.js';
export { ENTRA_ORIGIN, ENTRA_RP_ID } from './graph-fido2.js';

export interface EntraEmulator {
  state: EntraState;
  tenantId: string;
  loginUrl: string;
  graphUrl: string;
  /** host:port, for msal-node's knownAuthorities. */
  authorityHost: string;
  caPem: string;
  /** The CA in a file, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** fetch that trusts the emulator's CA (for code running in the test process). */
  fetch: typeof fetch;
  close(): Promise<void>;
}

export async function startEntraEmulator(opts: { tenantId?: string } = {}): Promise<EntraEmulator> {
  const tenantId = opts.tenantId ?? crypto.randomUUID();
  const state = new EntraState(tenantId);
  const pki = await createTestPki();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-entra-emu-'));
  const caFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(caFile, pki.caPem);
  const signer = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  let origin = '';

  const server = https.createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', origin);
      const method = req.method ?? 'GET';
      const raw = await readBody(req);
      let body: unknown;
      const isJson = (req.headers['content-type'] ?? '').includes('json');
      if (raw && isJson) {
        try {
          body = JSON.parse(raw);
        } catch {
          return send(res, graphError(400, 'BadRequest', 'Unable to read JSON request payload.'));
        }
      }
      state.requests.push({ method, url, body: isJson ? body : raw });
      let cut = false;
      for (const hook of state.hooks) {
        if (hook.times > 0 && hook.match(method, url)) {
          hook.times--;
          const canned = hook.run();
          if (canned?.status === 0) cut = true;
          else if (canned) return send(res, canned);
        }
      }
      const answer = await route(method, url, raw, body, req.headers.authorization);
      // The change is made, the answer is lost (a connection cut mid-call).
      if (cut) return void req.socket.destroy();
      send(res, answer);
    })().catch((err: Error) => send(res, graphError(500, 'generalException', err.message)));
  });

  async function route(method: string, url: URL, raw: string, body: unknown, authorization: string | undefined): Promise<Answer> {
    let m: RegExpExecArray | null;
    if ((m = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname)) && method === 'GET') return openIdConfiguration(state, origin, m[1]!);
    if ((m = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname)) && method === 'POST')
      return tokenEndpoint(state, origin, m[1]!, new URLSearchParams(raw), signer);
    const g = /^\/graph\/(v1\.0|beta)(\/.*)$/.exec(url.pathname);
    if (!g) return graphError(404, 'NotFound', `No route ${method} ${url.pathname}.`);
    const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (!bearer) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const token = state.tokens.get(bearer);
    if (!token) return graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
    if (state.now() >= token.expiresAt) return graphError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
    const graphBase = `${origin}/graph`;
    const p = decodeURIComponent(g[2]!).replace(/\/$/, '');
    const answer = fido2Route(state, graphBase, method, p, url, body, token) ?? (await directoryRoute(state, graphBase, method, p, url, body, token));
    return answer ?? graphError(400, 'BadRequest', `Resource not found for the segment '${p.split('/').pop()}'.`);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  origin = `https://127.0.0.1:${port}`;
  return {
    state,
    tenantId,
    loginUrl: origin,
    graphUrl: `${origin}/graph`,
    authorityHost: `127.0.0.1:${port}`,
    caPem: pki.caPem,
    caFile,
    fetch: fetchTrusting(pki.caPem),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A minimal fetch over node:https that trusts `ca` (Node 20's fetch cannot take a CA per call). */
export function fetchTrusting(ca: string): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const payload = init.body === undefined || init.body === null ? undefined : String(init.body);
    return new Promise<Response>((resolve, reject) => {
      const req = https.request(url, { method: init.method ?? 'GET', headers, ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
          const status = res.statusCode ?? 500;
          resolve(new Response(status === 204 ? null : Buffer.concat(chunks), { status, headers: h }));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      init.signal?.addEventListener('abort', () => req.destroy(new Error('aborted')));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }) as typeof fetch;
}

/**
 * The directory connector factory for tests in this process: Entra domains reach the emulator
 * through its trusting fetch (Retry-After waits recorded in `slept` instead of slept); AD and
 * other kinds are built as usual.
 */
export function emulatorConnectorFactory(emu: EntraEmulator, slept: number[] = []): ConnectorFactory {
  return (domain, secret) =>
    domain.kind === 'entra'
      ? createEntraConnector(entraSettings.parse(domain.settings), secret, {
          fetch: emu.fetch,
          sleep: async (ms) => {
            slept.push(ms);
          },
        })
      : createConnector(domain, secret);
}
