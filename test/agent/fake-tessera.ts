/**
 * A small stand-in for Tessera's agent endpoints (docs/agent-protocol.md), for the agent's protocol
 * tests: it checks every assertion the way §3 says the server does (ES256 with the enrolled key,
 * typ, kid, iss, aud, lifetime ≤ 60 s, unique jti) and records what the agent sends. It is not the
 * server: the end-to-end tests against the real one live with the server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { importJWK, jwtVerify, type JWK } from 'jose';
import { WebSocketServer, type WebSocket } from 'ws';

export const GOOD_TOKEN = 'te_good-token';
/** A uuid, as Tessera's workstation ids are. */
export const WORKSTATION_ID = '5f0c6d3e-8a54-4c4e-9d1b-2f6a7e9c1b20';

export const OFFICE_PROFILE = {
  id: 'prof_office',
  name: 'Office',
  idleLockMinutes: 10,
  lockOnSessionEnd: true,
  unlockMethods: ['security_key', 'passkey'],
  rdpAllowed: false,
  offlineLogonDays: 7,
  deactivatedEmployeesMayUnlock: true,
};

export interface AuthorizeCall {
  account: string;
  action: string;
  method: string;
}

export interface FakeTessera {
  url: string;
  /** Mutable: what the fake answers. */
  config: {
    status: 'pending' | 'approved' | 'denied';
    profile: typeof OFFICE_PROFILE | null;
    emergency: { active: boolean; version: number; reason: string | null };
    heartbeatSeconds: number;
    /** Answer the next n event batches with 503. */
    failEvents: number;
    /** Store the next n event batches but drop the connection instead of answering (a lost answer). */
    loseEventsAnswers: number;
    /** Answer authorize with 503 (the server is "down" for decisions). */
    authorizeDown: boolean;
    authorize(call: AuthorizeCall): { allowed: boolean; code: string | null; reason: string | null };
    revoked: boolean;
  };
  enrolments: { token: string; publicKey: JWK; facts: Record<string, unknown> }[];
  /** Every events POST body, in order, including refused ones; `answered` is the status (0: the connection was dropped). */
  batches: { events: Record<string, unknown>[]; answered: number }[];
  authorizeCalls: AuthorizeCall[];
  /** Every frame the agent sent on any channel connection. */
  frames: Record<string, unknown>[];
  connections: { jti: string; socket: WebSocket }[];
  /** jtis of every accepted assertion (HTTP and channel). */
  jtis: string[];
  rejectedAssertions: string[];
  /** Sends a frame on the newest open channel. */
  send(frame: object): void;
  closeChannel(code: number, reason?: string): void;
  waitUntil<T>(probe: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export async function startFakeTessera(): Promise<FakeTessera> {
  const wss = new WebSocketServer({ noServer: true });
  let url = '';
  const fake: Omit<FakeTessera, 'send' | 'closeChannel' | 'waitUntil' | 'stop' | 'url'> = {
    config: {
      status: 'pending',
      profile: null,
      emergency: { active: false, version: 0, reason: null },
      heartbeatSeconds: 30,
      failEvents: 0,
      loseEventsAnswers: 0,
      authorizeDown: false,
      authorize: () => ({ allowed: true, code: null, reason: null }),
      revoked: false,
    },
    enrolments: [],
    batches: [],
    authorizeCalls: [],
    frames: [],
    connections: [],
    jtis: [],
    rejectedAssertions: [],
  };
  const storedIds = new Set<string>();

  /** §3, as the server checks it; the reason goes to rejectedAssertions, the agent only sees 401. */
  async function verify(header: string | undefined): Promise<string | null> {
    try {
      const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
      if (!token) throw new Error('no bearer assertion');
      if (fake.config.revoked) throw new Error('revoked');
      const enrolled = fake.enrolments.at(-1);
      if (!enrolled) throw new Error('not enrolled');
      const { payload, protectedHeader } = await jwtVerify(token, await importJWK(enrolled.publicKey, 'ES256'), {
        algorithms: ['ES256'],
        typ: 'tessera-agent+jwt',
        audience: url,
        issuer: WORKSTATION_ID,
      });
      if (protectedHeader.kid !== WORKSTATION_ID) throw new Error(`kid ${protectedHeader.kid}`);
      if (payload.exp! - payload.iat! > 60) throw new Error('lives longer than 60 s');
      const jti = String(payload.jti ?? '');
      if (jti.length < 16 || jti.length > 128) throw new Error('jti length');
      if (fake.jtis.includes(jti)) throw new Error('jti replayed');
      fake.jtis.push(jti);
      return jti;
    } catch (err) {
      fake.rejectedAssertions.push((err as Error).message);
      return null;
    }
  }

  const json = (res: http.ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const error = (res: http.ServerResponse, status: number, code: string) => json(res, status, { error: { code, message: code } });

  const server = http.createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = text ? JSON.parse(text) : null;
    const route = `${req.method} ${req.url}`;
    if (route === 'POST /api/agent/v1/enroll') {
      if (body.token !== GOOD_TOKEN) return error(res, 400, 'workstations.token_invalid');
      if (body.publicKey?.kty !== 'EC' || body.publicKey?.crv !== 'P-256' || 'd' in body.publicKey) return error(res, 400, 'workstations.public_key_invalid');
      fake.enrolments.push(body);
      return json(res, 201, { workstationId: WORKSTATION_ID, status: fake.config.status, audience: url });
    }
    if (!(await verify(req.headers.authorization))) return error(res, 401, 'agent.assertion_invalid');
    const { status, profile, emergency } = fake.config;
    if (route === 'GET /api/agent/v1/status') {
      return json(res, 200, { workstationId: WORKSTATION_ID, name: 'WS-0042', status, profile: status === 'approved' ? profile : null, emergency });
    }
    if (route === 'POST /api/agent/v1/events') {
      const batch = { events: body.events, answered: 0 };
      fake.batches.push(batch);
      if (status !== 'approved') return error(res, (batch.answered = 403), 'agent.not_approved');
      if (fake.config.failEvents > 0) {
        fake.config.failEvents--;
        return error(res, (batch.answered = 503), 'server.unavailable');
      }
      let duplicates = 0;
      for (const e of body.events) {
        if (storedIds.has(e.id)) duplicates++;
        storedIds.add(e.id);
      }
      if (fake.config.loseEventsAnswers > 0) {
        fake.config.loseEventsAnswers--;
        req.socket.destroy();
        return;
      }
      batch.answered = 200;
      return json(res, 200, { accepted: body.events.length - duplicates, duplicates });
    }
    if (route === 'POST /api/agent/v1/authorize') {
      fake.authorizeCalls.push(body);
      if (fake.config.authorizeDown) return error(res, 503, 'server.unavailable');
      if (status !== 'approved') return error(res, 403, 'agent.not_approved');
      return json(res, 200, { ...fake.config.authorize(body), employee: null });
    }
    return error(res, 404, 'not_found');
  });

  server.on('upgrade', async (req, socket, head) => {
    // Node takes its own error listener off an upgraded socket; an agent hanging up mid-handshake
    // must not be an uncaught ECONNRESET in the test process.
    socket.on('error', () => {});
    const jti = req.url === '/api/agent/v1/channel' ? await verify(req.headers.authorization) : null;
    if (!jti) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      fake.connections.push({ jti, socket: ws });
      ws.on('message', (data) => fake.frames.push(JSON.parse(data.toString())));
      const { status, profile, emergency, heartbeatSeconds } = fake.config;
      ws.send(
        JSON.stringify({
          type: 'hello',
          workstation: { id: WORKSTATION_ID, name: 'WS-0042', status },
          profile: status === 'approved' ? profile : null,
          emergency,
          heartbeatSeconds,
          serverTime: new Date().toISOString(),
        }),
      );
      // §5: an agent that connects while a block is active gets it as a command too.
      if (emergency.active)
        ws.send(
          JSON.stringify({
            type: 'command',
            id: `emergency:${emergency.version}`,
            kind: 'emergency_block',
            payload: { reason: emergency.reason },
            issuedAt: new Date().toISOString(),
          }),
        );
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const open = () => [...fake.connections].reverse().find((c) => c.socket.readyState === c.socket.OPEN)?.socket;
  return {
    ...fake,
    url,
    send(frame) {
      const ws = open();
      if (!ws) throw new Error('no open channel');
      ws.send(JSON.stringify(frame));
    },
    closeChannel(code, reason = '') {
      open()?.close(code, reason);
    },
    async waitUntil(probe, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = probe();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${probe.toString()}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      for (const c of fake.connections) c.socket.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
