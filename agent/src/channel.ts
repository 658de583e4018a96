/**
 * The command channel (docs/agent-protocol.md §5): one WebSocket to Tessera, opened with a fresh
 * assertion each time, kept alive with heartbeats, and reopened after any loss with exponential
 * backoff — except after close code 4401 (the key was revoked or the workstation removed), where
 * reconnecting can never succeed. Frames are handed on one at a time, in order, so that `hello`
 * (profile and emergency state) is applied before the commands that follow it.
 */
import WebSocket from 'ws';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { Logger } from './log.js';
import { API_PREFIX, CLOSE_DENIED, CLOSE_REVOKED, type ServerFrame } from './protocol.js';

/** §5: frames over 64 KiB close the channel; the agent refuses them too rather than buffer them. */
export const MAX_FRAME_BYTES = 64 * 1024;
export const DEFAULT_HEARTBEAT_SECONDS = 30;
/**
 * Upgrades refused with 401 in a row (about half a minute of backoff) after which the agent stops
 * as revoked: an agent started again for a removed computer never gets the 4401 close, and
 * retrying for ever would hide that it must be enrolled again.
 */
export const MAX_REFUSED_UPGRADES = 5;

export function channelUrl(server: string): string {
  return `${server.replace(/\/+$/, '').replace(/^http/, 'ws')}${API_PREFIX}/channel`;
}

export interface ChannelOptions {
  url: string;
  makeAssertion(): string;
  onFrame(frame: ServerFrame): Promise<void> | void;
  /** Close code 4401: the agent must stop and be enrolled again. */
  onRevoked(): void;
  log: Logger;
  backoff?: BackoffOptions;
  clock?: () => number;
}

export interface Channel {
  start(): void;
  /** Closes the channel for good (1000). */
  stop(): Promise<void>;
  /** Sends a frame if the channel is open; false otherwise (an ack lost that way is resent by the server). */
  send(frame: object): boolean;
}

export function createChannel({ url, makeAssertion, onFrame, onRevoked, log, backoff = {}, clock = Date.now }: ChannelOptions): Channel {
  let socket: WebSocket | undefined;
  let attempt = 0;
  let refusedInARow = 0;
  /** Closed with 4403 and not connected since: the 401s that follow are the denial's. */
  let isDenied = false;
  let isStopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let heardAt = 0;
  let frames: Promise<void> = Promise.resolve();

  function startHeartbeat(ws: WebSocket, seconds: number): void {
    clearInterval(heartbeatTimer);
    const intervalMs = Math.max(1, seconds) * 1000;
    heartbeatTimer = setInterval(() => {
      // A server that vanished without closing the TCP connection answers no ping: after three
      // silent intervals the channel is given up and reopened, as the server counts us offline by then.
      if (clock() - heardAt > 3 * intervalMs) {
        log.warn('channel.stale', { silentMs: clock() - heardAt });
        ws.terminate();
        return;
      }
      ws.send(JSON.stringify({ type: 'heartbeat' }));
      ws.ping();
      log.debug('channel.heartbeat');
    }, intervalMs);
  }

  function handle(ws: WebSocket, text: string): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text);
      if (typeof frame !== 'object' || frame === null || typeof frame.type !== 'string') throw new Error('not a frame object');
    } catch (err) {
      log.warn('channel.bad_frame', { error: err });
      return;
    }
    if (frame.type === 'hello') {
      // A hello is a working connection: the next loss starts again from the first delay.
      attempt = 0;
      startHeartbeat(ws, Number(frame.heartbeatSeconds) || DEFAULT_HEARTBEAT_SECONDS);
    }
    frames = frames
      .then(() => onFrame(frame))
      .catch((err) => {
        log.error('channel.frame_failed', { type: frame.type, error: err });
      });
  }

  function connect(): void {
    if (isStopped) return;
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${makeAssertion()}` }, maxPayload: MAX_FRAME_BYTES, handshakeTimeout: 15_000 });
    socket = ws;
    let isRefused = false;
    ws.on('open', () => {
      refusedInARow = 0;
      isDenied = false;
      heardAt = clock();
      log.info('channel.connected', { url });
    });
    ws.on('message', (data, isBinary) => {
      heardAt = clock();
      if (!isBinary) handle(ws, data.toString());
    });
    ws.on('pong', () => {
      heardAt = clock();
    });
    // A refused upgrade (401 for an assertion Tessera does not accept) or a network error; `close` follows.
    ws.on('error', (err) => {
      isRefused = /Unexpected server response: 401/.test(err.message);
      log.warn('channel.error', {
        error: err,
        ...(isRefused && { why: 'Tessera refused the assertion: the workstation was removed or denied, or this computer’s clock is off by more than 30 s' }),
      });
    });
    ws.on('close', (code, reasonBuffer) => {
      clearInterval(heartbeatTimer);
      if (socket === ws) socket = undefined;
      if (isStopped) return;
      const reason = reasonBuffer.toString();
      if (code === CLOSE_REVOKED) {
        isStopped = true;
        log.error('channel.revoked', { code, reason, why: 'Tessera revoked this workstation key or removed the workstation: enrol it again' });
        onRevoked();
        return;
      }
      // A denied computer's assertions are refused too (401) until an admin approves it again:
      // those refusals are expected, and never stop the agent.
      refusedInARow = isRefused && !isDenied ? refusedInARow + 1 : 0;
      if (refusedInARow >= MAX_REFUSED_UPGRADES) {
        isStopped = true;
        log.error('channel.revoked', {
          code,
          refusals: refusedInARow,
          why: 'Tessera refused this workstation’s assertions every time: the workstation was removed or denied (enrol it again), or this computer’s clock is off by more than 30 s',
        });
        onRevoked();
        return;
      }
      // Denied by an admin: retried at the slowest pace, so that an admin who changes their mind is heard within a minute.
      if (code === CLOSE_DENIED) {
        isDenied = true;
        attempt = Math.max(attempt, 30);
      }
      const delayMs = backoffDelay(attempt++, backoff);
      log.warn('channel.closed', { code, reason, retryInMs: delayMs });
      retryTimer = setTimeout(connect, delayMs);
    });
  }

  return {
    start() {
      isStopped = false;
      connect();
    },
    async stop() {
      isStopped = true;
      clearTimeout(retryTimer);
      clearInterval(heartbeatTimer);
      const ws = socket;
      if (!ws || ws.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          ws.terminate();
          resolve();
        }, 2_000);
        ws.once('close', () => {
          clearTimeout(force);
          resolve();
        });
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close(1000, 'agent stopping');
      });
    },
    send(frame) {
      if (socket?.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(frame));
      return true;
    },
  };
}
