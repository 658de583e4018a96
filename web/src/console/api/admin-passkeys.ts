// The signed-in admin's own passkeys (console sign-in without a password).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { AdminPasskey, AuthenticationCeremony, CredentialKind, RegistrationCeremony } from '../../shared/api/sign-in-types';
import type { Items, LoginResult } from '../../shared/api/types';
import { authenticate, register } from '../../shared/api/webauthn';
import { queryKeys } from '../../shared/query-keys';

/** Username-less sign-in to the console with a passkey (user verification makes it complete). */
export function usePasskeyLogin() {
  return useMutation({
    mutationFn: async () => {
      const ceremony = await api<AuthenticationCeremony>('/api/auth/passkey/options', { method: 'POST', allowUnauthenticated: true });
      const response = await authenticate(ceremony);
      return api<LoginResult>('/api/auth/passkey/verify', {
        method: 'POST',
        allowUnauthenticated: true,
        body: { ceremonyId: ceremony.ceremonyId, response },
      });
    },
  });
}

export function useAdminPasskeys() {
  return useQuery({
    queryKey: queryKeys.adminPasskeys,
    queryFn: ({ signal }) => api<Items<AdminPasskey>>('/api/auth/passkeys', { signal }),
  });
}

export function useAddAdminPasskey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ kind, name }: { kind: CredentialKind; name: string }) => {
      const ceremony = await api<RegistrationCeremony>('/api/auth/passkeys/options', { method: 'POST', body: { kind } });
      const response = await register(ceremony);
      return api<unknown>('/api/auth/passkeys/verify', { method: 'POST', body: { ceremonyId: ceremony.ceremonyId, response, name } });
    },
    onSettled: () => Promise.all([qc.invalidateQueries({ queryKey: queryKeys.adminPasskeys }), qc.invalidateQueries({ queryKey: queryKeys.me })]),
  });
}

export function useRemoveAdminPasskey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/api/auth/passkeys/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.adminPasskeys }),
  });
}
