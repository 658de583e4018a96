import { Button, Group, NativeSelect, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { useLookups } from './use-lookups';

export const WORKSTATION_FILTER_KEYS = ['q', 'status', 'online', 'departmentId', 'profileId'] as const;
export type WorkstationFilterKey = (typeof WORKSTATION_FILTER_KEYS)[number];

const statusOptions = [
  { value: '', label: 'All statuses' },
  { value: 'pending', label: 'Pending approval' },
  { value: 'approved', label: 'Approved' },
  { value: 'denied', label: 'Denied' },
];
const onlineOptions = [
  { value: '', label: 'Online and offline' },
  { value: 'true', label: 'Online' },
  { value: 'false', label: 'Offline' },
];

/** Search, Status, Connection, Department and Profile above the workstation list. */
export function WorkstationFilters(props: {
  values: Record<WorkstationFilterKey, string>;
  setFilter: (key: WorkstationFilterKey, value: string) => void;
  clearFilters: () => void;
  hasFilters: boolean;
  lookups: ReturnType<typeof useLookups>;
}) {
  const { values, setFilter, lookups } = props;
  const [search, setSearch] = useState(values.q);
  const [debounced] = useDebouncedValue(search, 300);
  useEffect(() => {
    if (debounced.trim() !== values.q) setFilter('q', debounced.trim());
  }, [debounced]); // react to typing only
  useEffect(() => {
    if (values.q === '') setSearch('');
  }, [values.q]);

  return (
    <Group align="flex-end" gap="sm" mb="md" wrap="wrap">
      <TextInput
        label="Search"
        placeholder="Name, host, domain or OS"
        type="search"
        leftSection={<IconSearch size={16} />}
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        w={240}
      />
      <NativeSelect label="Status" data={statusOptions} value={values.status} onChange={(e) => setFilter('status', e.currentTarget.value)} />
      <NativeSelect label="Connection" data={onlineOptions} value={values.online} onChange={(e) => setFilter('online', e.currentTarget.value)} />
      <NativeSelect
        label="Department"
        data={lookups.departmentOptions('All departments')}
        value={values.departmentId}
        onChange={(e) => setFilter('departmentId', e.currentTarget.value)}
        maw={220}
      />
      <NativeSelect
        label="Profile"
        description="In force: own, department's or default"
        data={lookups.profileOptions('All profiles')}
        value={values.profileId}
        onChange={(e) => setFilter('profileId', e.currentTarget.value)}
        maw={220}
      />
      {props.hasFilters ? (
        <Button variant="subtle" onClick={props.clearFilters}>
          Clear filters
        </Button>
      ) : null}
    </Group>
  );
}
