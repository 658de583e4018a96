import crypto from 'node:crypto';
import { z } from 'zod';
import type { App } from '../../http/types.js';
import { errors, idParams, listOf } from '../../http/schemas.js';
import { spPresets } from './presets.js';
import { readSpMetadata } from './sp.service.js';
import {
  idpDto,
  keyRolloverBody,
  metadataBody,
  metadataImportBody,
  serviceProviderDto,
  serviceProviderInput,
  serviceProviderPatch,
  signingKeysAnswer,
  spMetadataAnswer,
  spPresetDto,
} from './sp.schemas.js';
import type { SsoProtocol } from './sp.repository.js';
import type { ApplicationIconService } from '../../applications/application-icon.service.js';
import type { ApplicationAccessService } from '../../applications/application-access.service.js';
import type { AuditService } from '../../audit/audit.service.js';
import type { Clock } from '../../lib/clock.js';
import { describeRollover, type SamlKeyStore } from '../saml-core/keys.js';
import type { WsFedService } from '../wsfed/wsfed.service.js';
import type { ServiceProviderService } from './sp.service.js';
import type { SamlSsoService } from './sso.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type SpRoutesDeps = {
  applicationIcons: Pick<ApplicationIconService, 'forget'>;
  applicationAccess: Pick<ApplicationAccessService, 'forget'>;
  audit: AuditService;
  clock: Clock;
  samlKeys: SamlKeyStore;
  samlSso: SamlSsoService;
  serviceProviders: ServiceProviderService;
  wsfed: WsFedService;
};

/**
 * Admin API for SAML service providers and WS-Fed relying parties, the IdP's keys and endpoints:
 * reads with scope read, changes with scope admin (an application registration decides where
 * employees' assertions go, so it is as sensitive as a credential).
 */
export async function serviceProviderRoutes(app: App, services: SpRoutesDeps) {
  const sps = services.serviceProviders;

  /** `one`: the application's name in the singular ("SAML service provider"), `many`: in the plural. */
  const crud = (protocol: SsoProtocol, base: string, tag: string, one: string, many: string) => {
    const tags = [tag];
    const notFound = `404 \`saml.sp_not_found\` for an unknown id.`;
    const checks = `409 \`saml.entity_id_in_use\` when another ${one} has the entity ID; 400 \`saml.certificate_invalid\` or \`saml.certificate_required\` (encrypted assertions and signed requests need the SP's certificate).`;
    app.get(
      base,
      {
        config: { access: 'read' },
        schema: {
          tags,
          summary: `List ${many}`,
          description: `Every registered ${one} with its entity ID, endpoints, certificates, NameID format, signing and encryption options and attribute mapping.`,
          response: { 200: listOf(serviceProviderDto), ...errors },
        },
      },
      async () => ({
        items: await sps.list(protocol),
      }),
    );
    app.get(
      `${base}/:id`,
      {
        config: { access: 'read' },
        schema: {
          tags,
          summary: `Get a ${one}`,
          description: `One ${one} with everything it is registered with. ${notFound}`,
          params: idParams,
          response: { 200: serviceProviderDto, ...errors },
        },
      },
      async (request) => sps.get(protocol, request.params.id),
    );
    app.post(
      base,
      {
        config: { access: 'admin' },
        schema: {
          tags,
          summary: `Register a ${one}`,
          description: `Registers a ${one} from its fields (entity ID, endpoints, certificates, options). ${checks} Its access starts as everyone; see Applications. Audited.`,
          body: serviceProviderInput,
          response: { 201: serviceProviderDto, ...errors },
        },
      },
      async (request, reply) => reply.code(201).send(await sps.create(request.ctx, protocol, request.body)),
    );
    app.patch(
      `${base}/:id`,
      {
        config: { access: 'admin' },
        schema: {
          tags,
          summary: `Update a ${one}`,
          description: `Changes any subset of the ${one}'s fields; the next sign-in uses them. ${checks} ${notFound} Audited with the changes.`,
          params: idParams,
          body: serviceProviderPatch,
          response: { 200: serviceProviderDto, ...errors },
        },
      },
      async (request) => sps.update(request.ctx, protocol, request.params.id, request.body),
    );
    app.delete(
      `${base}/:id`,
      {
        config: { access: 'admin' },
        schema: {
          tags,
          summary: `Delete a ${one}`,
          description: `Deletes the ${one} with its icon and its access assignments; sign-ins to it are refused from now on. ${notFound} Audited.`,
          params: idParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await sps.remove(request.ctx, protocol, request.params.id);
        // Its icon and its assignments go with it: the id is never reused, but no row should outlive its application.
        await services.applicationIcons.forget(request.params.id);
        await services.applicationAccess.forget(request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
  crud('saml', '/saml/service-providers', 'SAML', 'SAML service provider', 'SAML service providers');
  crud('wsfed', '/wsfed/relying-parties', 'WS-Federation', 'WS-Fed relying party', 'WS-Fed relying parties');

  const tags = ['SAML'];
  app.post(
    '/saml/service-providers/import',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Register a SAML service provider from metadata',
        tags,
        description: 'Registers a service provider from its SAML metadata XML; the other fields override what the metadata says.',
        body: metadataImportBody,
        response: { 201: serviceProviderDto, ...errors },
      },
    },
    async (request, reply) => {
      const { metadata, ...overrides } = request.body;
      return reply.code(201).send(await sps.importMetadata(request.ctx, metadata, overrides));
    },
  );

  app.post(
    '/saml/metadata/parse',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Read SAML service provider metadata',
        tags,
        description: 'Reads SP metadata XML and returns the fields it gives (the console pre-fills its form with them). Nothing is saved.',
        body: metadataBody,
        response: {
          200: spMetadataAnswer,
          ...errors,
        },
      },
    },
    async (request) => readSpMetadata(request.body.metadata),
  );

  app.get(
    '/saml/presets',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List SAML service provider presets',
        description:
          'Ready-made settings for well-known service providers (NameID format, attributes, signing options) that the console offers when registering one.',
        tags,
        response: {
          200: listOf(spPresetDto),
          ...errors,
        },
      },
    },
    async () => ({ items: spPresets }),
  );

  const describeKeys = async () =>
    (await services.samlKeys.publishedKeys()).map((k) => {
      const c = new crypto.X509Certificate(k.certificate);
      return {
        id: k.id,
        certificate: k.certificate,
        activatesAt: k.activatesAt.toISOString(),
        retiresAt: k.retiresAt?.toISOString() ?? null,
        isActive: k.isActive,
        notAfter: new Date(c.validTo).toISOString(),
        fingerprint: c.fingerprint256,
        publishedAt: k.publishedAt.toISOString(),
      };
    });
  const rolloverStatus = async () => {
    // activeKey() first: on a fresh server it makes the first key, so there is one to describe.
    await services.samlKeys.activeKey();
    const r = describeRollover(await services.samlKeys.publishedKeys(), services.clock.now());
    return {
      currentExpiresAt: r.currentExpiresAt.toISOString(),
      next: r.next ? { publishedAt: r.next.publishedAt.toISOString(), activatesAt: r.next.activatesAt.toISOString() } : null,
      isRolloverDue: r.isRolloverDue,
    };
  };
  app.get(
    '/saml/idp',
    {
      config: { access: 'read' },
      schema: {
        summary: "Get the SAML IdP's endpoints and certificates",
        tags,
        description:
          'The IdP endpoints and signing certificates to give service providers, and the coming rollover: when the signing certificate expires, when the next key was published and signs from, and whether a rollover is due (expiry within 30 days, no next key).',
        response: { 200: idpDto, ...errors },
      },
    },
    async () => ({
      entityId: services.samlSso.urls.entityId,
      metadataUrl: services.samlSso.urls.entityId,
      ssoUrl: services.samlSso.urls.sso,
      sloUrl: services.samlSso.urls.slo,
      certificatePemUrl: services.samlSso.urls.certificatePem,
      certificateDerUrl: services.samlSso.urls.certificateDer,
      wsfedUrl: services.wsfed.urls.endpoint,
      wsfedEntityId: services.wsfed.urls.entityId,
      federationMetadataUrl: services.wsfed.urls.metadata,
      keys: await describeKeys(),
      rollover: await rolloverStatus(),
    }),
  );

  app.post(
    '/saml/keys/rollover',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Start a SAML signing-key rollover',
        tags,
        description:
          'Starts a signing-key rollover: the next certificate is published now and signs after `leadDays`; the current one stays published `overlapDays` after that.',
        body: keyRolloverBody,
        response: { 200: signingKeysAnswer, ...errors },
      },
    },
    async (request) => {
      const result = await services.samlKeys.rollover(request.body);
      await services.audit.record(request.ctx, {
        action: 'saml.keys_rolled_over',
        target: { type: 'saml_key', id: result.nextKeyId },
        details: { activatesAt: result.activatesAt.toISOString(), previousRetiresAt: result.previousRetiresAt.toISOString() },
      });
      return { keys: await describeKeys() };
    },
  );
}
