import { useQuery } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import { keys } from './keys';
import type { Dashboard } from '../../shared/api/types';

export function useDashboard() {
  return useQuery({
    queryKey: keys.dashboard,
    queryFn: ({ signal }) => api<Dashboard>('/api/dashboard', { signal }),
    refetchInterval: 60_000,
  });
}
