import type { AuditService } from '../audit/audit.service.js';
import type { Db, Executor } from '../db/connection.js';
import { AppError, isUniqueViolation } from '../lib/errors.js';
import { schemaFieldErrors, summaryMessage, toSchemaIssue } from '../lib/field-errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import type { Sealer } from '../security/sealing.js';
import { DirectoryError, type ConnectionTestResult, type DirectoryConnector } from './connector.js';
import type { ConnectorFactory } from './connector-factory.js';
import { domainSettingsByKind, type DomainCreate, type DomainDto, type DomainPatch } from './directory.schemas.js';
import * as repo from './directory.repository.js';

export const secretAad = (domainId: string) => `directory_domains.secret:${domainId}`;

export function toDomainDto(d: repo.DomainRow): DomainDto {
  return {
    id: d.id,
    kind: d.kind,
    name: d.name,
    syncGroup: d.syncGroup,
    rotationGroup: d.rotationGroup,
    passwordChangeDays: d.passwordChangeDays,
    rotationDelivery: d.rotationDelivery,
    removalBehaviour: d.removalBehaviour,
    removalThresholdPercent: d.removalThresholdPercent,
    ssoEnabled: d.ssoEnabled,
    ssoMethod: d.ssoMethod,
    syncIntervalMinutes: d.syncIntervalMinutes,
    fullSyncIntervalHours: d.fullSyncIntervalHours,
    groupImport: d.groupImport,
    settings: d.settings,
    secret: { set: d.secret !== null },
    isSyncEnabled: d.secret !== null,
    source: d.source,
    lastSyncAt: d.lastSyncAt?.toISOString() ?? null,
    lastFullSyncAt: d.lastFullSyncAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

/** Maps a connector's error to the API error of the same name. */
export function toAppError(err: unknown): AppError | unknown {
  if (!(err instanceof DirectoryError)) return err;
  const code = err.code === 'unreachable' ? 'directory.unreachable' : (`directory.${err.code}` as const);
  return new AppError(code, err.message, { cause: err });
}

/** JSON with object keys sorted: jsonb does not keep the order keys were written in. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );
}

/** Entra ID has no OUs (administrative units are not a group container): `under_ou` is for AD only. */
function checkGroupImport(kind: string, g: DomainCreate['groupImport'] | undefined): void {
  if (g?.mode === 'under_ou' && kind !== 'ad')
    throw new AppError(
      'request.validation_failed',
      'Groups under an OU are for Active Directory only (Entra ID has no OUs); use member groups or a list for this tenant',
      { field: 'groupImport.mode' },
    );
}

/** A domain as a form holds it (saved or not), with its opened secret: never returned, never logged. */
const DRAFT_FIELDS = [
  'kind',
  'name',
  'settings',
  'syncGroup',
  'rotationGroup',
  'passwordChangeDays',
  'groupImport',
  'removalBehaviour',
  'removalThresholdPercent',
] as const;
type DraftField = (typeof DRAFT_FIELDS)[number];
const pickDraft = (d: Pick<repo.DomainRow, DraftField>): Pick<repo.DomainRow, DraftField> =>
  Object.fromEntries(DRAFT_FIELDS.map((k) => [k, d[k]])) as Pick<repo.DomainRow, DraftField>;

export type DomainDraft = Pick<repo.DomainRow, DraftField> & {
  id: string | null;
  /** The saved domain the draft changes; null for a new one. */
  saved: repo.DomainRow | null;
  secret: string | null;
};

/**
 * Where, as whom and how safely a domain's secret is presented: for AD the servers (the URLs, or
 * ldaps://<domain name> when there are none), the bind user and everything that protects the bind
 * (transport, certificate checks); for Entra ID the login and Graph hosts, tenant and application.
 * A test or a preview of an edit reuses the saved secret only when this is unchanged: otherwise
 * anyone who may press Test could point the saved password at a server of their choice.
 */
function credentialDestination(d: Pick<repo.DomainRow, 'kind' | 'name' | 'settings'>): string {
  const s = d.settings as Record<string, unknown>;
  if (d.kind === 'ad') {
    const urls =
      Array.isArray(s.urls) && s.urls.length > 0 ? s.urls.map((u) => String(u).toLowerCase().replace(/\/+$/, '')) : [`ldaps://${d.name.toLowerCase()}`];
    return canonical({
      urls,
      bindUser: s.bindUser,
      transport: s.transport,
      skipTlsVerify: s.skipTlsVerify,
      caCertificate: s.caCertificate,
      tlsServerName: s.tlsServerName,
    });
  }
  return canonical({
    kind: d.kind,
    loginBaseUrl: s.loginBaseUrl,
    graphBaseUrl: s.graphBaseUrl,
    tenantId: String(s.tenantId ?? '').toLowerCase(),
    clientId: String(s.clientId ?? '').toLowerCase(),
    credentialType: s.credentialType,
  });
}

/** The servers a draft makes Tessera connect to, for the audit record of a test or a preview (who pointed the server where). */
export function draftServers(d: Pick<repo.DomainRow, 'kind' | 'name' | 'settings'>): string[] {
  const s = d.settings as Record<string, unknown>;
  if (d.kind === 'ad') return Array.isArray(s.urls) && s.urls.length > 0 ? s.urls.map(String) : [`${s.transport === 'ldaps' ? 'ldaps' : 'ldap'}://${d.name}`];
  return [String(s.loginBaseUrl ?? ''), String(s.graphBaseUrl ?? '')].filter(Boolean);
}

/** The sync group's member count as the test's last step: what a sync would import. */
async function countMembers(connector: DirectoryConnector, syncGroup: string, result: ConnectionTestResult): Promise<ConnectionTestResult> {
  try {
    const { memberIds } = await connector.listGroupMembers(syncGroup);
    const n = memberIds.length;
    const message = `${n} user${n === 1 ? '' : 's'} in the sync group "${syncGroup}"`;
    return { ...result, message: `${result.message}; ${message}`, steps: [...result.steps, { step: 'members', ok: true, message }] };
  } catch (err) {
    const e = err instanceof DirectoryError ? err : new DirectoryError('failed', (err as Error)?.message ?? String(err));
    return { outcome: e.code, message: e.message, steps: [...result.steps, { step: 'members', ok: false, message: e.message }] };
  }
}

export type DomainService = ReturnType<typeof createDomainService>;

/** Domain settings: several domains, each on its own; the service-account secret is write-only and sealed. */
export function createDomainService(deps: { db: Db; audit: AuditService; sealer: Sealer; clock: Clock; connectorFactory: ConnectorFactory }) {
  const { db, audit, sealer, connectorFactory } = deps;
  const target = (d: { id: string; name: string }) => ({ type: 'directory_domain', id: d.id, label: d.name });

  async function get(id: string, tx: Executor = db): Promise<repo.DomainRow> {
    const d = await repo.findDomainById(tx, id);
    if (!d) throw new AppError('directory.domain_not_found', 'Domain was not found');
    return d;
  }

  async function byName(name: string): Promise<repo.DomainRow> {
    const d = await repo.findDomainByName(db, name);
    if (!d) throw new AppError('directory.domain_not_found', `No domain is named "${name}"`);
    return d;
  }

  function openSecret(d: repo.DomainRow): string | null {
    return d.secret ? sealer.open(d.secret, secretAad(d.id)) : null;
  }

  /** A connector for the domain, with its secret opened only for this use. */
  function connectorFor(d: repo.DomainRow): DirectoryConnector {
    try {
      return connectorFactory(d, openSecret(d));
    } catch (err) {
      throw toAppError(err);
    }
  }

  async function create(ctx: RequestContext, input: DomainCreate, source = 'console'): Promise<DomainDto> {
    const { secret, settings, ...common } = input;
    checkGroupImport(input.kind, input.groupImport);
    try {
      return await db.transaction(async (tx) => {
        const row = await repo.insertDomain(tx, { ...common, settings, source });
        if (secret) await repo.updateDomainById(tx, row.id, { secret: sealer.seal(secret, secretAad(row.id)) }, deps.clock.now());
        await audit.record(
          ctx,
          {
            action: 'directory.domain_created',
            target: target(row),
            details: { kind: row.kind, secretSet: !!secret, skipTlsVerify: 'skipTlsVerify' in settings ? settings.skipTlsVerify : false },
          },
          tx,
        );
        return toDomainDto(await get(row.id, tx));
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('directory.name_in_use', 'Another domain has this name', { field: 'name' });
      throw err;
    }
  }

  async function update(ctx: RequestContext, id: string, patch: DomainPatch): Promise<DomainDto> {
    try {
      return await db.transaction(async (tx) => {
        const current = await get(id, tx);
        const { secret, settings, ...common } = patch;
        checkGroupImport(current.kind, patch.groupImport);
        const next: Partial<repo.DomainRow> = { ...common };
        if (settings) {
          const schema = domainSettingsByKind[current.kind as keyof typeof domainSettingsByKind];
          const parsed = schema.safeParse({ ...current.settings, ...settings });
          if (!parsed.success) {
            const details = schemaFieldErrors(parsed.error.issues.map(toSchemaIssue), 'body.settings');
            throw new AppError('request.validation_failed', summaryMessage(details), { details });
          }
          next.settings = parsed.data;
        }
        // The saved secret stays only with its saved destination: a save that moves the servers,
        // the bind user or the TLS checks (AD), or the login/Graph hosts, tenant or application
        // (Entra), must carry the secret again, else whoever may edit the domain could send the
        // saved password to a server of their own with the next sync.
        const moved = credentialDestination({ kind: current.kind, name: next.name ?? current.name, settings: next.settings ?? current.settings });
        if (secret === undefined && current.secret !== null && moved !== credentialDestination(current)) {
          const what = current.kind === 'entra' ? 'client secret or certificate' : 'bind password';
          throw new AppError(
            'directory.secret_required',
            `This change moves where or as whom Tessera signs in: enter the ${what} again (the saved one is only used with the saved server and account)`,
            { field: 'secret' },
          );
        }
        if (secret !== undefined) next.secret = secret === null ? null : sealer.seal(secret, secretAad(id));
        const changed = Object.keys(next).filter(
          (k) => k !== 'secret' && JSON.stringify(next[k as keyof typeof next]) !== JSON.stringify(current[k as keyof typeof current]),
        );
        await repo.updateDomainById(tx, id, next, deps.clock.now());
        await audit.record(
          ctx,
          {
            action: 'directory.domain_updated',
            target: target(current),
            // Never the secret itself: only whether it was set or removed.
            details: { changed, ...(secret !== undefined ? { secret: secret === null ? 'removed' : 'set' } : {}) },
          },
          tx,
        );
        return toDomainDto(await get(id, tx));
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('directory.name_in_use', 'Another domain has this name', { field: 'name' });
      throw err;
    }
  }

  async function remove(ctx: RequestContext, id: string): Promise<void> {
    await db.transaction(async (tx) => {
      const current = await get(id, tx);
      await repo.deleteDomainById(tx, id);
      await audit.record(ctx, { action: 'directory.domain_deleted', target: target(current) }, tx);
    });
  }

  /**
   * The domain as a form holds it, unsaved: a new domain's create body (`id` null), or a saved
   * domain with the form's changes over it. A secret left out is the saved one (never sent back).
   */
  async function resolveDraft(id: string | null, input: DomainCreate | DomainPatch | undefined): Promise<DomainDraft> {
    if (id === null) {
      const d = input as DomainCreate;
      checkGroupImport(d.kind, d.groupImport);
      return { ...pickDraft(d), id: null, saved: null, secret: d.secret ?? null };
    }
    const current = await get(id);
    const { secret, settings, ...common } = (input ?? {}) as DomainPatch;
    checkGroupImport(current.kind, common.groupImport);
    const defined = Object.fromEntries(Object.entries(common).filter(([, v]) => v !== undefined)) as Partial<DomainDraft>;
    const schema = domainSettingsByKind[current.kind as keyof typeof domainSettingsByKind];
    const parsed = schema.safeParse({ ...current.settings, ...settings });
    if (!parsed.success) {
      // The same readable details as a save (update): each on its own field, in words.
      const details = schemaFieldErrors(parsed.error.issues.map(toSchemaIssue), 'body.settings');
      throw new AppError('request.validation_failed', summaryMessage(details), { details });
    }
    const draft = { ...pickDraft({ ...current, ...defined }), settings: parsed.data };
    if (secret === undefined && current.secret !== null && credentialDestination(draft) !== credentialDestination(current)) {
      const what = current.kind === 'entra' ? 'client secret or certificate' : 'bind password';
      throw new AppError(
        'directory.secret_required',
        `The form changes where or as whom Tessera signs in: enter the ${what} again (the saved one is only used with the saved server and account)`,
        { field: 'secret' },
      );
    }
    return { ...draft, id, saved: current, secret: secret === undefined ? openSecret(current) : secret };
  }

  /** A connector for a draft; the caller closes it. */
  function connectorForDraft(d: DomainDraft): DirectoryConnector {
    try {
      return connectorFactory({ kind: d.kind, name: d.name, settings: d.settings }, d.secret);
    } catch (err) {
      throw toAppError(err);
    }
  }

  /**
   * Connects, binds, finds the groups and counts the sync group's members, with the saved settings
   * or a form's unsaved ones (`input`). Audited; the secret is never part of the answer or the record.
   */
  async function testConnection(ctx: RequestContext, id: string | null, input?: DomainCreate | DomainPatch): Promise<ConnectionTestResult> {
    const d = await resolveDraft(id, input);
    const isUnsaved = id === null || (input !== undefined && Object.keys(input).length > 0);
    let result: ConnectionTestResult;
    if (!d.secret) {
      const what = d.kind === 'entra' ? 'client secret or certificate' : 'bind password';
      result = {
        outcome: 'credentials_missing',
        message: d.saved ? `No ${what} is saved: every sync scenario of this domain is stopped` : `Enter the ${what} to test the connection`,
        steps: [],
      };
    } else {
      const connector = connectorForDraft(d);
      try {
        result = await connector.testConnection({ syncGroup: d.syncGroup, rotationGroup: d.passwordChangeDays > 0 ? d.rotationGroup : null });
        if (result.outcome === 'ok') result = await countMembers(connector, d.syncGroup, result);
      } finally {
        await connector.close();
      }
    }
    await audit.record(ctx, {
      action: 'directory.connection_tested',
      target: d.saved ? target(d.saved) : { type: 'directory_domain', id: null, label: d.name },
      outcome: result.outcome === 'ok' ? 'success' : 'failure',
      details: { outcome: result.outcome, message: result.message, kind: d.kind, unsaved: isUnsaved, servers: draftServers(d) },
    });
    return result;
  }

  /**
   * A domain declared in the configuration file (`directory.domains`): created when missing,
   * changed only where it differs (a second start records nothing). The secret is compared, never
   * logged.
   */
  async function ensureDeclared(ctx: RequestContext, input: DomainCreate): Promise<'created' | 'updated' | 'unchanged'> {
    const current = await repo.findDomainByName(db, input.name);
    if (!current) {
      await create(ctx, input, 'config');
      return 'created';
    }
    if (current.kind !== input.kind) throw new AppError('directory.name_in_use', `Domain ${input.name} exists with kind ${current.kind}`);
    const { kind: _kind, secret, ...rest } = input;
    const dto = toDomainDto(current) as unknown as Record<string, unknown>;
    const patch: DomainPatch = {};
    for (const [k, v] of Object.entries(rest)) if (canonical(dto[k]) !== canonical(v)) (patch as Record<string, unknown>)[k] = v;
    if (secret !== undefined && (openSecret(current) ?? null) !== secret) patch.secret = secret;
    if (Object.keys(patch).length === 0) return 'unchanged';
    // The file declares its secret beside the servers it goes to: carried along with any change,
    // so a moved server is never refused for a secret the file did give (see update).
    if (secret !== undefined && patch.secret === undefined) patch.secret = secret;
    await update(ctx, current.id, patch);
    return 'updated';
  }

  return {
    get,
    byName,
    connectorFor,
    openSecret,
    ensureDeclared,
    list: async () => (await repo.findDomains(db)).map(toDomainDto),
    getDto: async (id: string) => toDomainDto(await get(id)),
    create,
    update,
    remove,
    testConnection,
    resolveDraft,
    connectorForDraft,
  };
}
