import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { Employee, EmployeeInput, EmployeeList, EmployeePatch, EmployeeQuery } from '../../shared/api/types';
import { queryKeys } from '../../shared/query-keys';

export function useEmployees(query: EmployeeQuery) {
  return useQuery({
    queryKey: queryKeys.employeeList(query),
    queryFn: ({ signal }) => api<EmployeeList>('/api/employees', { query: { ...query }, signal }),
    placeholderData: keepPreviousData,
  });
}

export function useEmployee(id: string, opts: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.employee(id),
    queryFn: ({ signal }) => api<Employee>(`/api/employees/${encodeURIComponent(id)}`, { signal }),
    enabled: opts.enabled ?? true,
  });
}

/** Employees feed the dashboard counters and the organisation's employee counts too. */
function useInvalidateEmployees() {
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: queryKeys.employees }),
      qc.invalidateQueries({ queryKey: queryKeys.dashboard }),
      qc.invalidateQueries({ queryKey: queryKeys.companies }),
      qc.invalidateQueries({ queryKey: queryKeys.positions }),
    ]);
}

export function useCreateEmployee() {
  const invalidate = useInvalidateEmployees();
  return useMutation({
    mutationFn: (input: EmployeeInput) => api<Employee>('/api/employees', { method: 'POST', body: input }),
    onSuccess: invalidate,
  });
}

export function useUpdateEmployee(id: string) {
  const qc = useQueryClient();
  const invalidate = useInvalidateEmployees();
  return useMutation({
    mutationFn: (patch: EmployeePatch) => api<Employee>(`/api/employees/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch }),
    onSuccess: async (employee) => {
      // The answer of a change has no groups: keep those the page read.
      qc.setQueryData<Employee>(queryKeys.employee(id), (old) => (old ? { ...old, ...employee } : old));
      await invalidate();
    },
  });
}

export function useDeleteEmployee() {
  const qc = useQueryClient();
  const invalidate = useInvalidateEmployees();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/api/employees/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: async (_data, id) => {
      qc.removeQueries({ queryKey: queryKeys.employee(id) });
      await invalidate();
    },
  });
}
