import { useSearchParams } from 'react-router-dom';
import type { EmployeeQuery, EmployeeSort, SortOrder } from '../../../shared/api/types';

export const PAGE_SIZE = 50;
const SORTS: EmployeeSort[] = ['lastName', 'firstName', 'email', 'status', 'createdAt', 'company'];
export const FILTER_KEYS = ['q', 'status', 'companyId', 'departmentId', 'positionId', 'source', 'groupId', 'enrolment'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/**
 * The employee list's search, filters, sort and page live in the URL, so that coming back from an
 * employee's page (or sharing the link) shows the same list.
 */
export function useEmployeeQuery() {
  const [params, setParams] = useSearchParams();

  const sortParam = params.get('sort') as EmployeeSort | null;
  const sort: EmployeeSort = sortParam && SORTS.includes(sortParam) ? sortParam : 'lastName';
  const order: SortOrder = params.get('order') === 'desc' ? 'desc' : 'asc';
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);

  const query: EmployeeQuery = { sort, order, page, pageSize: PAGE_SIZE };
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) query[key] = value;
  }

  const update = (changes: Record<string, string | null>, resetPage = true) =>
    setParams(
      () => {
        // Start from the address bar, not from this render's params: two quick changes in a row
        // (e.g. From date then To date) must both survive a navigation that has not re-rendered yet.
        const next = new URLSearchParams(window.location.search);
        for (const [key, value] of Object.entries(changes)) {
          if (value === null || value === '') next.delete(key);
          else next.set(key, value);
        }
        if (resetPage) next.delete('page');
        return next;
      },
      { replace: true },
    );

  return {
    query,
    setFilter: (key: FilterKey, value: string | null) => update({ [key]: value }),
    setFilters: (changes: Partial<Record<FilterKey, string | null>>) => update(changes),
    clearFilters: () => update(Object.fromEntries(FILTER_KEYS.map((k) => [k, null]))),
    toggleSort: (column: EmployeeSort) => update({ sort: column, order: column === sort && order === 'asc' ? 'desc' : 'asc' }),
    setPage: (value: number) => update({ page: value > 1 ? String(value) : null }, false),
  };
}
