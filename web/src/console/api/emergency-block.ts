import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { EmergencyBlock } from '../../shared/api/types';
import { queryKeys } from '../../shared/query-keys';

/** The phrase the server wants typed to turn the block on (EMERGENCY_CONFIRMATION). */
export const EMERGENCY_PHRASE = 'BLOCK ALL WORKSTATIONS';

/**
 * The emergency block's state. Every console page shows a banner while it is on, so it is asked
 * every 15 s and whenever the window gets the focus back (`fastPoll`: every 3 s, for the page that
 * watches the workstations acknowledge it).
 */
export function useEmergencyBlock(opts: { fastPoll?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.emergencyBlock,
    queryFn: ({ signal }) => api<EmergencyBlock>('/api/emergency-block', { signal }),
    refetchInterval: opts.fastPoll ? 3000 : 15_000,
    refetchOnWindowFocus: 'always',
    staleTime: 0,
  });
}

function useEmergencyMutation<TVars>(mutationFn: (vars: TVars) => Promise<EmergencyBlock>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: async (state) => {
      qc.setQueryData(queryKeys.emergencyBlock, state);
      // The workstations' "blocked" marks and the dashboard's count follow the agents' acknowledgements.
      await Promise.all([qc.invalidateQueries({ queryKey: queryKeys.emergencyBlock }), qc.invalidateQueries({ queryKey: queryKeys.workstations.all })]);
    },
  });
}

/** The typed phrase goes to the server as typed: it, not the page, decides whether it matches. */
export const useStartEmergencyBlock = () =>
  useEmergencyMutation((body: { confirmation: string; reason: string }) => api<EmergencyBlock>('/api/emergency-block', { method: 'POST', body }));

export const useLiftEmergencyBlock = () =>
  useEmergencyMutation((reason: string) => api<EmergencyBlock>('/api/emergency-block/lift', { method: 'POST', body: { reason } }));
