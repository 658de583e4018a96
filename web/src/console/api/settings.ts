import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { Settings, SettingsPatch } from '../../shared/api/types';
import { queryKeys } from '../../shared/query-keys';

export function useSettings() {
  return useQuery({
    queryKey: queryKeys.settings,
    queryFn: ({ signal }) => api<Settings>('/api/settings', { signal }),
  });
}

export function useUpdateSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: SettingsPatch) => api<Settings>('/api/settings', { method: 'PATCH', body: patch }),
    onSuccess: async (settings) => {
      qc.setQueryData(queryKeys.settings, settings);
      // The header shows the organisation name and the profile page the TOTP policy.
      await qc.invalidateQueries({ queryKey: queryKeys.me });
    },
  });
}
