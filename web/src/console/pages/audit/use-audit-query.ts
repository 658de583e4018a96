import { useSearchParams } from 'react-router-dom';
import type { AuditFilters } from '../../../shared/api/types';
import { dayToIso } from '../../../shared/components/format';

export const AUDIT_PAGE_SIZE = 50;
export const AUDIT_FILTER_KEYS = ['action', 'actor', 'outcome', 'from', 'to', 'q'] as const;
export type AuditFilterKey = (typeof AUDIT_FILTER_KEYS)[number];
export type AuditFormValues = Record<AuditFilterKey, string>;

/**
 * Audit filters live in the URL. `from` / `to` are days (yyyy-mm-dd) there; the API receives ISO
 * timestamps for the start of `from` and the end of `to`, in the admin's time zone.
 */
export function useAuditQuery() {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(AUDIT_FILTER_KEYS.map((k) => [k, params.get(k) ?? ''])) as AuditFormValues;
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);

  const filters: AuditFilters = {};
  if (values.action) filters.action = values.action;
  if (values.actor) filters.actor = values.actor;
  if (values.outcome) filters.outcome = values.outcome;
  if (values.q) filters.q = values.q;
  const from = dayToIso(values.from, 'start');
  const to = dayToIso(values.to, 'end');
  if (from) filters.from = from;
  if (to) filters.to = to;

  const update = (changes: Partial<Record<AuditFilterKey | 'page', string>>, resetPage = true) =>
    setParams(
      () => {
        // Start from the address bar, not from this render's params: two quick changes in a row
        // (e.g. From date then To date) must both survive a navigation that has not re-rendered yet.
        const next = new URLSearchParams(window.location.search);
        for (const [key, value] of Object.entries(changes)) {
          if (value) next.set(key, value);
          else next.delete(key);
        }
        if (resetPage) next.delete('page');
        return next;
      },
      { replace: true },
    );

  return {
    values,
    filters,
    page,
    setFilter: (key: AuditFilterKey, value: string) => update({ [key]: value }),
    clearFilters: () => update(Object.fromEntries(AUDIT_FILTER_KEYS.map((k) => [k, '']))),
    setPage: (value: number) => update({ page: value > 1 ? String(value) : '' }, false),
  };
}
