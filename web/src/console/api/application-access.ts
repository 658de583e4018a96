import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { Items } from '../../shared/api/types';
import type { BodyOf, ResponseOf } from '../../shared/api/contract';
import { queryKeys } from '../../shared/query-keys';

// Who may use an SSO application (src/applications/application-access.*): everyone, or chosen
// groups, departments and employees. One address per protocol, all of the same shape: the types
// are read from the SAML one.

export type AccessProtocol = 'oidc' | 'saml' | 'wsfed';
export type ApplicationAccess = ResponseOf<'/api/applications/saml/{id}/access', 'get'>;
export type ApplicationAccessInput = BodyOf<'/api/applications/saml/{id}/access', 'put'>;
export type AccessTarget = ApplicationAccess['groups'][number];

export function useApplicationAccess(protocol: AccessProtocol, id: string) {
  return useQuery({
    queryKey: queryKeys.applicationAccess(protocol, id),
    queryFn: ({ signal }) => api<ApplicationAccess>(`/api/applications/${protocol}/${id}/access`, { signal }),
  });
}

export function useSetApplicationAccess(protocol: AccessProtocol, id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: ApplicationAccessInput) => api<ApplicationAccess>(`/api/applications/${protocol}/${id}/access`, { method: 'PUT', body: input }),
    onSuccess: (data) => qc.setQueryData(queryKeys.applicationAccess(protocol, id), data),
  });
}

/** Groups, departments and employees whose name contains the text (the server searches). */
export function useAccessTargets(q: string) {
  return useQuery({
    queryKey: queryKeys.accessTargets(q),
    queryFn: ({ signal }) => api<Items<AccessTarget>>(`/api/applications/access-targets?${new URLSearchParams({ q })}`, { signal }),
    select: (data) => data.items,
  });
}
