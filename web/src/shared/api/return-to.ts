// Where a sign-in page goes once signed in: the server decides (GET /api/signin/return-to, checked
// against PUBLIC_URL by src/lib/return-to.ts), and the page navigates to its answer.
import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import { queryKeys } from '../query-keys';

export type ReturnToFor = 'portal' | 'console';

const HOME: Record<ReturnToFor, string> = { portal: '/portal', console: '/' };

/**
 * A second look at the server's answer, in case it ever changed: a path of this site and nothing
 * that a browser would read as another host.
 */
const isPlainPath = (value: string) => value.startsWith('/') && !value.startsWith('//') && !/[\u0000-\u001f\u007f\\]/.test(value);

/**
 * The checked return address for a raw `return_to` (or `next`) parameter: the server's answer,
 * the home page when there is no parameter or the server cannot be asked, or undefined while it
 * is being asked.
 */
export function useReturnTo(value: string | null, app: ReturnToFor): string | undefined {
  const home = HOME[app];
  const answer = useQuery({
    queryKey: queryKeys.returnTo(app, value),
    queryFn: ({ signal }) =>
      api<{ redirectTo: string }>('/api/signin/return-to', { query: { return_to: value, for: app }, signal, allowUnauthenticated: true }),
    enabled: !!value,
    staleTime: Infinity,
    retry: 1,
  });
  if (!value || answer.isError) return home;
  if (!answer.data) return undefined;
  return isPlainPath(answer.data.redirectTo) ? answer.data.redirectTo : home;
}
