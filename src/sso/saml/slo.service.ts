import crypto from 'node:crypto';
import type { AuditService } from '../../audit/audit.service.js';
import type { Db } from '../../db/connection.js';
import type { Clock } from '../../lib/clock.js';
import type { RequestContext } from '../../lib/context.js';
import type { SessionService } from '../../sessions/session.service.js';
import type { SamlKeyStore } from '../saml-core/keys.js';
import type { ReplayStore } from '../saml-core/replay-store.js';
import { signElement, signRedirectQuery, verifyRedirectSignature, verifyRootSignature } from '../saml-core/signature.js';
import { newSamlId } from '../saml-core/xml.js';
import { buildLogoutRequest, buildLogoutResponse, decodeMessage, deflateMessage, readLogoutRequest, readLogoutResponse, rootOf, STATUS } from './messages.js';
import * as state from './saml-state.repository.js';
import type { ServiceProviderService } from './sp.service.js';
import { SsoFailure } from './sso.service.js';
import { wsfedCleanupUrl } from '../wsfed/wsfed.service.js';

/** A logout walks the SPs one by one through the browser; each step waits this long at most. */
const LOGOUT_LIFETIME_S = 600;

interface Participant {
  spId: string;
  nameId: string;
  nameIdFormat: string;
  sessionIndex: string;
}
interface LogoutState {
  initiator?: { spId: string; requestId: string; relayState: string | null };
  queue: Participant[];
  /** Set when some SP could not be told (no SLO endpoint): the answer is PartialLogout. */
  partial: boolean;
  /** WS-Fed relying parties of the ended sessions: their wsignoutcleanup1.0 URLs, loaded by the signed-out page. */
  cleanup?: string[];
  /** Where an IdP-initiated logout ends: a path of ours, or the post_logout_redirect_uri oidc-provider checked against the client's registration (oidc.logout.ts); never taken from the request as is. */
  back?: string;
}

/** What the route does next: redirect the browser, or auto-post a form, or show "signed out". */
export type LogoutStep =
  | { kind: 'redirect'; url: string }
  | { kind: 'post'; action: string; fields: Record<string, string | undefined> }
  | { kind: 'done'; cleanup?: string[]; back?: string };

const withQuery = (url: string, query: string) => `${url}${url.includes('?') ? '&' : '?'}${query}`;

export type SamlLogoutService = ReturnType<typeof createSamlLogoutService>;

/** An application a logout of a Tessera session reaches, and whether it is told (else its own session stays until it ends there). */
export interface LoggedOutApplication {
  name: string;
  isNotified: boolean;
}

/**
 * Another protocol's side of the same Tessera session (OIDC: src/sso/oidc/oidc-single-logout.ts),
 * registered by its mount: every logout this service runs ends it too, and the question before
 * a logout lists its applications.
 */
export interface LogoutParticipant {
  applicationsOf(sessionId: string): Promise<LoggedOutApplication[]>;
  endSessions(ctx: RequestContext, sessionIds: string[]): Promise<void>;
}

/**
 * Single logout (saml-profiles §4.4) across the SPs an employee's Tessera session signed in to:
 * the session ends at once, then each other SP gets a LogoutRequest through the browser
 * (front channel), and finally the SP that asked gets its LogoutResponse.
 */
export function createSamlLogoutService(deps: {
  db: Db;
  keys: SamlKeyStore;
  sps: ServiceProviderService;
  replay: ReplayStore;
  sessions: SessionService;
  audit: AuditService;
  clock: Clock;
  urls: { entityId: string; slo: string };
}) {
  const { db, keys, sps, replay, sessions, audit, clock, urls } = deps;
  const participants: LogoutParticipant[] = [];

  /**
   * Ends the Tessera sessions and their SAML/WS-Fed sessions; returns the SAML SPs to send a
   * LogoutRequest to, and the cleanup URLs of the WS-Fed relying parties (which share the table).
   */
  async function collect(ctx: RequestContext, sessionIds: string[], exceptSpId?: string): Promise<{ queue: Participant[]; cleanup: string[] }> {
    const queue: Participant[] = [];
    const cleanup = new Set<string>();
    for (const p of participants) await p.endSessions(ctx, sessionIds);
    for (const id of sessionIds) {
      for (const s of await state.findSamlSessionsBySession(db, id)) {
        if (s.spId === exceptSpId) continue;
        const rp = await sps.findEnabledById('wsfed', s.spId);
        const url = rp && wsfedCleanupUrl(rp);
        if (url) cleanup.add(url);
        else if (!rp) queue.push({ spId: s.spId, nameId: s.nameId, nameIdFormat: s.nameIdFormat, sessionIndex: s.sessionIndex });
      }
      await state.deleteSamlSessionsBySession(db, id);
      await sessions.revoke(id);
    }
    return { queue, cleanup: [...cleanup] };
  }

  async function next(stateId: string, st: LogoutState): Promise<LogoutStep> {
    const now = clock.now();
    const key = await keys.activeKey();
    while (st.queue.length) {
      const p = st.queue.shift()!;
      const sp = await sps.findEnabledById('saml', p.spId);
      if (!sp?.sloUrl) {
        st.partial = true;
        continue;
      }
      const id = newSamlId(crypto.randomBytes);
      const xml = buildLogoutRequest({
        id,
        issuer: urls.entityId,
        issueInstant: now,
        destination: sp.sloUrl,
        nameId: p.nameId,
        nameIdFormat: p.nameIdFormat,
        spNameQualifier: sp.entityId,
        sessionIndex: p.sessionIndex,
        notOnOrAfter: new Date(now.getTime() + LOGOUT_LIFETIME_S * 1000),
      });
      await state.updatePending(db, stateId, st as unknown as Record<string, unknown>);
      if (sp.sloBinding === 'post')
        return {
          kind: 'post',
          action: sp.sloUrl,
          fields: { SAMLRequest: Buffer.from(signElement(xml, key, { localName: 'LogoutRequest', id })).toString('base64'), RelayState: stateId },
        };
      return {
        kind: 'redirect',
        url: withQuery(sp.sloUrl, signRedirectQuery(`SAMLRequest=${encodeURIComponent(deflateMessage(xml))}&RelayState=${encodeURIComponent(stateId)}`, key)),
      };
    }
    await state.deletePending(db, stateId, now);
    const init = st.initiator;
    const sp = init && (await sps.findEnabledById('saml', init.spId));
    if (!init || !sp?.sloUrl) return { kind: 'done', cleanup: st.cleanup ?? [], back: st.back };
    const id = newSamlId(crypto.randomBytes);
    const xml = buildLogoutResponse({
      id,
      issuer: urls.entityId,
      issueInstant: now,
      destination: sp.sloUrl,
      inResponseTo: init.requestId,
      status: st.partial ? { top: STATUS.success, second: STATUS.partialLogout } : { top: STATUS.success },
    });
    if (sp.sloBinding === 'post')
      return {
        kind: 'post',
        action: sp.sloUrl,
        fields: {
          SAMLResponse: Buffer.from(signElement(xml, key, { localName: 'LogoutResponse', id })).toString('base64'),
          RelayState: init.relayState ?? undefined,
        },
      };
    const relay = init.relayState ? `&RelayState=${encodeURIComponent(init.relayState)}` : '';
    return { kind: 'redirect', url: withQuery(sp.sloUrl, signRedirectQuery(`SAMLResponse=${encodeURIComponent(deflateMessage(xml))}${relay}`, key)) };
  }

  async function start(st: LogoutState): Promise<LogoutStep> {
    const id = crypto.randomBytes(24).toString('base64url');
    await state.insertPending(db, {
      id,
      kind: 'slo',
      data: st as unknown as Record<string, unknown>,
      expiresAt: new Date(clock.now().getTime() + LOGOUT_LIFETIME_S * 1000),
    });
    return next(id, st);
  }

  return {
    /** Registers another protocol's side of the session (see LogoutParticipant). */
    addParticipant(participant: LogoutParticipant) {
      participants.push(participant);
    },
    /**
     * The applications that the Tessera session signed in to and that a logout of it reaches,
     * for the question before it (oidc.logout.ts, the portal): SAML SPs (told when they have an
     * SLO endpoint), WS-Fed relying parties (told by their cleanup URL), and the participants'.
     */
    async applicationsOf(sessionId: string): Promise<LoggedOutApplication[]> {
      const apps = new Map<string, LoggedOutApplication>();
      for (const s of await state.findSamlSessionsBySession(db, sessionId)) {
        const sp = await sps.findEnabledById('saml', s.spId);
        const rp = sp ? undefined : await sps.findEnabledById('wsfed', s.spId);
        if (sp) apps.set(sp.id, { name: sp.name, isNotified: Boolean(sp.sloUrl) });
        else if (rp) apps.set(rp.id, { name: rp.name, isNotified: Boolean(wsfedCleanupUrl(rp)) });
      }
      const others = (await Promise.all(participants.map((p) => p.applicationsOf(sessionId)))).flat();
      return [...apps.values(), ...others];
    },
    /** A LogoutRequest from an SP (either binding). Signed requests are required from SPs with a certificate. */
    async fromSp(
      ctx: RequestContext,
      input: { binding: 'redirect' | 'post'; message: string; relayState: string | null; rawQuery?: string },
      cookieSessionId: string | undefined,
    ): Promise<LogoutStep> {
      let root;
      let request;
      try {
        root = rootOf(decodeMessage(input.message, input.binding === 'redirect'));
        request = readLogoutRequest(root);
      } catch (err) {
        throw new SsoFailure('saml.request_malformed', `The logout request cannot be used: ${(err as Error).message}`);
      }
      const sp = await sps.findEnabledByEntityId('saml', request.issuer);
      if (!sp) throw new SsoFailure('saml.sp_unknown', `No enabled service provider is registered with entity ID ${request.issuer}`);
      if (sp.certificates.length) {
        try {
          if (input.binding === 'redirect') verifyRedirectSignature(input.rawQuery ?? '', 'SAMLRequest', sp.certificates);
          else request = readLogoutRequest(verifyRootSignature(decodeMessage(input.message, false), sp.certificates));
        } catch (err) {
          throw new SsoFailure('saml.signature_invalid', `The logout request signature is not valid: ${(err as Error).message}`);
        }
      }
      // Freshness (saml-core §3.7.1, §1.3.3): a captured request is refused once its time is up,
      // and the replay record below lives exactly as long, so no replay window is left open.
      const now = clock.now().getTime();
      const skew = sp.clockSkewSeconds * 1000;
      const issued = request.issueInstant.getTime();
      if (issued > now + skew || issued + LOGOUT_LIFETIME_S * 1000 + skew < now)
        throw new SsoFailure('saml.request_expired', 'The logout request is too old or from the future (check the clocks)');
      if (request.notOnOrAfter && request.notOnOrAfter.getTime() + skew <= now)
        throw new SsoFailure('saml.request_expired', 'The logout request is past its NotOnOrAfter');
      if (request.destination && request.destination !== urls.slo)
        throw new SsoFailure('saml.destination_mismatch', `The logout request is for ${request.destination}, not ${urls.slo}`);
      if (!(await replay.markSeen(`logout:${sp.id}:${request.id}`, new Date(issued + LOGOUT_LIFETIME_S * 1000 + 2 * skew)))) {
        throw new SsoFailure('saml.request_replayed', 'This logout request was already used');
      }
      // The SP's sessions named by SessionIndex (or, without one, by NameID), and the Tessera
      // sessions behind them. An unsigned request (SP without a certificate) must name an
      // unguessable SessionIndex: a NameID alone would let anyone sign an employee out.
      const isSigned = sp.certificates.length > 0;
      const found = request.sessionIndexes.length
        ? (await Promise.all(request.sessionIndexes.map((i) => state.findSamlSessionByIndex(db, i)))).filter(
            (s) => s && s.spId === sp.id && s.nameId === request.nameId,
          )
        : isSigned
          ? await state.findSamlSessionsBySp(db, sp.id, request.nameId)
          : [];
      // Nothing found (already expired): the browser that asked still ends its own session.
      const sessionIds = [...new Set(found.length ? found.map((s) => s!.sessionId) : cookieSessionId ? [cookieSessionId] : [])];
      const { queue, cleanup } = await collect(ctx, sessionIds, sp.id);
      await audit.record(ctx, {
        action: 'saml.logout',
        target: { type: 'saml_sp', id: sp.id, label: sp.name },
        details: { initiator: 'sp', sessions: sessionIds.length, otherSps: queue.length, relyingParties: cleanup.length },
      });
      // The initiating SP gets its LogoutResponse last, so WS-Fed cleanup has no page to run on: PartialLogout says so.
      return start({ initiator: { spId: sp.id, requestId: request.id, relayState: input.relayState }, queue, partial: cleanup.length > 0 });
    },
    /**
     * The employee signs out of everything from Tessera (IdP-initiated SLO, the portal's "Sign
     * out"): the session ends now, then each SAML SP is told through the browser, and the last
     * page loads the WS-Fed relying parties' cleanup URLs. `back`: where to end (see LogoutState.back).
     */
    async fromIdp(ctx: RequestContext, sessionId: string, opts: { back?: string; exceptCleanup?: string } = {}): Promise<LogoutStep> {
      const collected = await collect(ctx, [sessionId]);
      const { queue } = collected;
      const cleanup = collected.cleanup.filter((u) => u !== opts.exceptCleanup);
      await audit.record(ctx, { action: 'saml.logout', details: { initiator: 'idp', otherSps: queue.length, relyingParties: cleanup.length } });
      return start({ queue, partial: false, cleanup, back: opts.back });
    },
    /** A LogoutResponse from an SP in the chain: on to the next one. */
    async responseFromSp(input: { binding: 'redirect' | 'post'; message: string; relayState: string | null }): Promise<LogoutStep> {
      try {
        readLogoutResponse(rootOf(decodeMessage(input.message, input.binding === 'redirect')));
      } catch (err) {
        throw new SsoFailure('saml.request_malformed', `The logout response cannot be used: ${(err as Error).message}`);
      }
      const id = input.relayState ?? '';
      const st = /^[A-Za-z0-9_-]{16,64}$/.test(id) ? await state.findPending(db, id, 'slo', clock.now()) : undefined;
      if (!st) return { kind: 'done' };
      return next(id, st.data as unknown as LogoutState);
    },
  };
}
