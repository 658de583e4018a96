import { useSearchParams } from 'react-router-dom';

/**
 * A list's filters and page kept in the address (`?status=pending&page=2`), so that Back, a
 * reload and a shared link show the same list. Values are the address's strings ('' when unset);
 * changing a filter goes back to the first page.
 */
export function useUrlFilters<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(keys.map((k) => [k, params.get(k) ?? ''])) as Record<K, string>;
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);

  const update = (changes: Record<string, string | null>, resetPage = true) =>
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
    page,
    hasFilters: keys.some((k) => values[k] !== ''),
    setFilter: (key: K, value: string) => update({ [key]: value }),
    clearFilters: () => update(Object.fromEntries(keys.map((k) => [k, null]))),
    setPage: (value: number) => update({ page: value > 1 ? String(value) : null }, false),
  };
}
