import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { Items } from '../../shared/api/types';
import type { BodyOf, ItemOf, ResponseOf } from '../../shared/api/contract';
import { queryKeys } from '../../shared/query-keys';

export const NAME_ID_FORMATS: NameIdFormat[] = ['email', 'persistent', 'transient', 'unspecified'];
export const EMPLOYEE_FIELDS = ['email', 'id', 'username', 'firstName', 'lastName', 'displayName', 'phone'] as const;
/**
 * What an attribute can carry (the server's src/sso/employee-attributes.ts), with what it is; besides
 * these, `directory:<name>` sends any attribute of the synced directory record. A value the
 * employee lacks leaves the attribute out.
 */
export const ATTRIBUTE_SOURCES: { value: string; label: string }[] = [
  { value: 'email', label: 'e-mail address' },
  { value: 'id', label: 'Tessera employee id' },
  { value: 'username', label: 'local part of the e-mail' },
  { value: 'firstName', label: 'first name' },
  { value: 'lastName', label: 'last name' },
  { value: 'displayName', label: 'first and last name' },
  { value: 'phone', label: 'phone' },
  { value: 'company', label: 'company' },
  { value: 'department', label: 'department' },
  { value: 'title', label: 'position' },
  { value: 'groups', label: 'group names, one value each' },
  { value: 'groupIds', label: 'Tessera group ids, one value each' },
  { value: 'upn', label: 'directory userPrincipalName' },
  { value: 'sAMAccountName', label: 'AD sAMAccountName' },
  { value: 'objectSid', label: 'AD objectSid' },
  { value: 'objectGUID', label: 'AD objectGUID' },
  { value: 'externalId', label: 'AD objectGUID or Entra object id' },
  { value: 'directory:<name>', label: 'any synced directory attribute' },
];

export type ServiceProvider = ResponseOf<'/api/saml/service-providers/{id}', 'get'>;
export type SsoProtocol = ServiceProvider['protocol'];
export type NameIdFormat = NonNullable<ServiceProviderInput['nameIdFormat']>;
export type AcsEndpoint = ServiceProvider['acsEndpoints'][number];
export type AttributeMapping = ServiceProvider['attributes'][number];
export type ServiceProviderInput = BodyOf<'/api/saml/service-providers', 'post'>;
export type SpPreset = ItemOf<ResponseOf<'/api/saml/presets', 'get'>>;
export type ParsedMetadata = ResponseOf<'/api/saml/metadata/parse', 'post'>;
export type IdpInfo = ResponseOf<'/api/saml/idp', 'get'>;

const base = (protocol: SsoProtocol) => (protocol === 'saml' ? '/api/saml/service-providers' : '/api/wsfed/relying-parties');

export function useServiceProviders(protocol: SsoProtocol) {
  return useQuery({
    queryKey: queryKeys.saml.list(protocol),
    queryFn: ({ signal }) => api<Items<ServiceProvider>>(base(protocol), { signal }),
    select: (d) => d.items,
  });
}

export function useSpPresets() {
  return useQuery({
    queryKey: queryKeys.saml.presets,
    queryFn: ({ signal }) => api<Items<SpPreset>>('/api/saml/presets', { signal }),
    select: (d) => d.items,
    staleTime: Infinity,
  });
}

export function useIdpInfo() {
  return useQuery({ queryKey: queryKeys.saml.idp, queryFn: ({ signal }) => api<IdpInfo>('/api/saml/idp', { signal }) });
}

export function useCreateServiceProvider(protocol: SsoProtocol) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: ServiceProviderInput) => api<ServiceProvider>(base(protocol), { method: 'POST', body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.saml.all }),
  });
}

export function useUpdateServiceProvider(protocol: SsoProtocol) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: Partial<ServiceProviderInput> }) =>
      api<ServiceProvider>(`${base(protocol)}/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.saml.all }),
  });
}

export function useDeleteServiceProvider(protocol: SsoProtocol) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`${base(protocol)}/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.saml.all }),
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
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.saml.idp }),
  });
}
