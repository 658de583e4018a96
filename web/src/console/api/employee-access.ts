// Admin side of employee sign-in: an employee's credentials and invitations (docs/sign-in-api.md, Admin).
import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { EmployeeCredentials, InvitationRecord } from '../../shared/api/sign-in-types';
import type { Items } from '../../shared/api/types';
import { queryKeys } from '../../shared/query-keys';

const employeePath = (id: string) => `/api/employees/${encodeURIComponent(id)}`;

/**
 * After a credential or invitation changes: refetch `key`, and the employee list and dashboard too,
 * whose Enrolment column and rollout counts (never invited, invited, enrolled) are derived from them.
 */
function invalidateAccess(qc: QueryClient, key: readonly unknown[]) {
  return Promise.all([
    qc.invalidateQueries({ queryKey: key }),
    qc.invalidateQueries({ queryKey: queryKeys.employees }),
    qc.invalidateQueries({ queryKey: queryKeys.dashboard }),
  ]);
}

export function useEmployeeCredentials(employeeId: string) {
  return useQuery({
    queryKey: queryKeys.employeeAccess.credentials(employeeId),
    queryFn: ({ signal }) => api<EmployeeCredentials>(`${employeePath(employeeId)}/credentials`, { signal }),
  });
}

export function useRemoveEmployeeCredential(employeeId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (credentialId: string) => api<void>(`${employeePath(employeeId)}/credentials/${encodeURIComponent(credentialId)}`, { method: 'DELETE' }),
    onSuccess: () => invalidateAccess(qc, queryKeys.employeeAccess.credentials(employeeId)),
  });
}

/** Every passkey and security key, the password and the authenticator app. */
export function useRemoveAllEmployeeCredentials(employeeId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>(`${employeePath(employeeId)}/credentials`, { method: 'DELETE' }),
    onSuccess: () => invalidateAccess(qc, queryKeys.employeeAccess.credentials(employeeId)),
  });
}

export function useEmployeeInvitations(employeeId: string) {
  return useQuery({
    queryKey: queryKeys.employeeAccess.invitations(employeeId),
    queryFn: ({ signal }) => api<Items<InvitationRecord>>(`${employeePath(employeeId)}/invitations`, { signal }),
    // The mail goes out in the background: watch it while one is on its way.
    refetchInterval: (query) => (query.state.data?.items.some((i) => i.mail?.status === 'pending') ? 3000 : false),
  });
}

export function useSendInvitation(employeeId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<InvitationRecord>(`${employeePath(employeeId)}/invitations`, { method: 'POST' }),
    onSuccess: () => invalidateAccess(qc, queryKeys.employeeAccess.invitations(employeeId)),
  });
}

export function useRevokeInvitation(employeeId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (invitationId: string) => api<void>(`/api/invitations/${encodeURIComponent(invitationId)}`, { method: 'DELETE' }),
    onSuccess: () => invalidateAccess(qc, queryKeys.employeeAccess.invitations(employeeId)),
  });
}

/** Invites several employees at once (older open invitations of each are revoked). */
export function useInviteEmployees() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (employeeIds: string[]) => api<Items<InvitationRecord>>('/api/invitations', { method: 'POST', body: { employeeIds } }),
    onSuccess: () => invalidateAccess(qc, queryKeys.employeeAccess.all),
  });
}
