// The vault in the console: shared accounts, templates, an employee's accounts (never a secret in an answer).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { Items } from '../../shared/api/types';
import type {
  Assignments,
  PasswordPolicy,
  SharedAccount,
  SharedAccountInput,
  SharedAccountPatch,
  VaultAccount,
  VaultTemplate,
  VaultTemplateInput,
  VaultTemplatePatch,
} from '../../shared/api/vault-types';
import { queryKeys } from '../../shared/query-keys';

const shared = (id: string) => `/api/vault/shared-accounts/${encodeURIComponent(id)}`;
const template = (id: string) => `/api/vault/templates/${encodeURIComponent(id)}`;

export function useSharedAccounts() {
  return useQuery({
    queryKey: queryKeys.vault.shared,
    queryFn: ({ signal }) => api<Items<SharedAccount>>('/api/vault/shared-accounts', { signal }),
    select: (d) => d.items,
  });
}

export function useVaultTemplates() {
  return useQuery({
    queryKey: queryKeys.vault.templates,
    queryFn: ({ signal }) => api<Items<VaultTemplate>>('/api/vault/templates', { signal }),
    select: (d) => d.items,
  });
}

/** An employee's directory, personal and shared accounts: names, logins and what is set. */
export function useEmployeeVaultAccounts(employeeId: string) {
  return useQuery({
    queryKey: queryKeys.vault.employee(employeeId),
    queryFn: ({ signal }) => api<Items<VaultAccount>>(`/api/employees/${encodeURIComponent(employeeId)}/vault-accounts`, { signal }),
    select: (d) => d.items,
  });
}

/** A shared account's change shows in the list and on the employee pages of its holders. */
function useInvalidateVault() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: queryKeys.vault.all });
}

export function useCreateSharedAccount() {
  const invalidate = useInvalidateVault();
  return useMutation({
    mutationFn: (input: SharedAccountInput) => api<SharedAccount>('/api/vault/shared-accounts', { method: 'POST', body: input }),
    onSuccess: invalidate,
  });
}

export function useUpdateSharedAccount() {
  const invalidate = useInvalidateVault();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: SharedAccountPatch }) => api<SharedAccount>(shared(id), { method: 'PATCH', body: patch }),
    onSuccess: invalidate,
  });
}

export function useSetAssignments() {
  const invalidate = useInvalidateVault();
  return useMutation({
    mutationFn: ({ id, assignments }: { id: string; assignments: Assignments }) =>
      api<SharedAccount>(`${shared(id)}/assignments`, { method: 'PUT', body: assignments }),
    onSuccess: invalidate,
  });
}

export function useDeleteSharedAccount() {
  const invalidate = useInvalidateVault();
  return useMutation({
    mutationFn: (id: string) => api<void>(shared(id), { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}

export function useCreateTemplate() {
  const invalidate = useInvalidateVault();
  return useMutation({
    mutationFn: (input: VaultTemplateInput) => api<VaultTemplate>('/api/vault/templates', { method: 'POST', body: input }),
    onSuccess: invalidate,
  });
}

export function useUpdateTemplate() {
  const invalidate = useInvalidateVault();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: VaultTemplatePatch }) => api<VaultTemplate>(template(id), { method: 'PATCH', body: patch }),
    onSuccess: invalidate,
  });
}

export function useDeleteTemplate() {
  const invalidate = useInvalidateVault();
  return useMutation({
    mutationFn: (id: string) => api<void>(template(id), { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}

export const generateAdminPassword = async (policy: PasswordPolicy) =>
  (await api<{ password: string }>('/api/vault/password-generator', { method: 'POST', body: policy })).password;
