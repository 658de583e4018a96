import { Button, Group, NativeSelect, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useCompanies, usePositions } from '../../api/organisation';
import type { EmployeeQuery } from '../../../shared/api/types';
import { GroupPicker } from '../../components/GroupPicker';
import { companyOfDepartment, companyOptions, departmentOptions, positionOptions } from '../../components/org-options';
import type { FilterKey } from './use-employee-query';

const statusOptions = [
  { value: '', label: 'All statuses' },
  { value: 'active', label: 'Active' },
  { value: 'deactivated', label: 'Deactivated' },
  { value: 'disabled', label: 'Disabled' },
];

const enrolmentOptions = [
  { value: '', label: 'Any enrolment' },
  { value: 'never_invited', label: 'Never invited' },
  { value: 'invited', label: 'Invited' },
  { value: 'invitation_expired', label: 'Invitation expired' },
  { value: 'enrolled', label: 'Enrolled' },
];

/** A text field whose value reaches the URL 300 ms after the admin stops typing. */
function useDebouncedFilter(current: string, apply: (value: string) => void) {
  const [text, setText] = useState(current);
  const [debounced] = useDebouncedValue(text, 300);
  useEffect(() => {
    if (debounced.trim() !== current) apply(debounced.trim());
    // React to typing only, not to every render.
  }, [debounced]);
  return [text, setText] as const;
}

export interface EmployeeFiltersProps {
  query: EmployeeQuery;
  setFilter: (key: FilterKey, value: string | null) => void;
  setFilters: (changes: Partial<Record<FilterKey, string | null>>) => void;
  clearFilters: () => void;
}

/** Search, Status, Enrolment, Company, Department, Position, Group and Source filters above the employee table. */
export function EmployeeFilters({ query, setFilter, setFilters, clearFilters }: EmployeeFiltersProps) {
  const companies = useCompanies();
  const positions = usePositions();
  const [search, setSearch] = useDebouncedFilter(query.q ?? '', (v) => setFilter('q', v));
  const [source, setSource] = useDebouncedFilter(query.source ?? '', (v) => setFilter('source', v));
  const companyId = query.companyId ?? '';
  const hasFilters = Boolean(search || source || query.status || query.companyId || query.departmentId || query.positionId || query.groupId || query.enrolment);

  const changeCompany = (value: string) => {
    const keep = value && query.departmentId && companyOfDepartment(companies.data, query.departmentId) === value;
    setFilters({ companyId: value, departmentId: keep ? query.departmentId! : null });
  };

  return (
    <Group align="flex-end" gap="sm" mb="md" wrap="wrap">
      <TextInput
        label="Search"
        placeholder="Name, e-mail or phone"
        leftSection={<IconSearch size={16} />}
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        w={240}
        type="search"
      />
      <NativeSelect label="Status" data={statusOptions} value={query.status ?? ''} onChange={(e) => setFilter('status', e.currentTarget.value)} />
      <NativeSelect label="Enrolment" data={enrolmentOptions} value={query.enrolment ?? ''} onChange={(e) => setFilter('enrolment', e.currentTarget.value)} />
      <NativeSelect
        label="Company"
        data={companyOptions(companies.data, 'All companies')}
        value={companyId}
        onChange={(e) => changeCompany(e.currentTarget.value)}
        maw={200}
      />
      <NativeSelect
        label="Department"
        data={departmentOptions(companies.data, companyId, 'All departments')}
        value={query.departmentId ?? ''}
        onChange={(e) => setFilter('departmentId', e.currentTarget.value)}
        maw={200}
      />
      <NativeSelect
        label="Position"
        data={positionOptions(positions.data, 'All positions')}
        value={query.positionId ?? ''}
        onChange={(e) => setFilter('positionId', e.currentTarget.value)}
        maw={200}
      />
      <GroupPicker value={query.groupId ?? ''} onChange={(id) => setFilter('groupId', id)} w={200} />
      <TextInput label="Source" placeholder="Any source" value={source} onChange={(e) => setSource(e.currentTarget.value)} w={130} />
      {hasFilters ? (
        <Button
          variant="subtle"
          onClick={() => {
            setSearch('');
            setSource('');
            clearFilters();
          }}
        >
          Clear filters
        </Button>
      ) : null}
    </Group>
  );
}
