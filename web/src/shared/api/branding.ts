import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { Branding } from './sign-in-types';

export const brandingKey = ['branding'] as const;

/** Public: the organisation's name, colour and whether it has a logo (GET /api/branding/logo). */
export function useBranding() {
  return useQuery({
    queryKey: brandingKey,
    queryFn: ({ signal }) => api<Branding>('/api/branding', { signal, allowUnauthenticated: true }),
    staleTime: 5 * 60_000,
  });
}

export const LOGO_URL = '/api/branding/logo';
