import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { BulkResult, Items, Paged, Workstation, WorkstationCommand, WorkstationCounts, WorkstationPatch, WorkstationQuery } from '../../shared/api/types';
import { queryKeys } from '../../shared/query-keys';

const path = (id: string) => `/api/workstations/${encodeURIComponent(id)}`;

/**
 * Agents change what these queries show (enrolments, connections, acknowledgements) without the
 * console knowing, so no mutation here could invalidate it: a page that opens asks again at once.
 */
export const AGENT_DRIVEN = { staleTime: 0 } as const;

/** Commands still on their way to the agent: their list is asked again until none is. */
export const isCommandOpen = (c: WorkstationCommand) => c.state === 'queued' || c.state === 'sent';

export function useWorkstations(query: WorkstationQuery) {
  return useQuery({
    queryKey: queryKeys.workstations.list(query),
    queryFn: ({ signal }) => api<Paged<Workstation>>('/api/workstations', { query: { ...query }, signal }),
    placeholderData: keepPreviousData,
    ...AGENT_DRIVEN,
    refetchInterval: 30_000,
  });
}

/** Every workstation (up to the API's page size), for the Workstation filter of the activity lists. */
export function useWorkstationNames() {
  return useQuery({
    queryKey: queryKeys.workstations.names,
    queryFn: ({ signal }) => api<Paged<Workstation>>('/api/workstations', { query: { pageSize: 500 }, signal }),
    select: (data) => data.items.map((w) => ({ id: w.id, name: w.name })),
    staleTime: 60_000,
  });
}

export function useWorkstation(id: string) {
  return useQuery({
    queryKey: queryKeys.workstations.one(id),
    queryFn: ({ signal }) => api<Workstation>(path(id), { signal }),
    ...AGENT_DRIVEN,
    refetchInterval: 15_000,
  });
}

export function useWorkstationCounts() {
  return useQuery({
    queryKey: queryKeys.workstations.counts,
    queryFn: ({ signal }) => api<WorkstationCounts>('/api/workstations/counts', { signal }),
    ...AGENT_DRIVEN,
    refetchInterval: 60_000,
  });
}

/** The workstation's last 200 commands; asked every 2 s while one is queued or sent. */
export function useWorkstationCommands(id: string) {
  return useQuery({
    queryKey: queryKeys.workstations.commands(id),
    queryFn: ({ signal }) => api<Items<WorkstationCommand>>(`${path(id)}/commands`, { signal }),
    select: (data) => data.items,
    ...AGENT_DRIVEN,
    refetchInterval: (q) => (q.state.data?.items.some(isCommandOpen) ? 2000 : false),
  });
}

/**
 * A workstation's approval, name, department or profile shows in the lists, the counts, the
 * profiles' workstation counts, the activity lists and the emergency block's number of workstations.
 */
export function useInvalidateWorkstations() {
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: queryKeys.workstations.all }),
      qc.invalidateQueries({ queryKey: queryKeys.workstationActivity.all }),
      qc.invalidateQueries({ queryKey: queryKeys.workstationProfiles }),
      qc.invalidateQueries({ queryKey: queryKeys.emergencyBlock }),
    ]);
}

export function useUpdateWorkstation(id: string) {
  const qc = useQueryClient();
  const invalidate = useInvalidateWorkstations();
  return useMutation({
    mutationFn: (patch: WorkstationPatch) => api<Workstation>(path(id), { method: 'PATCH', body: patch }),
    onSuccess: async (workstation) => {
      qc.setQueryData(queryKeys.workstations.one(id), workstation);
      await invalidate();
    },
  });
}

export type Decision = 'approve' | 'deny';

/** Approve or deny one workstation (a row's button, the detail page). */
export function useDecideWorkstation() {
  const invalidate = useInvalidateWorkstations();
  return useMutation({
    mutationFn: ({ id, decision }: { id: string; decision: Decision }) => api<Workstation>(`${path(id)}/${decision}`, { method: 'POST', body: {} }),
    onSuccess: invalidate,
  });
}

/** Approve or deny the ticked workstations at once; the answer lists those that were so already. */
export function useDecideWorkstations() {
  const invalidate = useInvalidateWorkstations();
  return useMutation({
    mutationFn: ({ ids, decision }: { ids: string[]; decision: Decision }) =>
      api<BulkResult>(`/api/workstations/${decision}`, { method: 'POST', body: { ids } }),
    onSuccess: invalidate,
  });
}

export function useRemoveWorkstation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(path(id), { method: 'DELETE' }),
    onSuccess: async (_data, id) => {
      // The removed one's own queries would only answer 404 now: drop them instead of asking again.
      const isGone = (q: { queryKey: readonly unknown[] }) => q.queryKey[0] === queryKeys.workstations.all[0] && q.queryKey[2] === id;
      qc.removeQueries({ predicate: isGone });
      await Promise.all([
        qc.invalidateQueries({ queryKey: queryKeys.workstations.all, predicate: (q) => !isGone(q) }),
        qc.invalidateQueries({ queryKey: queryKeys.workstationActivity.all }),
        qc.invalidateQueries({ queryKey: queryKeys.workstationProfiles }),
        qc.invalidateQueries({ queryKey: queryKeys.emergencyBlock }),
      ]);
    },
  });
}

export type AdminCommand = 'lock' | 'logoff' | 'refresh-profile';

/** Lock now, Log off, Refresh profile: stored, then delivered (202 with the command). */
export function useSendCommand(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ command, reason }: { command: AdminCommand; reason?: string }) =>
      api<WorkstationCommand>(`${path(id)}/${command}`, { method: 'POST', body: reason ? { reason } : {} }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.workstations.commands(id) }),
  });
}

/** Locks every workstation where the employee is signed in now; the answer is one command each. */
export function useLockEmployeeWorkstations(employeeId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (reason?: string) =>
      api<Items<WorkstationCommand>>(`/api/employees/${encodeURIComponent(employeeId)}/lock-workstations`, {
        method: 'POST',
        body: reason ? { reason } : {},
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.workstations.all }),
  });
}

/** Signs the employee out everywhere; workstations lock where their profile says so. */
export function useEndEmployeeSessions(employeeId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>(`/api/employees/${encodeURIComponent(employeeId)}/end-sessions`, { method: 'POST', body: {} }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.workstations.all }),
  });
}
