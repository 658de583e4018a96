import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AuditService } from '../../audit/audit.service.js';
import type { Config } from '../../config/config.js';
import type { Db } from '../../db/connection.js';
import { employeeSessionCookieName } from '../../http/auth.js';
import type { Clock } from '../../lib/clock.js';
import type { RequestContext } from '../../lib/context.js';
import type { SessionService } from '../../sessions/session.service.js';
import type { LoggedOutApplication } from '../saml/slo.service.js';
import { sendBackchannelLogouts, type BackchannelTarget } from './oidc.backchannel.js';
import { deleteSessionLinksBySessions, findSessionLinksBySessions, upsertSessionLink } from './oidc-session-link.repository.js';

/** oidc-provider's Session model, as far as a logout reads it (see oidc-provider.d.ts). */
interface ProviderSession {
  uid: string;
  accountId?: string;
  authorizations?: Record<string, { sid?: string; grantId?: string; persistsLogout?: boolean }>;
  destroy(): Promise<void>;
}

export type OidcSingleLogout = ReturnType<typeof createOidcSingleLogout>;

/**
 * The OIDC side of a single logout that starts outside OIDC (a SAML SP's LogoutRequest, the
 * IdP-initiated /saml/logout, the portal's Sign out, a WS-Fed wsignout1.0): the provider sessions
 * built on the ending Tessera session end, so a later /oidc/auth asks to sign in again, and each
 * client of them with a backchannel_logout_uri gets a logout token. The SAML walk calls it
 * through its participant hook (slo.service.ts), wired in oidc.routes.ts.
 */
export function createOidcSingleLogout(deps: { db: Db; audit: AuditService; clock: Clock; runtime: { provider?: Provider } }) {
  const { db, audit, clock, runtime } = deps;

  /** The live provider sessions of these Tessera sessions, each belonging to the employee its link names. */
  async function providerSessionsOf(tesseraSessionIds: string[]): Promise<{ provider: Provider; sessions: ProviderSession[] }> {
    const provider = runtime.provider;
    if (!provider) return { provider: undefined as never, sessions: [] };
    const links = await findSessionLinksBySessions(db, tesseraSessionIds);
    const sessions: ProviderSession[] = [];
    const seen = new Set<string>();
    for (const link of links) {
      if (seen.has(link.providerSessionUid)) continue;
      seen.add(link.providerSessionUid);
      const session = (await provider.Session.findByUid(link.providerSessionUid)) as ProviderSession | undefined;
      if (session?.accountId === link.accountId) sessions.push(session);
    }
    return { provider, sessions };
  }

  /**
   * Revokes a grant with its tokens and codes, as oidc-provider's end_session does
   * (lib/helpers/revoke.js, which takes a request context this walk does not have).
   */
  async function revokeGrant(provider: Provider, grantId: string) {
    const p = provider as unknown as Record<string, { revokeByGrantId(id: string): Promise<void> } | undefined>;
    await Promise.all(['AccessToken', 'RefreshToken', 'AuthorizationCode', 'DeviceCode'].map((m) => p[m]?.revokeByGrantId(grantId)));
    await (provider.Grant as unknown as { adapter: { destroy(id: string): Promise<void> } }).adapter.destroy(grantId);
  }

  return {
    /** Records that the provider session `uid` of `accountId` was built on this Tessera session. */
    link: (tesseraSessionId: string, providerSessionUid: string, accountId: string, expiresAt: Date) =>
      upsertSessionLink(db, { tesseraSessionId, providerSessionUid, accountId, expiresAt }, clock.now()),

    /** The OIDC applications a logout of this Tessera session reaches, and whether each hears of it. */
    async applicationsOf(tesseraSessionId: string): Promise<LoggedOutApplication[]> {
      const { provider, sessions } = await providerSessionsOf([tesseraSessionId]);
      const apps = new Map<string, LoggedOutApplication>();
      for (const session of sessions)
        for (const clientId of Object.keys(session.authorizations ?? {})) {
          const client = await provider.Client.find(clientId);
          if (client) apps.set(clientId, { name: client.clientName ?? client.clientId, isNotified: Boolean(client.backchannelLogoutUri) });
        }
      return [...apps.values()];
    },

    /**
     * Ends the provider sessions of these Tessera sessions. Grants of each session are revoked
     * unless oidc-provider marked them to persist logout, the rule of its own end_session: with
     * expiresWithSession always true (oidc.provider.ts) none is marked, so refresh tokens go too,
     * offline_access included (Back-Channel Logout 1.0 §2.7 lets an OP keep those; Tessera's
     * sign-out ends an employee's access everywhere, see the README). The logout tokens go out
     * after the sessions ended and are not waited for: a client that is down or slow holds up no
     * browser (its failure is audited by sendBackchannelLogouts).
     */
    async endSessions(ctx: RequestContext, tesseraSessionIds: string[]): Promise<void> {
      const { provider, sessions } = await providerSessionsOf(tesseraSessionIds);
      const notices: { accountId: string; targets: BackchannelTarget[] }[] = [];
      for (const session of sessions) {
        const targets: BackchannelTarget[] = [];
        for (const [clientId, a] of Object.entries(session.authorizations ?? {})) {
          if (a.grantId && !a.persistsLogout) await revokeGrant(provider, a.grantId);
          if (a.sid) targets.push({ clientId, sid: a.sid });
        }
        await session.destroy();
        notices.push({ accountId: session.accountId!, targets });
      }
      await deleteSessionLinksBySessions(db, tesseraSessionIds);
      if (!sessions.length) return;
      await audit.record(ctx, {
        action: 'oidc.logout',
        details: { initiator: 'single_logout', sessions: sessions.length, clients: notices.reduce((n, s) => n + s.targets.length, 0) },
      });
      for (const { accountId, targets } of notices) void sendBackchannelLogouts({ provider, audit, ctx }, accountId, targets);
    },
  };
}

/**
 * Records which Tessera session a provider session answers on (oidc-provider middleware): after
 * an authorization or its resume, when the provider session's account is the employee of the
 * Tessera session in the same browser (the tessera_session check of oidc.provider.ts asks the
 * same). Written before the answer leaves, so a logout right after it finds the link.
 */
export const linkProviderSession =
  (services: { sessions: SessionService; config: Config; oidcLogout: Pick<OidcSingleLogout, 'link'>; ttlSeconds: number; clock: Clock }) =>
  async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined;
    if (oidc?.route !== 'authorization' && oidc?.route !== 'resume') return;
    const session = oidc.entities.Session as (ProviderSession & { destroyed?: boolean }) | undefined;
    if (!session?.accountId || session.destroyed) return;
    const token = ctx.cookies.get(employeeSessionCookieName(services.config.isSecure));
    if (!token) return;
    const { session: tessera } = await services.sessions.resolve(token);
    if (tessera?.subjectType !== 'employee' || tessera.subjectId !== session.accountId) return;
    await services.oidcLogout.link(tessera.id, session.uid, session.accountId, new Date(services.clock.now().getTime() + services.ttlSeconds * 1000));
  };
