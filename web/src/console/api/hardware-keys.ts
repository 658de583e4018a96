import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type {
  AccessProfile,
  AccessProfileInput,
  AccessProfilePatch,
  BulkKeyResult,
  BulkProfileResult,
  EffectiveAccessProfile,
  Employee,
  HardwareKeyDetail,
  HardwareKeyListItem,
  HardwareKeyQuery,
  ImportResult,
  Items,
  Paged,
  PasswordRotationStatus,
  TransitionInput,
  TransitionResult,
} from '../../shared/api/types';
import { queryKeys } from '../../shared/query-keys';

const keyPath = (id: string) => `/api/hardware-keys/${encodeURIComponent(id)}`;

export function useHardwareKeyList(query: HardwareKeyQuery) {
  return useQuery({
    queryKey: queryKeys.hardwareKeys.list(query),
    queryFn: ({ signal }) => api<Paged<HardwareKeyListItem>>('/api/hardware-keys', { query: { ...query }, signal }),
    placeholderData: keepPreviousData,
    // Employees activate keys on /enroll without the console knowing: ask again when the page opens.
    staleTime: 0,
  });
}

export function useHardwareKey(id: string) {
  return useQuery({
    queryKey: queryKeys.hardwareKeys.one(id),
    queryFn: ({ signal }) => api<HardwareKeyDetail>(keyPath(id), { signal }),
    staleTime: 0,
    // A reserved key becomes Active when its employee activates it: watch for that.
    refetchInterval: (q) => (q.state.data?.state === 'reserved' ? 5000 : false),
  });
}

export function useKeyAccessProfile(id: string) {
  return useQuery({
    queryKey: queryKeys.hardwareKeys.accessProfile(id),
    queryFn: ({ signal }) => api<EffectiveAccessProfile>(`${keyPath(id)}/access-profile`, { signal }),
  });
}

/** Who holds each key: the employees named by the rows of a page, each asked once (and cached). */
export function useEmployeesById(ids: (string | null)[]) {
  const unique = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  const results = useQueries({
    queries: unique.map((id) => ({
      queryKey: queryKeys.employee(id),
      queryFn: ({ signal }: { signal: AbortSignal }) => api<Employee>(`/api/employees/${encodeURIComponent(id)}`, { signal }),
      staleTime: 60_000,
    })),
  });
  const byId = new Map<string, Employee>();
  results.forEach((r, i) => {
    if (r.data) byId.set(unique[i], r.data);
  });
  return byId;
}

export const employeeLabel = (e: Employee) => e.displayName || `${e.firstName} ${e.lastName}`.trim() || e.email;

/** A key's state shows in lists, details, an employee's keys, the dashboard and the rotation status. */
function useInvalidateKeys() {
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: queryKeys.hardwareKeys.all }),
      qc.invalidateQueries({ queryKey: queryKeys.dashboard }),
      qc.invalidateQueries({ queryKey: ['password-rotation'] }),
      qc.invalidateQueries({ queryKey: queryKeys.accessProfiles }),
    ]);
}

export function useImportKeys() {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: (csv: string) => api<ImportResult>('/api/hardware-keys/import', { method: 'POST', body: { csv } }),
    onSuccess: invalidate,
  });
}

export function useTransitionKey(id: string) {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: (body: TransitionInput) => api<TransitionResult>(`${keyPath(id)}/transitions`, { method: 'POST', body }),
    // A refusal (409) means the key moved on since the page was drawn: ask again for its state and actions.
    onSettled: invalidate,
  });
}

export function useConfirmReset(id: string) {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: (reason: string) => api<TransitionResult>(`${keyPath(id)}/reset-confirmation`, { method: 'POST', body: { reason } }),
    onSettled: invalidate,
  });
}

export function useBulkReserve() {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: (body: { reason: string; items: { keyId: string; employeeId: string }[] }) =>
      api<BulkKeyResult>('/api/hardware-keys/bulk/reserve', { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

export function useBulkSuspend() {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: (body: { reason: string; keyIds: string[] }) => api<BulkKeyResult>('/api/hardware-keys/bulk/suspend', { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

export function useBulkAssignProfile() {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: (body: { accessProfileId: string | null; keyIds: string[] }) =>
      api<BulkProfileResult>('/api/hardware-keys/bulk/access-profile', { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

export function useAssignKeyProfile(id: string) {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: (accessProfileId: string | null) => api<EffectiveAccessProfile>(`${keyPath(id)}/access-profile`, { method: 'PUT', body: { accessProfileId } }),
    onSuccess: invalidate,
  });
}

export function useAccessProfiles() {
  return useQuery({
    queryKey: queryKeys.accessProfiles,
    queryFn: ({ signal }) => api<Items<AccessProfile>>('/api/access-profiles', { signal }),
    select: (d) => d.items,
  });
}

export function useSaveAccessProfile() {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: AccessProfilePatch } | { id?: undefined; input: AccessProfileInput }) =>
      id
        ? api<AccessProfile>(`/api/access-profiles/${encodeURIComponent(id)}`, { method: 'PATCH', body: input })
        : api<AccessProfile>('/api/access-profiles', { method: 'POST', body: input }),
    onSuccess: invalidate,
  });
}

export function useDeleteAccessProfile() {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/api/access-profiles/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}

export function usePasswordRotation(employeeId: string) {
  return useQuery({
    queryKey: queryKeys.passwordRotation(employeeId),
    queryFn: ({ signal }) => api<PasswordRotationStatus>(`/api/employees/${encodeURIComponent(employeeId)}/password-rotation`, { signal }),
  });
}
