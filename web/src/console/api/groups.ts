import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { Employee, Group, GroupInput, GroupMembersQuery, GroupQuery, Paged } from '../../shared/api/types';
import { queryKeys } from '../../shared/query-keys';

const groupPath = (id: string) => `/api/groups/${encodeURIComponent(id)}`;

export function useGroups(query: GroupQuery, opts: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.groups.list(query),
    queryFn: ({ signal }) => api<Paged<Group>>('/api/groups', { query: { ...query }, signal }),
    placeholderData: keepPreviousData,
    enabled: opts.enabled ?? true,
  });
}

export function useGroup(id: string, opts: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.groups.one(id),
    queryFn: ({ signal }) => api<Group>(groupPath(id), { signal }),
    enabled: opts.enabled ?? true,
  });
}

export function useGroupMembers(id: string, query: GroupMembersQuery) {
  return useQuery({
    queryKey: queryKeys.groups.members(id, query),
    queryFn: ({ signal }) => api<Paged<Employee>>(`${groupPath(id)}/members`, { query: { ...query }, signal }),
    placeholderData: keepPreviousData,
  });
}

/** A group change shows in the group lists, and in employees' pages and the employee list's filter. */
function useInvalidateGroups() {
  const qc = useQueryClient();
  return () => Promise.all([qc.invalidateQueries({ queryKey: queryKeys.groups.all }), qc.invalidateQueries({ queryKey: queryKeys.employees })]);
}

export function useCreateGroup() {
  const invalidate = useInvalidateGroups();
  return useMutation({
    mutationFn: (input: GroupInput) => api<Group>('/api/groups', { method: 'POST', body: input }),
    onSuccess: invalidate,
  });
}

export function useUpdateGroup(id: string) {
  const invalidate = useInvalidateGroups();
  return useMutation({
    mutationFn: (patch: Partial<GroupInput>) => api<Group>(groupPath(id), { method: 'PATCH', body: patch }),
    onSuccess: invalidate,
  });
}

export function useDeleteGroup() {
  const qc = useQueryClient();
  const invalidate = useInvalidateGroups();
  return useMutation({
    mutationFn: (id: string) => api<void>(groupPath(id), { method: 'DELETE' }),
    onSuccess: async (_data, id) => {
      qc.removeQueries({ queryKey: queryKeys.groups.one(id) });
      await invalidate();
    },
  });
}

export function useAddGroupMembers() {
  const invalidate = useInvalidateGroups();
  return useMutation({
    mutationFn: ({ groupId, employeeIds }: { groupId: string; employeeIds: string[] }) =>
      api<Group>(`${groupPath(groupId)}/members`, { method: 'POST', body: { employeeIds } }),
    onSuccess: invalidate,
  });
}

export function useRemoveGroupMember() {
  const invalidate = useInvalidateGroups();
  return useMutation({
    mutationFn: ({ groupId, employeeId }: { groupId: string; employeeId: string }) =>
      api<void>(`${groupPath(groupId)}/members/${encodeURIComponent(employeeId)}`, { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}
