import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { Admin, Items } from '../../shared/api/types';
import { queryKeys } from '../../shared/query-keys';

export function useAdmins() {
  return useQuery({
    queryKey: queryKeys.admins,
    queryFn: ({ signal }) => api<Items<Admin>>('/api/admins', { signal }),
    select: (data) => data.items,
  });
}

function useAdminMutation<TVars, TData>(mutationFn: (vars: TVars) => Promise<TData>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: queryKeys.admins }), qc.invalidateQueries({ queryKey: queryKeys.dashboard })]),
  });
}

export const useCreateAdmin = () =>
  useAdminMutation((input: { email: string; name: string; password: string }) => api<Admin>('/api/admins', { method: 'POST', body: input }));

export const useDeleteAdmin = () => useAdminMutation((adminId: string) => api<void>(`/api/admins/${encodeURIComponent(adminId)}`, { method: 'DELETE' }));

export const useResetAdminTotp = () =>
  useAdminMutation((adminId: string) => api<Admin>(`/api/admins/${encodeURIComponent(adminId)}/reset-totp`, { method: 'POST' }));
