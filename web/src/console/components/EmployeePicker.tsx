import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import type { Employee } from '../../shared/api/types';
import { useEmployee, useEmployees } from '../api/employees';

const labelOf = (e: Pick<Employee, 'displayName' | 'firstName' | 'lastName' | 'email'>) => `${e.displayName || `${e.firstName} ${e.lastName}`} (${e.email})`;

/**
 * Picks one employee by typing part of a name or e-mail (the server searches; 20 matches at most).
 * The chosen one stays in the list whatever the search, so the field keeps showing its name.
 */
export function EmployeePicker({
  value,
  onChange,
  label = 'Employee',
  placeholder = 'All employees',
  w = 260,
  required,
  error,
  activeOnly,
  'data-form-field': formField,
}: {
  value: string;
  onChange: (id: string) => void;
  label?: string;
  placeholder?: string;
  w?: number | string;
  required?: boolean;
  error?: string | null;
  /** Offer active employees only (e.g. to reserve a key for one). */
  activeOnly?: boolean;
  /** Set by a form's `field(name)` (components/forms), so that a server error finds the input. */
  'data-form-field'?: string;
}) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 300);
  const chosen = useEmployee(value, { enabled: Boolean(value) });
  const chosenLabel = value && chosen.data ? labelOf(chosen.data) : '';
  // Typing searches; the chosen one's own label in the field is no search.
  const q = debounced === chosenLabel ? '' : debounced.trim();
  const found = useEmployees({ q: q || undefined, status: activeOnly ? 'active' : undefined, sort: 'lastName', order: 'asc', page: 1, pageSize: 20 });
  const options = (found.data?.items ?? []).map((e) => ({ value: e.id, label: labelOf(e) }));
  if (value && chosen.data && !options.some((o) => o.value === value)) options.unshift({ value, label: chosenLabel });

  return (
    <Select
      label={label}
      placeholder={placeholder}
      required={required}
      error={error}
      data={options}
      value={value || null}
      onChange={(id) => onChange(id ?? '')}
      searchable
      clearable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: all }) => all}
      nothingFoundMessage={found.isFetching ? 'Searching…' : 'No employee matches'}
      w={w}
      data-form-field={formField}
    />
  );
}
