import { MultiSelect } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQueries } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../../shared/api/client';
import type { Employee } from '../../../shared/api/types';
import { queryKeys } from '../../../shared/query-keys';
import { useEmployees } from '../../api/employees';

export const employeeLabel = (e: Pick<Employee, 'displayName' | 'firstName' | 'lastName' | 'email'>) =>
  `${e.displayName || `${e.firstName} ${e.lastName}`} (${e.email})`;

/**
 * Several employees, found by typing part of a name or e-mail (the server searches; 20 matches at
 * most). The chosen ones keep their names whatever the search.
 */
export function EmployeesMultiPicker({
  value,
  onChange,
  label,
  description,
}: {
  value: string[];
  onChange: (ids: string[]) => void;
  label: string;
  description?: string;
}) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 300);
  const found = useEmployees({ q: debounced.trim() || undefined, sort: 'lastName', order: 'asc', page: 1, pageSize: 20 });
  const chosen = useQueries({
    queries: value.map((id) => ({
      queryKey: queryKeys.employee(id),
      queryFn: ({ signal }: { signal: AbortSignal }) => api<Employee>(`/api/employees/${encodeURIComponent(id)}`, { signal }),
    })),
  });
  const options = new Map<string, string>();
  value.forEach((id, i) => {
    const e = chosen[i]?.data;
    options.set(id, e ? employeeLabel(e) : chosen[i]?.isError ? 'Unknown employee' : 'Loading…');
  });
  for (const e of found.data?.items ?? []) if (!options.has(e.id)) options.set(e.id, employeeLabel(e));

  return (
    <MultiSelect
      label={label}
      description={description}
      placeholder={value.length ? undefined : 'Type a name or e-mail address'}
      data={[...options].map(([id, text]) => ({ value: id, label: text }))}
      value={value}
      onChange={onChange}
      searchable
      clearable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: all }) => all}
      nothingFoundMessage={found.isFetching ? 'Searching…' : 'No employee matches'}
      hidePickedOptions
    />
  );
}
