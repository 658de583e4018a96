// The employee's own vault, "My accounts" (GET/POST/PATCH/DELETE /api/portal/vault/...).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { AuthenticationCeremony } from '../../shared/api/sign-in-types';
import type { Items } from '../../shared/api/types';
import type {
  PasswordPolicy,
  RevealAnswer,
  RevealField,
  VaultAccount,
  VaultAccountFromTemplate,
  VaultAccountInput,
  VaultAccountPatch,
  VaultTemplate,
} from '../../shared/api/vault-types';
import { authenticate } from '../../shared/api/webauthn';
import { queryKeys } from '../../shared/query-keys';

const account = (id: string) => `/api/portal/vault/accounts/${encodeURIComponent(id)}`;

export function useMyVaultAccounts() {
  return useQuery({
    queryKey: queryKeys.portal.vaultAccounts,
    queryFn: ({ signal }) => api<Items<VaultAccount>>('/api/portal/vault/accounts', { signal }),
    select: (d) => d.items,
    // An administrator adds, changes or takes away shared accounts without this page knowing.
    staleTime: 0,
    refetchOnWindowFocus: true,
  });
}

export function useVaultTemplates(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.portal.vaultTemplates,
    queryFn: ({ signal }) => api<Items<VaultTemplate>>('/api/portal/vault/templates', { signal }),
    select: (d) => d.items,
    enabled,
  });
}

function useInvalidateVault() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: queryKeys.portal.vaultAccounts });
}

export function useCreateVaultAccount() {
  const invalidate = useInvalidateVault();
  return useMutation({
    mutationFn: ({ template, body }: { template?: VaultTemplate; body: VaultAccountInput }) => {
      // From a template whose addresses were kept: the server fills them in and links the account to it.
      if (template && (body.urls ?? []).join('\n') === template.urls.join('\n')) {
        const { urls: _urls, ...rest } = body;
        const fromTemplate: VaultAccountFromTemplate = { ...rest, templateId: template.id };
        return api<VaultAccount>('/api/portal/vault/accounts/from-template', { method: 'POST', body: fromTemplate });
      }
      return api<VaultAccount>('/api/portal/vault/accounts', { method: 'POST', body });
    },
    onSuccess: invalidate,
  });
}

export function useUpdateVaultAccount() {
  const invalidate = useInvalidateVault();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: VaultAccountPatch }) => api<VaultAccount>(account(id), { method: 'PATCH', body: patch }),
    onSuccess: invalidate,
  });
}

export function useDeleteVaultAccount() {
  const invalidate = useInvalidateVault();
  return useMutation({
    mutationFn: (id: string) => api<void>(account(id), { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}

export const generatePortalPassword = async (policy: PasswordPolicy) =>
  (await api<{ password: string }>('/api/portal/vault/password-generator', { method: 'POST', body: policy })).password;

/**
 * The reveal ceremony: options bound to this account and field, a WebAuthn assertion with user
 * verification (the browser asks for the PIN or fingerprint), then the value. Nothing is cached:
 * the answer goes to the caller only, never into the query cache or the browser's storage.
 */
export async function revealField(id: string, field: RevealField, purpose: 'reveal' | 'copy'): Promise<RevealAnswer> {
  const ceremony = await api<AuthenticationCeremony>(`${account(id)}/reveal/options`, { method: 'POST', body: { field } });
  const response = await authenticate(ceremony);
  return api<RevealAnswer>(`${account(id)}/reveal`, { method: 'POST', body: { ceremonyId: ceremony.ceremonyId, response, field, purpose } });
}
