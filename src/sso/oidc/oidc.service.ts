import type { AppAccess } from '../app-access.js';
import type { EmployeeAttributeSource } from '../employee-attributes.js';
import crypto from 'node:crypto';
import type Provider from 'oidc-provider';
import type { PubSub } from '../../db/pubsub.js';
import type { SettingsService } from '../../settings/settings.service.js';
import type { AuditService } from '../../audit/audit.service.js';
import type { Db, Executor } from '../../db/connection.js';
import type { Clock } from '../../lib/clock.js';
import { systemContext, type RequestContext } from '../../lib/context.js';
import { sendBackchannelLogouts } from './oidc.backchannel.js';
import type { PortalApplication } from '../../portal/portal.service.js';
import type { Sealer } from '../../security/sealing.js';
import {
  deleteByGrantIds,
  deleteSessionsByAccount,
  findGrantIdsByAccount,
  findGrantsByAccount,
  findSessionPayloadsByAccount,
  type createAdapterFactory,
} from './oidc.adapter.js';
import { createOidcSingleLogout } from './oidc-single-logout.js';
import { createOidcClientService } from './oidc-client.service.js';
import { createOidcKeysService, type OidcKeysOptions } from './oidc-keys.service.js';
import { createEamVerifier } from './oidc.eam.js';
import type { OidcLogoutDeps } from './oidc.logout.js';
import type { Config } from '../../config/config.js';
import type { SessionService } from '../../sessions/session.service.js';
import type { OidcViewsDeps } from './oidc.views.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type OidcServiceDeps = {
  db: Db;
  sessions: SessionService;
  config: Config;
  appAccess: Pick<AppAccess, 'decideAppAccess'>;
  employeeAttributes: Pick<EmployeeAttributeSource, 'of'>;
  /** The resource servers clients may ask tokens for (settings.oidcResources). */
  settings: Pick<SettingsService, 'get'>;
} & OidcLogoutDeps &
  OidcViewsDeps;

/** What createProvider needs: the whole service graph, the adapter factory and the client adapter. */
export interface OidcDeps {
  services: OidcServiceDeps;
  adapter: ReturnType<typeof createAdapterFactory>;
  clientAdapter: { find(id: string): Promise<Record<string, unknown> | undefined> };
}

/** Cookie signing keys of oidc-provider, derived from the master key so that every node agrees (HKDF, RFC 5869). */
export function deriveOidcCookieKeys(masterKey: Buffer): string[] {
  return [Buffer.from(crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), 'tessera oidc-provider cookies v1', 32)).toString('base64url')];
}

export type OidcService = ReturnType<typeof createOidcService>;

const KEYS_CHANNEL = 'oidc.keys';

export function createOidcService(deps: {
  db: Db;
  audit: AuditService;
  sealer: Sealer;
  clock: Clock;
  masterKey: Buffer;
  keys: OidcKeysOptions;
  /** Cross-node notices: a client changed (the client cache), the signing keys changed (the provider is rebuilt). */
  pubsub?: PubSub;
  onError?: (err: unknown) => void;
}) {
  const { db, audit, clock } = deps;
  /** The running provider, set by the HTTP mount (oidc.routes.ts); absent in the CLI. */
  const runtime: { provider?: Provider; refreshKeys?: () => Promise<void> } = {};
  const clients = createOidcClientService({ ...deps, validate: async (metadata) => runtime.provider?.Client.validate(metadata) });
  const keys = createOidcKeysService({ ...deps, options: deps.keys });
  const eam = createEamVerifier({ clock });
  const logout = createOidcSingleLogout({ db, audit, clock, runtime });

  /**
   * Revokes everything an employee holds at the provider: grants with their tokens, and provider
   * sessions. Runs inside the employee service's transaction (disable, delete); the back-channel
   * logouts go out once that transaction had time to commit, so clients never hear of a change
   * that was rolled back... except for the odd race, which costs a re-login, never access.
   */
  async function revokeEmployee(tx: Executor, employeeId: string) {
    const grantIds = await findGrantIdsByAccount(tx, employeeId);
    const sessions = await findSessionPayloadsByAccount(tx, employeeId);
    const targets = sessions.flatMap((s) =>
      Object.entries((s.payload.authorizations ?? {}) as Record<string, { sid?: string }>)
        .filter(([, a]) => a.sid)
        .map(([clientId, a]) => ({ clientId, sid: a.sid! })),
    );
    const removed = await deleteByGrantIds(tx, grantIds);
    await deleteSessionsByAccount(tx, employeeId);
    if (grantIds.length || sessions.length) {
      await audit.record(
        systemContext(),
        {
          action: 'oidc.grants_revoked',
          target: { type: 'employee', id: employeeId },
          details: { grants: grantIds.length, artefacts: removed, sessions: sessions.length },
        },
        tx,
      );
    }
    if (targets.length)
      setTimeout(() => {
        void sendBackchannelLogouts({ provider: runtime.provider, audit }, employeeId, targets);
      }, 200).unref();
  }

  return {
    clients,
    keys,
    eam,
    runtime,
    /**
     * Signing keys changed on this node: the others rebuild their provider now rather than at
     * their next periodic check. `onKeysChanged` subscribes (the HTTP mount does).
     */
    keysChanged: () => deps.pubsub?.publish(KEYS_CHANNEL, 'changed').catch((err) => deps.onError?.(err)),
    onKeysChanged: (handler: () => void) => deps.pubsub?.subscribe(KEYS_CHANNEL, handler),
    /** The OIDC side of a single logout started by SAML, WS-Fed or the portal (oidc-single-logout.ts). */
    logout,
    /** oidc-provider's cookie keys: the same on every node with the same master key. */
    cookieKeys: deriveOidcCookieKeys(deps.masterKey),
    revokeEmployee,
    listGrants: (employeeId: string) => findGrantsByAccount(db, employeeId, clock.now()),
    /** Revokes one grant (all its tokens, and codes in PostgreSQL) by id. */
    async revokeGrant(ctx: RequestContext, grantId: string): Promise<boolean> {
      const removed = await db.transaction(async (tx) => {
        const n = await deleteByGrantIds(tx, [grantId]);
        if (n)
          await audit.record(ctx, { action: 'oidc.grants_revoked', target: { type: 'oidc_grant', id: null, label: grantId }, details: { artefacts: n } }, tx);
        return n;
      });
      return removed > 0;
    },
    /** Revokes everything an employee holds at the provider (an admin's "sign out of all applications"). */
    async revokeEmployeeGrants(ctx: RequestContext, employeeId: string) {
      await db.transaction(async (tx) => {
        await revokeEmployee(tx, employeeId);
        await audit.record(ctx, { action: 'oidc.grants_revoked', target: { type: 'employee', id: employeeId }, details: { by: 'admin' } }, tx);
      });
    },
    /** The portal's "my applications": first-party web clients with a login or home URL. */
    async applications(): Promise<PortalApplication[]> {
      const all = await clients.list();
      return all
        .filter((c) => c.kind === 'web' && c.firstParty && c.initiateLoginUri)
        .map((c) => ({ id: c.id, name: c.name, url: c.initiateLoginUri!, protocol: 'oidc' as const }));
    },
  };
}
