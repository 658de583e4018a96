import { z } from 'zod';

/** Employee fields that can feed a NameID or an attribute. */
export const employeeFields = ['email', 'id', 'username', 'firstName', 'lastName', 'displayName', 'phone'] as const;
export type EmployeeField = (typeof employeeFields)[number];

/** NameID formats (saml-core §8.3) by their short names. */
export const nameIdFormats = {
  email: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
} as const;
export type NameIdFormat = keyof typeof nameIdFormats;
export const nameIdFormatNames = Object.keys(nameIdFormats) as [NameIdFormat, ...NameIdFormat[]];

const url = z.string().trim().max(2048).url().refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

export const attributeMapping = z.object({
  name: z.string().trim().min(1).max(512),
  field: z.enum(employeeFields),
  nameFormat: z.string().trim().max(512).nullable().optional(),
  friendlyName: z.string().trim().max(256).nullable().optional(),
}).strict();

export const acsEndpoint = z.object({
  url,
  binding: z.enum(['post', 'redirect']).default('post'),
  index: z.number().int().min(0).max(65535).default(0),
  isDefault: z.boolean().default(false),
}).strict();

/** A service provider (SAML) or relying party (WS-Fed) as an admin enters it. */
export const serviceProviderInput = z.object({
  name: z.string().trim().min(1).max(120),
  entityId: z.string().trim().min(1).max(1024),
  enabled: z.boolean().default(true),
  preset: z.string().max(40).nullable().optional(),
  acsEndpoints: z.array(acsEndpoint).min(1).max(20),
  sloUrl: url.nullable().optional(),
  sloBinding: z.enum(['post', 'redirect']).nullable().optional(),
  certificates: z.array(z.string().max(20_000)).max(4).default([]),
  nameIdFormat: z.enum(nameIdFormatNames).optional(),
  nameIdField: z.enum(employeeFields).optional(),
  attributes: z.array(attributeMapping).max(50).optional(),
  signResponse: z.boolean().default(true),
  signAssertion: z.boolean().default(true),
  encryptAssertion: z.boolean().default(false),
  requireSignedRequests: z.boolean().default(false),
  clockSkewSeconds: z.number().int().min(0).max(600).default(120),
  sessionLifetimeMinutes: z.number().int().min(5).max(10_080).default(480),
  idpInitiated: z.boolean().default(false),
  /** SAML: the RelayState of IdP-initiated sign-in (often a path at the SP); WS-Fed: the application's URL. */
  startUrl: z.string().trim().min(1).max(2048).nullable().optional(),
  tokenType: z.enum(['saml11', 'saml20']).nullable().optional(),
}).strict();
export type ServiceProviderInput = z.input<typeof serviceProviderInput>;

export const serviceProviderPatch = serviceProviderInput.partial().strict();

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
  attributes: z.array(z.object({ name: z.string(), field: z.string(), nameFormat: z.string().nullable().optional(), friendlyName: z.string().nullable().optional() })),
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
