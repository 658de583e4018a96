import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type {
  CreatedEnrolmentToken,
  EnrolmentToken,
  EnrolmentTokenInput,
  Items,
  WorkstationProfile,
  WorkstationProfileInput,
  WorkstationProfilePatch,
} from '../../shared/api/types';
import { queryKeys } from '../../shared/query-keys';
import { AGENT_DRIVEN } from './workstations';

// How workstations join and what rules they follow: enrolment tokens and workstation profiles.

export function useEnrolmentTokens() {
  return useQuery({
    queryKey: queryKeys.enrolmentTokens,
    queryFn: ({ signal }) => api<Items<EnrolmentToken>>('/api/workstation-enrolment-tokens', { signal }),
    select: (data) => data.items,
    // Uses count up as agents enrol.
    ...AGENT_DRIVEN,
  });
}

export function useCreateEnrolmentToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: EnrolmentTokenInput) => api<CreatedEnrolmentToken>('/api/workstation-enrolment-tokens', { method: 'POST', body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.enrolmentTokens }),
  });
}

export function useRevokeEnrolmentToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/api/workstation-enrolment-tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.enrolmentTokens }),
  });
}

export function useWorkstationProfiles() {
  return useQuery({
    queryKey: queryKeys.workstationProfiles,
    queryFn: ({ signal }) => api<Items<WorkstationProfile>>('/api/workstation-profiles', { signal }),
    select: (data) => data.items,
  });
}

/** A profile change can change which profile is in force at any workstation (department, default). */
function useProfileMutation<TVars, TData>(mutationFn: (vars: TVars) => Promise<TData>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () =>
      Promise.all([qc.invalidateQueries({ queryKey: queryKeys.workstationProfiles }), qc.invalidateQueries({ queryKey: queryKeys.workstations.all })]),
  });
}

export const useCreateWorkstationProfile = () =>
  useProfileMutation((input: WorkstationProfileInput) => api<WorkstationProfile>('/api/workstation-profiles', { method: 'POST', body: input }));

export const useUpdateWorkstationProfile = () =>
  useProfileMutation(({ id, patch }: { id: string; patch: WorkstationProfilePatch }) =>
    api<WorkstationProfile>(`/api/workstation-profiles/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch }),
  );

export const useDeleteWorkstationProfile = () =>
  useProfileMutation((id: string) => api<void>(`/api/workstation-profiles/${encodeURIComponent(id)}`, { method: 'DELETE' }));
