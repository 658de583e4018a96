import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, buildQuery } from '../../shared/api/client';
import type { AuditEvent, AuditFilters, Items, Paged } from '../../shared/api/types';
import { queryKeys } from '../../shared/query-keys';

export function useAuditEvents(filters: AuditFilters, page: number, pageSize: number) {
  return useQuery({
    queryKey: queryKeys.auditList(filters, page, pageSize),
    queryFn: ({ signal }) => api<Paged<AuditEvent>>('/api/audit', { query: { ...filters, page, pageSize }, signal }),
    placeholderData: keepPreviousData,
  });
}

export function useAuditActions() {
  return useQuery({
    queryKey: queryKeys.auditActions,
    queryFn: ({ signal }) => api<Items<string>>('/api/audit/actions', { signal }),
    select: (data) => data.items,
    staleTime: 5 * 60_000,
  });
}

/** Link for the CSV export with the same filters as the table (a plain download, cookie-authenticated). */
export function auditExportUrl(filters: AuditFilters): string {
  return `/api/audit/export.csv${buildQuery({ ...filters })}`;
}
