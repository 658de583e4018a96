import { z } from 'zod';
import { webUrl } from '../../http/url-schemas.js';
import { attributeSources, directorySourcePattern } from '../employee-attributes.js';

/** Employee fields that can feed a NameID (one value each, always present). */
export const employeeFields = ['email', 'id', 'username', 'firstName', 'lastName', 'displayName', 'phone'] as const;
export type EmployeeField = (typeof employeeFields)[number];

/**
 * What an attribute can carry (src/sso/employee-attributes.ts): an employee field, the groups
 * (multi-valued), a directory value (upn, sAMAccountName, objectSid…) or `directory:<name>`, any
 * attribute of the synced directory record.
 */
export const attributeSource = z.union([
  z.enum(attributeSources),
  z.string().regex(directorySourcePattern, 'directory:<attribute name> (letters, digits, _ . -; up to 64)'),
]);

/** NameID formats (saml-core §8.3) by their short names. */
export const nameIdFormats = {
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
} as const;
export type NameIdFormat = keyof typeof nameIdFormats;
export const nameIdFormatNames = Object.keys(nameIdFormats) as [NameIdFormat, ...NameIdFormat[]];

/** ACS, SLO and WS-Fed reply URLs: http(s), absolute, no fragment, no credentials (src/http/url-schemas.ts). Plain http stays allowed: SPs inside a company network often have no TLS. */
const url = webUrl({ allowHttp: true, maxLength: 2048 });

export const attributeMapping = z
  .object({
    name: z.string().trim().min(1).max(512),
    field: attributeSource,
    nameFormat: z.string().trim().max(512).nullable().optional(),
    friendlyName: z.string().trim().max(256).nullable().optional(),
  })
  .strict();

export const acsEndpoint = z
  .object({
    url,
    binding: z.enum(['post', 'redirect']).default('post'),
    index: z.number().int().min(0).max(65535).default(0),
    isDefault: z.boolean().default(false),
  })
  .strict();

/** The fields of a service provider (SAML) or relying party (WS-Fed), without defaults. */
const fields = {
  name: z.string().trim().min(1).max(120),
  entityId: z.string().trim().min(1).max(1024),
  enabled: z.boolean(),
  preset: z.string().max(40).nullable(),
  /** At least one (checked by the service, so that an empty list is a 400 naming it). */
  acsEndpoints: z.array(acsEndpoint).max(20),
  sloUrl: url.nullable(),
  sloBinding: z.enum(['post', 'redirect']).nullable(),
  certificates: z.array(z.string().max(20_000)).max(4),
  nameIdFormat: z.enum(nameIdFormatNames),
  nameIdField: z.enum(employeeFields),
  attributes: z.array(attributeMapping).max(50),
  signResponse: z.boolean(),
  signAssertion: z.boolean(),
  encryptAssertion: z.boolean(),
  requireSignedRequests: z.boolean(),
  clockSkewSeconds: z.number().int().min(0).max(600),
  sessionLifetimeMinutes: z.number().int().min(5).max(10_080),
  idpInitiated: z.boolean(),
  /** SAML: the RelayState of IdP-initiated sign-in (often a path at the SP); WS-Fed: the application's URL. */
  startUrl: z.string().trim().min(1).max(2048).nullable(),
  tokenType: z.enum(['saml11', 'saml20']).nullable(),
};

/** A new service provider: secure defaults for what the admin leaves out (NameID and attributes come from the preset). */
export const serviceProviderInput = z
  .object({
    ...fields,
    enabled: fields.enabled.default(true),
    preset: fields.preset.optional(),
    sloUrl: fields.sloUrl.optional(),
    sloBinding: fields.sloBinding.optional(),
    certificates: fields.certificates.default([]),
    nameIdFormat: fields.nameIdFormat.optional(),
    nameIdField: fields.nameIdField.optional(),
    attributes: fields.attributes.optional(),
    signResponse: fields.signResponse.default(true),
    signAssertion: fields.signAssertion.default(true),
    encryptAssertion: fields.encryptAssertion.default(false),
    requireSignedRequests: fields.requireSignedRequests.default(false),
    clockSkewSeconds: fields.clockSkewSeconds.default(120),
    sessionLifetimeMinutes: fields.sessionLifetimeMinutes.default(480),
    idpInitiated: fields.idpInitiated.default(false),
    startUrl: fields.startUrl.optional(),
    tokenType: fields.tokenType.optional(),
  })
  .strict();
export type ServiceProviderInput = z.input<typeof serviceProviderInput>;

/** A change: only what is given changes (no defaults here, or a PATCH would reset fields it does not name). */
export const serviceProviderPatch = z.object(fields).partial().strict();

export const serviceProviderDto = z.object({
  id: z.string(),
  protocol: z.enum(['saml', 'wsfed']),
  name: z.string(),
  entityId: z.string(),
  enabled: z.boolean(),
  preset: z.string().nullable(),
  acsEndpoints: z.array(z.object({ url: z.string(), binding: z.enum(['post', 'redirect']), index: z.number(), isDefault: z.boolean() })),
  sloUrl: z.string().nullable(),
  sloBinding: z.string().nullable(),
  certificates: z.array(z.object({ subject: z.string(), notAfter: z.string(), fingerprint: z.string(), pem: z.string() })),
  nameIdFormat: z.string(),
  nameIdField: z.string(),
  attributes: z.array(
    z.object({ name: z.string(), field: z.string(), nameFormat: z.string().nullable().optional(), friendlyName: z.string().nullable().optional() }),
  ),
  signResponse: z.boolean(),
  signAssertion: z.boolean(),
  encryptAssertion: z.boolean(),
  requireSignedRequests: z.boolean(),
  clockSkewSeconds: z.number(),
  sessionLifetimeMinutes: z.number(),
  idpInitiated: z.boolean(),
  startUrl: z.string().nullable(),
  tokenType: z.string().nullable(),
  source: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ServiceProviderDto = z.infer<typeof serviceProviderDto>;

const metadataXml = z.string().min(1).max(1_000_000);
/** A service provider registered from its metadata XML; the other fields override what the metadata says. */
export const metadataImportBody = serviceProviderPatch.extend({ name: z.string().trim().min(1).max(120), metadata: metadataXml }).strict();
export const metadataBody = z.object({ metadata: metadataXml }).strict();
/** The fields SP metadata gives, to pre-fill the console's form. */
export const spMetadataAnswer = z.object({
  entityId: z.string(),
  acsEndpoints: z.array(z.object({ url: z.string(), binding: z.enum(['post', 'redirect']), index: z.number(), isDefault: z.boolean() })),
  sloUrl: z.string().nullable(),
  sloBinding: z.enum(['post', 'redirect']).nullable(),
  certificates: z.array(z.string()),
  nameIdFormat: z.string().nullable(),
  requireSignedRequests: z.boolean(),
});
/** A ready-made configuration for a well-known application (presets.ts). */
export const spPresetDto = z.object({
  id: z.string(),
  label: z.string(),
  protocol: z.enum(['saml', 'wsfed']),
  nameIdFormat: z.string(),
  nameIdField: z.string(),
  attributes: z.array(z.object({ name: z.string(), field: z.string(), documented: z.string() })),
  hint: z.string(),
  tokenType: z.string().optional(),
});

/** A published signing certificate of the IdP. */
export const signingKeyDto = z.object({
  id: z.string(),
  certificate: z.string(),
  activatesAt: z.string(),
  retiresAt: z.string().nullable(),
  isActive: z.boolean(),
  notAfter: z.string(),
  fingerprint: z.string(),
  publishedAt: z.string(),
});
/** The coming signing-certificate rollover, for the console and monitoring. */
export const rolloverStatusDto = z.object({
  currentExpiresAt: z.string().describe('notAfter of the certificate that signs now'),
  next: z
    .object({ publishedAt: z.string(), activatesAt: z.string() })
    .nullable()
    .describe('The next key: in metadata since `publishedAt`, signs from `activatesAt`; null when no rollover is under way'),
  isRolloverDue: z.boolean().describe('The signing certificate expires within 30 days and no next key is published: start a rollover'),
});
/** The IdP's endpoints and certificates, to give service providers. */
export const idpDto = z.object({
  entityId: z.string(),
  metadataUrl: z.string(),
  ssoUrl: z.string(),
  sloUrl: z.string(),
  /** The signing certificate alone, for SPs that ask for a file: PEM and DER. */
  certificatePemUrl: z.string(),
  certificateDerUrl: z.string(),
  wsfedUrl: z.string(),
  wsfedEntityId: z.string(),
  federationMetadataUrl: z.string(),
  keys: z.array(signingKeyDto),
  rollover: rolloverStatusDto,
});
export const keyRolloverBody = z
  .object({ leadDays: z.number().int().min(0).max(90).default(14), overlapDays: z.number().int().min(0).max(90).default(7) })
  .strict();
export const signingKeysAnswer = z.object({ keys: z.array(signingKeyDto) });
