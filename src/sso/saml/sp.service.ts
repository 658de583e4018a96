import crypto from 'node:crypto';
import type { AuditService } from '../../audit/audit.service.js';
import type { Db } from '../../db/connection.js';
import { AppError, isUniqueViolation } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { RequestContext } from '../../lib/context.js';
import { XmlError } from '../saml-core/xml.js';
import { findPreset } from './presets.js';
import { parseSpMetadata } from './sp-metadata.js';
import * as repo from './sp.repository.js';
import { serviceProviderInput, type ServiceProviderDto, type ServiceProviderInput } from './sp.schemas.js';
import type { ServiceProviderRow, SsoProtocol } from './sp.repository.js';

export type ServiceProviderService = ReturnType<typeof createServiceProviderService>;

const AUDIT = {
  saml: { created: 'saml.sp_created', updated: 'saml.sp_updated', deleted: 'saml.sp_deleted', target: 'saml_sp', what: 'Service provider' },
  wsfed: { created: 'wsfed.rp_created', updated: 'wsfed.rp_updated', deleted: 'wsfed.rp_deleted', target: 'wsfed_rp', what: 'Relying party' },
} as const;

function describeCertificate(pem: string) {
  const c = new crypto.X509Certificate(pem);
  return { subject: c.subject.replace(/\n/g, ', '), notAfter: new Date(c.validTo).toISOString(), fingerprint: c.fingerprint256, pem: c.toString() };
}

export function toServiceProviderDto(row: ServiceProviderRow): ServiceProviderDto {
  return {
    id: row.id,
    protocol: row.protocol as SsoProtocol,
    name: row.name,
    entityId: row.entityId,
    enabled: row.enabled,
    preset: row.preset,
    acsEndpoints: row.acsEndpoints,
    sloUrl: row.sloUrl,
    sloBinding: row.sloBinding,
    certificates: row.certificates.map(describeCertificate),
    nameIdFormat: row.nameIdFormat,
    nameIdField: row.nameIdField,
    attributes: row.attributes,
    signResponse: row.signResponse,
    signAssertion: row.signAssertion,
    encryptAssertion: row.encryptAssertion,
    requireSignedRequests: row.requireSignedRequests,
    clockSkewSeconds: row.clockSkewSeconds,
    sessionLifetimeMinutes: row.sessionLifetimeMinutes,
    idpInitiated: row.idpInitiated,
    startUrl: row.startUrl,
    tokenType: row.tokenType,
    source: row.source,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Normalises certificates to PEM and refuses what does not parse (the SP's keys are checked once, here). */
function normaliseCertificates(list: string[]): string[] {
  return list.map((text, i) => {
    const body = text.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
    try {
      return new crypto.X509Certificate(Buffer.from(body, 'base64')).toString();
    } catch {
      throw new AppError('saml.certificate_invalid', `Certificate ${i + 1} is not an X.509 certificate (PEM or base64 DER)`, { field: 'certificates' });
    }
  });
}

/** Fills NameID and attributes from the preset where the admin left them out; checks the whole. */
function complete(protocol: SsoProtocol, input: ServiceProviderInput) {
  const parsed = serviceProviderInput.parse(input);
  const preset = findPreset(parsed.preset);
  if (parsed.preset && (!preset || preset.protocol !== protocol))
    throw new AppError('request.validation_failed', `Unknown preset "${parsed.preset}"`, { field: 'preset' });
  if (protocol === 'wsfed' && parsed.startUrl && !/^https?:\/\/[^/]/i.test(parsed.startUrl))
    throw new AppError('request.validation_failed', 'The start URL of a relying party must be an http(s) URL', { field: 'startUrl' });
  const certificates = normaliseCertificates(parsed.certificates);
  if (parsed.encryptAssertion && !certificates.length)
    throw new AppError('saml.certificate_required', 'Encrypting assertions needs the SP certificate', { field: 'certificates' });
  if (parsed.encryptAssertion && new crypto.X509Certificate(certificates[0]).publicKey.asymmetricKeyType !== 'rsa')
    throw new AppError('saml.certificate_invalid', 'Encrypting assertions needs an RSA certificate (RSA-OAEP key transport)', { field: 'certificates' });
  if (parsed.requireSignedRequests && !certificates.length)
    throw new AppError('saml.certificate_required', 'Requiring signed requests needs the SP certificate', { field: 'certificates' });
  // An assertion signed by nothing could be written by anyone who can reach the SP.
  if (!parsed.signResponse && !parsed.signAssertion)
    throw new AppError('request.validation_failed', 'Sign the response, the assertion or both', { field: 'signAssertion' });
  if (!parsed.acsEndpoints.length)
    throw new AppError(
      'request.validation_failed',
      protocol === 'saml' ? 'Register at least one assertion consumer service URL' : 'Register at least one reply URL',
      { field: 'acsEndpoints' },
    );
  const acs = parsed.acsEndpoints.map((a) => ({ ...a }));
  if (!acs.some((a) => a.isDefault)) acs[0].isDefault = true;
  return {
    protocol,
    name: parsed.name,
    entityId: parsed.entityId,
    enabled: parsed.enabled,
    preset: parsed.preset ?? null,
    acsEndpoints: acs,
    sloUrl: parsed.sloUrl ?? null,
    sloBinding: parsed.sloUrl ? (parsed.sloBinding ?? 'redirect') : null,
    certificates,
    nameIdFormat: parsed.nameIdFormat ?? preset?.nameIdFormat ?? 'email',
    nameIdField: parsed.nameIdField ?? preset?.nameIdField ?? 'email',
    attributes: parsed.attributes ?? preset?.attributes.map(({ name, field }) => ({ name, field })) ?? [{ name: 'email', field: 'email' as const }],
    signResponse: parsed.signResponse,
    signAssertion: parsed.signAssertion,
    encryptAssertion: parsed.encryptAssertion,
    requireSignedRequests: parsed.requireSignedRequests,
    clockSkewSeconds: parsed.clockSkewSeconds,
    sessionLifetimeMinutes: parsed.sessionLifetimeMinutes,
    idpInitiated: parsed.idpInitiated,
    startUrl: parsed.startUrl ?? null,
    tokenType: protocol === 'wsfed' ? (parsed.tokenType ?? preset?.tokenType ?? 'saml20') : null,
  };
}

/** Metadata XML → the fields of a service provider, or a clear 400. */
export function readSpMetadata(xml: string) {
  try {
    return parseSpMetadata(xml);
  } catch (err) {
    if (err instanceof XmlError) throw new AppError('saml.metadata_invalid', `The metadata cannot be used: ${err.message}`);
    throw err;
  }
}

/** SAML service providers and WS-Fed relying parties: the registry both protocols answer from. */
export function createServiceProviderService(deps: { db: Db; audit: AuditService; clock: Clock }) {
  const { db, audit, clock } = deps;

  async function get(protocol: SsoProtocol, id: string): Promise<ServiceProviderRow> {
    const row = await repo.findServiceProviderById(db, protocol, id);
    if (!row) throw new AppError('saml.sp_not_found', `${AUDIT[protocol].what} was not found`);
    return row;
  }

  async function create(ctx: RequestContext, protocol: SsoProtocol, input: ServiceProviderInput, source = 'console'): Promise<ServiceProviderDto> {
    const row = complete(protocol, input);
    try {
      return await db.transaction(async (tx) => {
        const inserted = await repo.insertServiceProvider(tx, { ...row, source });
        await audit.record(
          ctx,
          {
            action: AUDIT[protocol].created,
            target: { type: AUDIT[protocol].target, id: inserted.id, label: inserted.name },
            details: { entityId: inserted.entityId, source },
          },
          tx,
        );
        return toServiceProviderDto(inserted);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('saml.entity_id_in_use', `Entity ID ${row.entityId} is already registered`, { field: 'entityId' });
      throw err;
    }
  }

  async function update(ctx: RequestContext, protocol: SsoProtocol, id: string, patch: Partial<ServiceProviderInput>): Promise<ServiceProviderDto> {
    const current = await get(protocol, id);
    const merged = complete(protocol, { ...toInput(current), ...patch });
    const changed = Object.keys(merged).filter((k) => canonical(merged[k as keyof typeof merged]) !== canonical(current[k as keyof ServiceProviderRow]));
    if (!changed.length) return toServiceProviderDto(current);
    try {
      return await db.transaction(async (tx) => {
        const row = await repo.updateServiceProviderById(tx, id, { ...merged, updatedAt: clock.now() });
        await audit.record(ctx, { action: AUDIT[protocol].updated, target: { type: AUDIT[protocol].target, id, label: row!.name }, details: { changed } }, tx);
        return toServiceProviderDto(row!);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('saml.entity_id_in_use', `Entity ID ${merged.entityId} is already registered`, { field: 'entityId' });
      throw err;
    }
  }

  async function remove(ctx: RequestContext, protocol: SsoProtocol, id: string): Promise<void> {
    const current = await get(protocol, id);
    await db.transaction(async (tx) => {
      await repo.deleteServiceProviderById(tx, id);
      await audit.record(
        ctx,
        { action: AUDIT[protocol].deleted, target: { type: AUDIT[protocol].target, id, label: current.name }, details: { entityId: current.entityId } },
        tx,
      );
    });
  }

  return {
    async list(protocol: SsoProtocol): Promise<ServiceProviderDto[]> {
      return (await repo.findServiceProviders(db, protocol)).map(toServiceProviderDto);
    },
    async get(protocol: SsoProtocol, id: string): Promise<ServiceProviderDto> {
      return toServiceProviderDto(await get(protocol, id));
    },
    /** The enabled SP or RP with this entity ID (realm), for the protocol endpoints. */
    async findEnabledByEntityId(protocol: SsoProtocol, entityId: string): Promise<ServiceProviderRow | undefined> {
      const row = await repo.findServiceProviderByEntityId(db, protocol, entityId);
      return row?.enabled ? row : undefined;
    },
    async findEnabledById(protocol: SsoProtocol, id: string): Promise<ServiceProviderRow | undefined> {
      const row = await repo.findServiceProviderById(db, protocol, id);
      return row?.enabled ? row : undefined;
    },
    async findRowById(id: string): Promise<ServiceProviderRow | undefined> {
      return (await repo.findServiceProviderById(db, 'saml', id)) ?? repo.findServiceProviderById(db, 'wsfed', id);
    },
    async listEnabled(protocol: SsoProtocol): Promise<ServiceProviderRow[]> {
      return (await repo.findServiceProviders(db, protocol)).filter((r) => r.enabled);
    },
    create,
    update,
    remove,
    /** Creates an SP from its metadata; `overrides` (name, preset, NameID…) take precedence. */
    async importMetadata(ctx: RequestContext, xml: string, overrides: Partial<ServiceProviderInput> & { name: string }): Promise<ServiceProviderDto> {
      const m = readSpMetadata(xml);
      return create(ctx, 'saml', { ...m, nameIdFormat: m.nameIdFormat ?? undefined, ...overrides });
    },
    /**
     * Declarative config: creates or updates each declared SP/RP by entity ID; what already
     * matches is left alone (and not audited). Returns what it changed.
     */
    async applyDeclared(ctx: RequestContext, protocol: SsoProtocol, declared: ServiceProviderInput[]): Promise<{ created: number; updated: number }> {
      let created = 0,
        updated = 0;
      for (const input of declared) {
        const existing = await repo.findServiceProviderByEntityId(db, protocol, input.entityId);
        if (!existing) {
          await create(ctx, protocol, input, 'config');
          created++;
          continue;
        }
        const before = existing.updatedAt.getTime();
        const after = await update(ctx, protocol, existing.id, input);
        if (new Date(after.updatedAt).getTime() !== before) updated++;
      }
      return { created, updated };
    },
  };
}

/** JSON with sorted keys: jsonb gives object keys back in its own order. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );

function toInput(row: ServiceProviderRow): ServiceProviderInput {
  return {
    name: row.name,
    entityId: row.entityId,
    enabled: row.enabled,
    preset: row.preset,
    acsEndpoints: row.acsEndpoints,
    sloUrl: row.sloUrl,
    sloBinding: row.sloBinding as 'post' | 'redirect' | null,
    certificates: row.certificates,
    nameIdFormat: row.nameIdFormat as ServiceProviderInput['nameIdFormat'],
    nameIdField: row.nameIdField as ServiceProviderInput['nameIdField'],
    attributes: row.attributes as ServiceProviderInput['attributes'],
    signResponse: row.signResponse,
    signAssertion: row.signAssertion,
    encryptAssertion: row.encryptAssertion,
    requireSignedRequests: row.requireSignedRequests,
    clockSkewSeconds: row.clockSkewSeconds,
    sessionLifetimeMinutes: row.sessionLifetimeMinutes,
    idpInitiated: row.idpInitiated,
    startUrl: row.startUrl,
    tokenType: row.tokenType as 'saml11' | 'saml20' | null,
  };
}
