import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { Branding } from './sign-in-types';
import { queryKeys } from '../query-keys';

/** Public: the organisation's name, colour and whether it has a logo (GET /api/branding/logo). */
export function useBranding() {
  return useQuery({
    queryKey: queryKeys.branding,
    queryFn: ({ signal }) => api<Branding>('/api/branding', { signal, allowUnauthenticated: true }),
    staleTime: 5 * 60_000,
  });
}

export const LOGO_URL = '/api/branding/logo';
