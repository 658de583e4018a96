import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { DirectoryAccount, Items } from '../../shared/api/types';
import type { BodyOf, ItemOf, ResponseOf } from '../../shared/api/contract';
import { queryKeys } from '../../shared/query-keys';

export type { DirectoryAccount };

/** Shapes of /api/directory/* (src/directory/directory.schemas.ts), from the API contract. */
export type Domain = ItemOf<ResponseOf<'/api/directory/domains', 'get'>>;
export type RemovalBehaviour = Domain['removalBehaviour'];
export type NewDomain = BodyOf<'/api/directory/domains', 'post'>;
/** An AD domain's connection settings as the console edits them: every field, defaults filled in. */
export type AdSettings = Required<Extract<NewDomain, { kind: 'ad' }>['settings']>;
/** A change to a domain (PATCH); a new domain (POST) is a change with its `kind`. */
export type DomainPatch = BodyOf<'/api/directory/domains/{id}', 'patch'>;
export type DomainInput = DomainPatch | NewDomain;
export type SyncRun = ResponseOf<'/api/directory/domains/{id}/runs/{runId}', 'get'>;
export type SyncChange = SyncRun['changes'][number];
export type ConnectionTest = ResponseOf<'/api/directory/domains/{id}/test', 'post'>;
export type SyncPreview = ResponseOf<'/api/directory/domains/preview', 'post'>;
export type EntraPermission = ItemOf<ResponseOf<'/api/directory/entra/permissions', 'get'>>;
/** What a domain form holds, unsaved: a new domain's create body, or an edit over a saved domain. */
export type DomainDraft = { id: string; input: DomainPatch } | { id?: undefined; input: NewDomain };
export type HardwareKey = ItemOf<ResponseOf<'/api/employees/{id}/hardware-keys', 'get'>>;

export function useDomains() {
  return useQuery({
    queryKey: queryKeys.directory.domains,
    queryFn: ({ signal }) => api<Items<Domain>>('/api/directory/domains', { signal }),
    select: (d) => d.items,
  });
}

export function useSaveDomain() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: DomainInput }) =>
      id
        ? api<Domain>(`/api/directory/domains/${id}`, { method: 'PATCH', body: input })
        : api<Domain>('/api/directory/domains', { method: 'POST', body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.directory.domains }),
  });
}

export function useDeleteDomain() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/api/directory/domains/${id}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.directory.domains }),
  });
}

export function useTestDomain() {
  return useMutation({ mutationFn: (id: string) => api<ConnectionTest>(`/api/directory/domains/${id}/test`, { method: 'POST', body: {} }) });
}

/** Test connection with the form's values (a blank secret: the saved one). */
export function useTestDomainDraft() {
  return useMutation({
    mutationFn: (d: DomainDraft) =>
      api<ConnectionTest>(d.id ? `/api/directory/domains/${d.id}/test` : '/api/directory/domains/test', { method: 'POST', body: d.input }),
  });
}

/** What a sync would do with the form's values; writes nothing. */
export function usePreviewDomainDraft() {
  return useMutation({
    mutationFn: (d: DomainDraft) =>
      api<SyncPreview>(d.id ? `/api/directory/domains/${d.id}/preview` : '/api/directory/domains/preview', { method: 'POST', body: d.input }),
  });
}

export function useEntraPermissions() {
  return useQuery({
    queryKey: queryKeys.directory.entraPermissions,
    queryFn: ({ signal }) => api<Items<EntraPermission>>('/api/directory/entra/permissions', { signal }),
    select: (d) => d.items,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useStartSync() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, dryRun }: { id: string; dryRun: boolean }) => api<SyncRun>(`/api/directory/domains/${id}/sync`, { method: 'POST', body: { dryRun } }),
    onSuccess: (_r, v) => qc.invalidateQueries({ queryKey: queryKeys.directory.runs(v.id) }),
  });
}

/** The domain's history; polls every second while a run is in progress. */
export function useSyncRuns(domainId: string | null) {
  return useQuery({
    queryKey: queryKeys.directory.runs(domainId ?? ''),
    enabled: !!domainId,
    queryFn: ({ signal }) => api<Items<SyncRun>>(`/api/directory/domains/${domainId}/runs`, { signal, query: { limit: 20 } }),
    select: (d) => d.items,
    refetchInterval: (q) => (q.state.data?.items.some((r) => r.status === 'running') ? 1000 : false),
  });
}

export function useDecideRun() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ domainId, runId, decision }: { domainId: string; runId: string; decision: 'confirm' | 'cancel' }) =>
      api<SyncRun>(`/api/directory/domains/${domainId}/runs/${runId}/${decision}`, { method: 'POST', body: {} }),
    onSuccess: (_r, v) => {
      void qc.invalidateQueries({ queryKey: queryKeys.directory.runs(v.domainId) });
      void qc.invalidateQueries({ queryKey: queryKeys.employees });
    },
  });
}

export function useDirectoryAccounts(employeeId: string) {
  return useQuery({
    queryKey: queryKeys.directory.accounts(employeeId),
    queryFn: ({ signal }) => api<Items<DirectoryAccount>>(`/api/employees/${employeeId}/directory-accounts`, { signal }),
    select: (d) => d.items,
  });
}

export function useSetDomainPassword(employeeId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ accountId, body }: { accountId: string; body: { password: string } | { generate: true } }) =>
      api<void>(`/api/employees/${employeeId}/directory-accounts/${accountId}/password`, { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.directory.accounts(employeeId) }),
  });
}

export function useHardwareKeys(employeeId: string) {
  return useQuery({
    queryKey: queryKeys.directory.hardwareKeys(employeeId),
    queryFn: ({ signal }) => api<Items<HardwareKey>>(`/api/employees/${employeeId}/hardware-keys`, { signal }),
    select: (d) => d.items,
  });
}

export function useAddHardwareKey(employeeId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (serial: string) => api<HardwareKey>(`/api/employees/${employeeId}/hardware-keys`, { method: 'POST', body: { serial } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.directory.hardwareKeys(employeeId) }),
  });
}

export function useRemoveHardwareKey(employeeId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) => api<void>(`/api/employees/${employeeId}/hardware-keys/${keyId}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.directory.hardwareKeys(employeeId) }),
  });
}
