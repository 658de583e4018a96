// The signed-in employee's own page (GET/POST /api/portal/...).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../../shared/api/client';
import type { Credential, CredentialKind, PortalApplication, PortalMe, RegistrationCeremony, SignInEvent } from '../../shared/api/sign-in-types';
import type { Items, TotpSetup } from '../../shared/api/types';
import { register } from '../../shared/api/webauthn';
import { queryKeys } from '../../shared/query-keys';

/** The signed-in employee, or null when the session is missing or over. */
export function usePortalMe() {
  return useQuery({
    queryKey: queryKeys.portal.me,
    queryFn: async ({ signal }): Promise<PortalMe | null> => {
      try {
        return await api<PortalMe>('/api/portal/me', { signal, allowUnauthenticated: true });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
  });
}

export function usePortalCredentials() {
  return useQuery({
    queryKey: queryKeys.portal.credentials,
    queryFn: ({ signal }) => api<Items<Credential>>('/api/portal/credentials', { signal }),
  });
}

export function useSignIns() {
  return useQuery({
    queryKey: queryKeys.portal.signIns,
    queryFn: ({ signal }) => api<Items<SignInEvent>>('/api/portal/sign-ins', { signal }),
  });
}

export function useApplications() {
  return useQuery({
    queryKey: queryKeys.portal.applications,
    queryFn: ({ signal }) => api<Items<PortalApplication>>('/api/portal/applications', { signal }),
  });
}

function useInvalidatePortal() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: queryKeys.portal.all });
}

export function useAddCredential() {
  const invalidate = useInvalidatePortal();
  return useMutation({
    mutationFn: async ({ kind, name }: { kind: CredentialKind; name: string }) => {
      const ceremony = await api<RegistrationCeremony>('/api/portal/credentials/options', { method: 'POST', body: { kind } });
      const response = await register(ceremony);
      return api<Credential>('/api/portal/credentials/verify', { method: 'POST', body: { ceremonyId: ceremony.ceremonyId, response, name } });
    },
    onSettled: invalidate,
  });
}

export function useRenameCredential() {
  const invalidate = useInvalidatePortal();
  return useMutation({
    mutationFn: ({ id, name }: { id: string; name: string }) =>
      api<Credential>(`/api/portal/credentials/${encodeURIComponent(id)}`, { method: 'PATCH', body: { name } }),
    onSuccess: invalidate,
  });
}

export function useRemoveCredential() {
  const invalidate = useInvalidatePortal();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/api/portal/credentials/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}

export function useTotpOptions() {
  return useMutation({ mutationFn: () => api<TotpSetup>('/api/portal/totp/options', { method: 'POST' }) });
}

export function useTotpConfirm() {
  const invalidate = useInvalidatePortal();
  return useMutation({
    mutationFn: (code: string) => api<void>('/api/portal/totp/confirm', { method: 'POST', body: { code } }),
    onSuccess: invalidate,
  });
}

export function useChangeEmployeePassword() {
  return useMutation({
    mutationFn: (input: { currentPassword: string; newPassword: string }) => api<void>('/api/portal/password', { method: 'POST', body: input }),
  });
}
