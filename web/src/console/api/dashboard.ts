import { useQuery } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { Dashboard } from '../../shared/api/types';
import { queryKeys } from '../../shared/query-keys';

export function useDashboard() {
  return useQuery({
    queryKey: queryKeys.dashboard,
    queryFn: ({ signal }) => api<Dashboard>('/api/dashboard', { signal }),
    refetchInterval: 60_000,
  });
}
