import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { Dashboard } from './types';

export function useDashboard() {
  return useQuery({
    queryKey: keys.dashboard,
    queryFn: ({ signal }) => api<Dashboard>('/api/dashboard', { signal }),
    refetchInterval: 60_000,
  });
}
