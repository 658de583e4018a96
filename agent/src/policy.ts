/**
 * What Tessera last said about this workstation (status, effective profile, emergency block) and
 * the agent's answer to "may this person in?" (docs/agent-protocol.md §7). Kept in cache.json so
 * that a computer started without network applies the same rules.
 *
 * The decision, in order:
 * 1. the emergency block is on → refused here, without asking (it must hold offline, and on a
 *    computer still waiting for approval too);
 * 2. the workstation is not approved → allowed: Tessera has no profile for it yet and refuses its
 *    authorize calls, and an agent that locked everyone out between enrolment and approval would
 *    lock out the admin enrolling it;
 * 3. Tessera's answer to POST /authorize;
 * 4. Tessera cannot be reached → offline logon: the profile's method and RDP rules, and a
 *    successful authorize for that account within profile.offlineLogonDays.
 */
import { ApiError, isUnavailable, type ApiClient } from './api.js';
import type { Decision } from './drivers/driver.js';
import type { Logger } from './log.js';
import type { AuthorizeRequest, Emergency, Profile, WorkstationStatus } from './protocol.js';
import type { CachedPolicy } from './state.js';

/** Accounts remembered for offline logon; a shared computer has a few dozen at most. */
export const MAX_REMEMBERED_ACCOUNTS = 1_000;
const DAY_MS = 86_400_000;

export type DecisionSource = 'local' | 'unmanaged' | 'server' | 'offline';

export interface PolicyOptions {
  initial: CachedPolicy;
  persist(policy: CachedPolicy): void;
  api: Pick<ApiClient, 'authorize'>;
  log: Logger;
  clock?: () => number;
}

export interface Policy {
  status(): WorkstationStatus | null;
  profile(): Profile | null;
  emergency(): Emergency;
  /** True when the status changed. */
  setStatus(status: WorkstationStatus): boolean;
  setProfile(profile: Profile | null): void;
  /** Applies a block or lift of `version`; false (ignored) when it is older than what the agent already knows. */
  setEmergency(next: Emergency): boolean;
  decide(request: AuthorizeRequest): Promise<Decision & { source: DecisionSource }>;
}

export function createPolicy({ initial, persist, api, log, clock = Date.now }: PolicyOptions): Policy {
  const state: CachedPolicy = structuredClone(initial);
  const save = () => {
    try {
      persist(state);
    } catch (err) {
      log.error('state.write_failed', { file: 'cache.json', error: err });
    }
  };

  function remember(account: string): void {
    state.authorizations[account.toLowerCase()] = clock();
    const accounts = Object.entries(state.authorizations);
    if (accounts.length > MAX_REMEMBERED_ACCOUNTS) {
      accounts.sort((a, b) => a[1] - b[1]);
      for (const [name] of accounts.slice(0, accounts.length - MAX_REMEMBERED_ACCOUNTS)) delete state.authorizations[name];
    }
    save();
  }

  function offline({ account, action, method }: AuthorizeRequest): Decision {
    const profile = state.profile;
    const refuse = (code: string, reason: string): Decision => ({ allowed: false, code, reason });
    if (!profile) return refuse('agent.offline_no_profile', 'Tessera cannot be reached and the agent has no profile to apply');
    if (action === 'rdp' && !profile.rdpAllowed) return refuse('agent.offline_rdp_not_allowed', 'the profile does not allow RDP');
    if (!profile.unlockMethods.includes(method)) return refuse('agent.offline_method_not_allowed', `the profile does not allow ${method}`);
    const last = state.authorizations[account.toLowerCase()];
    if (last === undefined || clock() - last > profile.offlineLogonDays * DAY_MS) {
      return refuse('agent.offline_not_recent', `Tessera cannot be reached and ${account} was not let in here within ${profile.offlineLogonDays} days`);
    }
    return { allowed: true, code: null, reason: null };
  }

  async function ask(request: AuthorizeRequest): Promise<Decision & { source: DecisionSource }> {
    if (state.emergency.active) {
      return { allowed: false, code: 'workstations.emergency_block', reason: state.emergency.reason ?? 'the emergency block is on', source: 'local' };
    }
    if (state.status !== 'approved')
      return { allowed: true, code: null, reason: 'the workstation is not approved: Tessera does not decide yet', source: 'unmanaged' };
    try {
      const answer = await api.authorize(request);
      if (answer.allowed) remember(request.account);
      return { allowed: answer.allowed, code: answer.code, reason: answer.reason, source: 'server' };
    } catch (err) {
      if (isUnavailable(err)) return { ...offline(request), source: 'offline' };
      if (err instanceof ApiError && err.code === 'agent.not_approved') {
        // The approval was withdrawn and the status frame has not arrived yet.
        state.status = 'pending';
        save();
        return ask(request);
      }
      if (err instanceof ApiError) return { allowed: false, code: err.code, reason: err.message, source: 'server' };
      // Not Tessera's answer but a fault here: refusing is the safe side.
      return { allowed: false, code: 'agent.internal_error', reason: (err as Error).message, source: 'local' };
    }
  }

  return {
    status: () => state.status,
    profile: () => state.profile,
    emergency: () => ({ ...state.emergency }),
    setStatus(status) {
      if (state.status === status) return false;
      state.status = status;
      save();
      return true;
    },
    setProfile(profile) {
      state.profile = profile;
      save();
    },
    setEmergency(next) {
      if (next.version < state.emergency.version) return false;
      // Each change raises the version: a lift of the block's own version is no lift Tessera sent
      // (a lift command without an emergency:<version> id gets the version the agent knows).
      if (next.version === state.emergency.version && state.emergency.active && !next.active) return false;
      state.emergency = { active: next.active, version: next.version, reason: next.reason ?? null };
      save();
      return true;
    },
    async decide(request) {
      const decision = await ask(request);
      log.info('authorize.decided', { ...request, allowed: decision.allowed, code: decision.code, source: decision.source });
      return decision;
    },
  };
}
