import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { Company, Items, NamedRef, Position } from '../../shared/api/types';
import { queryKeys } from '../../shared/query-keys';

export function useCompanies() {
  return useQuery({
    queryKey: queryKeys.companies,
    queryFn: ({ signal }) => api<Items<Company>>('/api/companies', { signal }),
    select: (data) => data.items,
  });
}

export function usePositions() {
  return useQuery({
    queryKey: queryKeys.positions,
    queryFn: ({ signal }) => api<Items<Position>>('/api/positions', { signal }),
    select: (data) => data.items,
  });
}

const id = (value: string) => encodeURIComponent(value);

/** Renaming a company, department or position changes how employees display too. */
function useOrgMutation<TVars, TData>(mutationFn: (vars: TVars) => Promise<TData>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: queryKeys.companies }),
        qc.invalidateQueries({ queryKey: queryKeys.positions }),
        qc.invalidateQueries({ queryKey: queryKeys.employees }),
      ]),
  });
}

export const useCreateCompany = () => useOrgMutation((name: string) => api<NamedRef>('/api/companies', { method: 'POST', body: { name } }));

export const useRenameCompany = () =>
  useOrgMutation((v: { id: string; name: string }) => api<NamedRef>(`/api/companies/${id(v.id)}`, { method: 'PATCH', body: { name: v.name } }));

export const useDeleteCompany = () => useOrgMutation((companyId: string) => api<void>(`/api/companies/${id(companyId)}`, { method: 'DELETE' }));

export const useCreateDepartment = () =>
  useOrgMutation((v: { companyId: string; name: string }) =>
    api<NamedRef>(`/api/companies/${id(v.companyId)}/departments`, { method: 'POST', body: { name: v.name } }),
  );

export const useRenameDepartment = () =>
  useOrgMutation((v: { id: string; name: string }) => api<NamedRef>(`/api/departments/${id(v.id)}`, { method: 'PATCH', body: { name: v.name } }));

export const useDeleteDepartment = () => useOrgMutation((departmentId: string) => api<void>(`/api/departments/${id(departmentId)}`, { method: 'DELETE' }));

export const useCreatePosition = () => useOrgMutation((name: string) => api<NamedRef>('/api/positions', { method: 'POST', body: { name } }));

export const useRenamePosition = () =>
  useOrgMutation((v: { id: string; name: string }) => api<NamedRef>(`/api/positions/${id(v.id)}`, { method: 'PATCH', body: { name: v.name } }));

export const useDeletePosition = () => useOrgMutation((positionId: string) => api<void>(`/api/positions/${id(positionId)}`, { method: 'DELETE' }));
