/**
 * The three Entra groups that mirror pairing states, so that tenant administrators can target
 * Conditional Access or authentication-method policies at them. Tessera creates them when missing
 * (security groups, not mail-enabled) and moves each user into the group of their state, out of
 * the two others. Every Graph write is audited.
 */
import type { AuditService } from '../../audit/audit.service.js';
import type { Executor } from '../../db/connection.js';
import { pairingStates, type PairingState } from './entra.constants.js';
import type { RequestContext } from '../../lib/context.js';
import { GraphError, odataQuote, type GraphClient } from './graph-client.js';
import * as repo from './entra-passkey.repository.js';

export const pairingGroupNames: Record<PairingState, string> = {
  pending: 'Tessera Passkey Eligible',
  paired_tessera: 'Tessera Passkey Paired',
  paired_entra: 'Tessera Passkey Paired with Entra',
};

export type PairingGroupIds = Record<PairingState, string>;

interface Deps {
  db: Executor;
  audit: AuditService;
  graph: GraphClient;
  domainId: string;
}

/** The tenant's pairing group ids, finding or creating each group once. */
export async function ensurePairingGroups(ctx: RequestContext, d: Deps): Promise<PairingGroupIds> {
  const known = new Map((await repo.findPairingGroups(d.db, d.domainId)).map((g) => [g.state, g.groupId]));
  for (const state of pairingStates) {
    if (known.has(state)) continue;
    const name = pairingGroupNames[state];
    const found = await d.graph.get<{ value: { id: string }[] }>(
      `/groups?$filter=${encodeURIComponent(`displayName eq ${odataQuote(name)}`)}&$select=id,displayName`,
    );
    let id = found.value[0]?.id;
    if (!id) {
      const created = await d.graph.post<{ id: string }>('/groups', {
        displayName: name,
        description: `Managed by Tessera: users whose passkey pairing state is "${state}"`,
        mailEnabled: false,
        mailNickname: name.replace(/[^A-Za-z0-9]/g, ''),
        securityEnabled: true,
      });
      id = created.id;
      await d.audit.record(ctx, { action: 'entra.group_created', target: { type: 'entra_group', id, label: name }, details: { domainId: d.domainId, state } });
    }
    await repo.insertPairingGroup(d.db, { domainId: d.domainId, state, groupId: id, displayName: name });
    known.set(state, id);
  }
  return Object.fromEntries(pairingStates.map((s) => [s, known.get(s)!])) as PairingGroupIds;
}

/**
 * Puts the user in the group of `to` and takes them out of the others. `from` is the state last
 * mirrored (null: unknown, so every other group is cleaned). Already-there and already-gone answers
 * are fine: the call is repeatable after a crash.
 */
export async function mirrorPairingState(
  ctx: RequestContext,
  d: Deps & { groups: PairingGroupIds; userId: string; label: string; from: PairingState | null; to: PairingState | null },
): Promise<void> {
  for (const state of pairingStates) {
    if (state === d.to || (d.from !== null && d.from !== state)) continue;
    const groupId = d.groups[state];
    try {
      await d.graph.delete(`/groups/${groupId}/members/${encodeURIComponent(d.userId)}/$ref`);
      await d.audit.record(ctx, {
        action: 'entra.group_member_removed',
        target: { type: 'entra_user', id: d.userId, label: d.label },
        details: { domainId: d.domainId, group: pairingGroupNames[state], groupId },
      });
    } catch (err) {
      if (!(err instanceof GraphError && err.status === 404)) throw err;
    }
  }
  if (d.to === null) return;
  const groupId = d.groups[d.to];
  try {
    await d.graph.post(`/groups/${groupId}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${d.userId}` });
    await d.audit.record(ctx, {
      action: 'entra.group_member_added',
      target: { type: 'entra_user', id: d.userId, label: d.label },
      details: { domainId: d.domainId, group: pairingGroupNames[d.to], groupId },
    });
  } catch (err) {
    if (!(err instanceof GraphError && err.status === 400 && /already exist/i.test(err.message))) throw err;
  }
}
