import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { Items } from '../../shared/api/types';
import type { ItemOf, ResponseOf } from '../../shared/api/contract';
import { queryKeys } from '../../shared/query-keys';

export type Pairing = ItemOf<ResponseOf<'/api/entra/{domain}/pairings', 'get'>>;
export type PairingState = Pairing['state'];
export type EntraPasskey = Pairing['passkeys'][number];
export type RefreshSummary = ResponseOf<'/api/entra/{domain}/pairings/refresh', 'post'>;
/** The directory domains list (Settings → Domains); only Entra tenants provision passkeys. */
// The server declares a domain's `settings` as an open object (each connector has its own fields);
// an Entra tenant's `passkeys.enabled` is read here by hand.
export type DomainSummary = Omit<ItemOf<ResponseOf<'/api/directory/domains', 'get'>>, 'settings'> & {
  settings: { passkeys?: { enabled?: boolean } } & Record<string, unknown>;
};

export function useEntraDomains() {
  return useQuery({
    queryKey: queryKeys.directory.domains,
    queryFn: ({ signal }) => api<Items<DomainSummary>>('/api/directory/domains', { signal }),
    select: (data) => data.items.filter((d) => d.kind === 'entra'),
  });
}

export function usePairings(domainId: string | null) {
  return useQuery({
    queryKey: queryKeys.entra.pairings(domainId ?? ''),
    queryFn: ({ signal }) => api<Items<Pairing>>(`/api/entra/${encodeURIComponent(domainId!)}/pairings`, { signal }),
    select: (data) => data.items,
    enabled: !!domainId,
  });
}

export function useRefreshPairings(domainId: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<RefreshSummary>(`/api/entra/${encodeURIComponent(domainId!)}/pairings/refresh`, { method: 'POST' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.entra.pairings(domainId ?? '') }),
  });
}

export function useDeleteEntraPasskey(domainId: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (p: { employeeId: string; passkeyId: string }) =>
      api<void>(`/api/entra/${encodeURIComponent(domainId!)}/employees/${encodeURIComponent(p.employeeId)}/passkeys/${encodeURIComponent(p.passkeyId)}`, {
        method: 'DELETE',
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.entra.pairings(domainId ?? '') }),
  });
}
