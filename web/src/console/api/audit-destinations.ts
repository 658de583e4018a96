import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { AuditDestination, AuditDestinationTest, CreateAuditDestination, Items, UpdateAuditDestination } from '../../shared/api/types';
import { queryKeys } from '../../shared/query-keys';

/** Destinations with their delivery state; refreshed every few seconds while the page is open. */
export function useAuditDestinations() {
  return useQuery({
    queryKey: queryKeys.auditDestinations,
    queryFn: ({ signal }) => api<Items<AuditDestination>>('/api/audit/destinations', { signal }),
    select: (data) => data.items,
    refetchInterval: 5000,
  });
}

export function useCreateAuditDestination() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateAuditDestination) => api<AuditDestination>('/api/audit/destinations', { method: 'POST', body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.auditDestinations }),
  });
}

export function useUpdateAuditDestination() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: UpdateAuditDestination }) =>
      api<AuditDestination>(`/api/audit/destinations/${encodeURIComponent(id)}`, { method: 'PATCH', body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.auditDestinations }),
  });
}

export function useDeleteAuditDestination() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/api/audit/destinations/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.auditDestinations }),
  });
}

export function useTestAuditDestination() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<AuditDestinationTest>(`/api/audit/destinations/${encodeURIComponent(id)}/test`, { method: 'POST', body: {} }),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.auditDestinations }),
  });
}
