import type Provider from 'oidc-provider';
import type { AuditService } from '../../audit/audit.service.js';
import { systemContext, type RequestContext } from '../../lib/context.js';

export interface BackchannelTarget {
  clientId: string;
  sid: string;
}

/**
 * Back-channel logout (OIDC Back-Channel Logout 1.0 §2.5) for provider sessions that have already
 * ended: each client that registered a backchannel_logout_uri gets a logout token with `sub`
 * (the employee id, as in its ID tokens) and the `sid` of its part of the session. The token is
 * built and sent by oidc-provider's own Client#backchannelLogout, the call its RP-initiated logout
 * makes, which gives up on a target after 2.5 s (its fetch signal); a failure is audited and
 * stops nothing. Used by every logout that does not pass through oidc-provider's end_session:
 * an employee disabled or deleted (oidc.service.ts), and the single-logout walk started by SAML
 * or the portal (oidc-single-logout.ts).
 */
export async function sendBackchannelLogouts(
  deps: { provider: Provider | undefined; audit: AuditService; ctx?: RequestContext },
  accountId: string,
  targets: BackchannelTarget[],
): Promise<void> {
  const { provider, audit } = deps;
  if (!provider) return;
  await Promise.all(
    targets.map(async ({ clientId, sid }) => {
      try {
        const client = await provider.Client.find(clientId);
        if (client?.backchannelLogoutUri) await client.backchannelLogout(accountId, sid);
      } catch (err) {
        await recordBackchannelFailure(audit, deps.ctx ?? systemContext(), { clientId, accountId, reason: (err as Error).message });
      }
    }),
  );
}

/** The one audit record of a back-channel logout that did not reach its client (any logout path). */
export function recordBackchannelFailure(audit: AuditService, ctx: RequestContext, failure: { clientId: string; accountId: string | null; reason: string }) {
  return audit
    .record(ctx, {
      action: 'oidc.backchannel_logout_failed',
      outcome: 'failure',
      target: { type: 'oidc_client', id: null, label: failure.clientId },
      details: { employeeId: failure.accountId, reason: failure.reason },
    })
    .catch(() => undefined);
}
