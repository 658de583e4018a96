import type { AuditFilters } from '../../../shared/api/types';
import { dayToIso } from '../../../shared/components/format';
import { useUrlFilters } from '../../components/use-url-filters';

export const AUDIT_PAGE_SIZE = 50;
export const AUDIT_FILTER_KEYS = ['action', 'actor', 'outcome', 'from', 'to', 'q'] as const;
export type AuditFilterKey = (typeof AUDIT_FILTER_KEYS)[number];
export type AuditFormValues = Record<AuditFilterKey, string>;

/**
 * Audit filters live in the URL (useUrlFilters). `from` / `to` are days (yyyy-mm-dd) there; the API
 * receives ISO timestamps for the start of `from` and the end of `to`, in the admin's time zone.
 */
export function useAuditQuery() {
  const { values, page, setFilter, clearFilters, setPage } = useUrlFilters(AUDIT_FILTER_KEYS);

  const filters: AuditFilters = {};
  if (values.action) filters.action = values.action;
  if (values.actor) filters.actor = values.actor;
  if (values.outcome) filters.outcome = values.outcome;
  if (values.q) filters.q = values.q;
  const from = dayToIso(values.from, 'start');
  const to = dayToIso(values.to, 'end');
  if (from) filters.from = from;
  if (to) filters.to = to;

  return { values, filters, page, setFilter, clearFilters, setPage };
}
