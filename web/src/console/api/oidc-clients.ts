import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { Items } from '../../shared/api/types';
import type { BodyOf, ResponseOf } from '../../shared/api/contract';
import { queryKeys } from '../../shared/query-keys';

/** OIDC relying parties and Entra EAM apps (src/sso/oidc, /api/oidc/clients). */
export const OIDC_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export const OIDC_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'] as const;
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access', 'groups'] as const;
export const OIDC_CLAIMS = ['email', 'name', 'groups', 'department', 'position', 'upn'] as const;

export type OidcClient = ResponseOf<'/api/oidc/clients/{id}', 'get'>;
export type OidcClientKind = OidcClient['kind'];
export type OidcClientInput = BodyOf<'/api/oidc/clients', 'post'>;
/** A client with its secret: answered on registration and rotation only. */
export type OidcClientWithSecret = ResponseOf<'/api/oidc/clients', 'post'>;
export type OidcInfo = ResponseOf<'/api/oidc/info', 'get'>;

export function useOidcClients() {
  return useQuery({
    queryKey: queryKeys.oidcClients.all,
    queryFn: ({ signal }) => api<Items<OidcClient>>('/api/oidc/clients', { signal }),
    select: (data) => data.items,
  });
}

export function useOidcInfo() {
  return useQuery({ queryKey: queryKeys.oidcClients.info, queryFn: ({ signal }) => api<OidcInfo>('/api/oidc/info', { signal }) });
}

export function useCreateOidcClient() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: OidcClientInput) => api<OidcClientWithSecret>('/api/oidc/clients', { method: 'POST', body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.oidcClients.all }),
  });
}

export function useUpdateOidcClient() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: Omit<OidcClientInput, 'kind' | 'clientId'> }) =>
      api<OidcClientWithSecret>(`/api/oidc/clients/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.oidcClients.all }),
  });
}

export function useRotateOidcSecret() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<OidcClientWithSecret>(`/api/oidc/clients/${encodeURIComponent(id)}/secret`, { method: 'POST', body: {} }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.oidcClients.all }),
  });
}

export function useDeleteOidcClient() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/api/oidc/clients/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.oidcClients.all }),
  });
}
