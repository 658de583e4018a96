import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import type { Group } from '../../shared/api/types';
import { useGroup, useGroups } from '../api/groups';

const labelOf = (g: Group) => (g.source === 'local' ? g.name : `${g.name} (${g.source.domainName})`);

/**
 * Picks one group by typing part of its name (the server searches; 20 matches at most). The chosen
 * one stays in the list whatever the search, so the field keeps showing its name.
 */
export function GroupPicker({
  value,
  onChange,
  label = 'Group',
  placeholder = 'All groups',
  w = 220,
  localOnly,
  exclude = [],
}: {
  value: string;
  onChange: (id: string) => void;
  label?: string;
  placeholder?: string;
  w?: number | string;
  /** Offer local groups only (those the console can fill). */
  localOnly?: boolean;
  /** Ids not to offer (groups the employee is already in). */
  exclude?: string[];
}) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 300);
  const chosen = useGroup(value, { enabled: Boolean(value) });
  const chosenLabel = value && chosen.data ? labelOf(chosen.data) : '';
  const q = debounced === chosenLabel ? '' : debounced.trim();
  const found = useGroups({ q: q || undefined, source: localOnly ? 'local' : undefined, page: 1, pageSize: 20 });
  const options = (found.data?.items ?? []).filter((g) => !exclude.includes(g.id)).map((g) => ({ value: g.id, label: labelOf(g) }));
  if (value && chosen.data && !options.some((o) => o.value === value)) options.unshift({ value, label: chosenLabel });

  return (
    <Select
      label={label}
      placeholder={placeholder}
      data={options}
      value={value || null}
      onChange={(id) => onChange(id ?? '')}
      searchable
      clearable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: all }) => all}
      nothingFoundMessage={found.isFetching ? 'Searching…' : 'No group matches'}
      w={w}
    />
  );
}
