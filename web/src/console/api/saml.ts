import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { Items } from '../../shared/api/types';

export type SsoProtocol = 'saml' | 'wsfed';
export type NameIdFormat = 'email' | 'persistent' | 'transient' | 'unspecified';
export const NAME_ID_FORMATS: NameIdFormat[] = ['email', 'persistent', 'transient', 'unspecified'];
export const EMPLOYEE_FIELDS = ['email', 'id', 'username', 'firstName', 'lastName', 'displayName', 'phone'] as const;

export interface AcsEndpoint { url: string; binding: 'post' | 'redirect'; index: number; isDefault: boolean }
export interface AttributeMapping { name: string; field: string; nameFormat?: string | null; friendlyName?: string | null }
export interface ServiceProvider {
  id: string; protocol: SsoProtocol; name: string; entityId: string; enabled: boolean; preset: string | null;
  acsEndpoints: AcsEndpoint[]; sloUrl: string | null; sloBinding: string | null;
  certificates: { subject: string; notAfter: string; fingerprint: string; pem: string }[];
  nameIdFormat: NameIdFormat; nameIdField: string; attributes: AttributeMapping[];
  signResponse: boolean; signAssertion: boolean; encryptAssertion: boolean; requireSignedRequests: boolean;
  clockSkewSeconds: number; sessionLifetimeMinutes: number; idpInitiated: boolean; startUrl: string | null;
  tokenType: 'saml11' | 'saml20' | null; source: string; createdAt: string; updatedAt: string;
}
export interface ServiceProviderInput {
  name: string; entityId: string; enabled?: boolean; preset?: string | null; acsEndpoints: { url: string; binding?: 'post' | 'redirect'; index?: number; isDefault?: boolean }[];
  sloUrl?: string | null; sloBinding?: 'post' | 'redirect' | null; certificates?: string[]; nameIdFormat?: NameIdFormat; nameIdField?: string;
  attributes?: AttributeMapping[]; signResponse?: boolean; signAssertion?: boolean; encryptAssertion?: boolean; requireSignedRequests?: boolean;
  clockSkewSeconds?: number; sessionLifetimeMinutes?: number; idpInitiated?: boolean; startUrl?: string | null; tokenType?: 'saml11' | 'saml20' | null;
}
export interface SpPreset { id: string; label: string; protocol: SsoProtocol; nameIdFormat: NameIdFormat; nameIdField: string; attributes: { name: string; field: string }[]; hint: string; tokenType?: string }
export interface ParsedMetadata { entityId: string; acsEndpoints: AcsEndpoint[]; sloUrl: string | null; sloBinding: 'post' | 'redirect' | null; certificates: string[]; nameIdFormat: NameIdFormat | null; requireSignedRequests: boolean }
export interface IdpInfo {
  entityId: string; metadataUrl: string; ssoUrl: string; sloUrl: string; wsfedUrl: string; wsfedEntityId: string; federationMetadataUrl: string;
  keys: { id: string; activatesAt: string; retiresAt: string | null; isActive: boolean; notAfter: string; fingerprint: string }[];
}

const samlKeys = {
  all: ['saml'] as const,
  list: (protocol: SsoProtocol) => ['saml', 'list', protocol] as const,
  presets: ['saml', 'presets'] as const,
  idp: ['saml', 'idp'] as const,
};
const base = (protocol: SsoProtocol) => (protocol === 'saml' ? '/api/saml/service-providers' : '/api/wsfed/relying-parties');

export function useServiceProviders(protocol: SsoProtocol) {
  return useQuery({ queryKey: samlKeys.list(protocol), queryFn: ({ signal }) => api<Items<ServiceProvider>>(base(protocol), { signal }), select: (d) => d.items });
}

export function useSpPresets() {
  return useQuery({ queryKey: samlKeys.presets, queryFn: ({ signal }) => api<Items<SpPreset>>('/api/saml/presets', { signal }), select: (d) => d.items, staleTime: Infinity });
}

export function useIdpInfo() {
  return useQuery({ queryKey: samlKeys.idp, queryFn: ({ signal }) => api<IdpInfo>('/api/saml/idp', { signal }) });
}

export function useCreateServiceProvider(protocol: SsoProtocol) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: ServiceProviderInput) => api<ServiceProvider>(base(protocol), { method: 'POST', body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: samlKeys.all }),
  });
}

export function useUpdateServiceProvider(protocol: SsoProtocol) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: Partial<ServiceProviderInput> }) => api<ServiceProvider>(`${base(protocol)}/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch }),
    onSuccess: () => qc.invalidateQueries({ queryKey: samlKeys.all }),
  });
}

export function useDeleteServiceProvider(protocol: SsoProtocol) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`${base(protocol)}/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: samlKeys.all }),
  });
}

/** Reads SP metadata on the server; nothing is saved. */
export function useParseMetadata() {
  return useMutation({ mutationFn: (metadata: string) => api<ParsedMetadata>('/api/saml/metadata/parse', { method: 'POST', body: { metadata } }) });
}

export function useRolloverKeys() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { leadDays: number; overlapDays: number }) => api<unknown>('/api/saml/keys/rollover', { method: 'POST', body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: samlKeys.idp }),
  });
}
