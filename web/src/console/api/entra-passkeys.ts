import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { Items } from '../../shared/api/types';

export type PairingState = 'pending' | 'paired_tessera' | 'paired_entra';

export interface EntraPasskey {
  id: string;
  methodId: string;
  displayName: string;
  aaguid: string | null;
  model: string | null;
  isProvisionedByTessera: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface Pairing {
  employeeId: string;
  email: string;
  name: string;
  employeeStatus: string;
  entraUserId: string;
  state: PairingState;
  isMissingInEntra: boolean;
  unpairedAt: string | null;
  passkeys: EntraPasskey[];
  lastUsedAt: string | null;
  updatedAt: string;
}

export interface RefreshSummary {
  eligible: number;
  byState: Record<PairingState, number>;
  missingInEntra: number;
  removed: number;
}

/** The directory domains list (Settings → Domains); only Entra tenants provision passkeys. */
export interface DomainSummary {
  id: string;
  kind: string;
  name: string;
  settings: { passkeys?: { enabled?: boolean } } & Record<string, unknown>;
}

const entraKeys = {
  domains: ['directory', 'domains'] as const,
  pairings: (domainId: string) => ['entra', 'pairings', domainId] as const,
};

export function useEntraDomains() {
  return useQuery({
    queryKey: entraKeys.domains,
    queryFn: ({ signal }) => api<Items<DomainSummary>>('/api/directory/domains', { signal }),
    select: (data) => data.items.filter((d) => d.kind === 'entra'),
  });
}

export function usePairings(domainId: string | null) {
  return useQuery({
    queryKey: entraKeys.pairings(domainId ?? ''),
    queryFn: ({ signal }) => api<Items<Pairing>>(`/api/entra/${encodeURIComponent(domainId!)}/pairings`, { signal }),
    select: (data) => data.items,
    enabled: !!domainId,
  });
}

export function useRefreshPairings(domainId: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<RefreshSummary>(`/api/entra/${encodeURIComponent(domainId!)}/pairings/refresh`, { method: 'POST' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: entraKeys.pairings(domainId ?? '') }),
  });
}

export function useDeleteEntraPasskey(domainId: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (p: { employeeId: string; passkeyId: string }) =>
      api<void>(`/api/entra/${encodeURIComponent(domainId!)}/employees/${encodeURIComponent(p.employeeId)}/passkeys/${encodeURIComponent(p.passkeyId)}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: entraKeys.pairings(domainId ?? '') }),
  });
}
