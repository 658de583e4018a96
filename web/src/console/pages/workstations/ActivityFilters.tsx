import { Button, Group, NativeSelect, TextInput } from '@mantine/core';
import type { ReactNode } from 'react';
import { dayToIso } from '../../../shared/components/format';
import { useWorkstationNames } from '../../api/workstations';
import { EmployeePicker } from '../../components/EmployeePicker';

/** The filters the sessions, events and summaries share; `from` / `to` are days (yyyy-mm-dd) in the address. */
export const ACTIVITY_FILTER_KEYS = ['workstationId', 'employeeId', 'from', 'to'] as const;
type ActivityKey = (typeof ACTIVITY_FILTER_KEYS)[number];

/** The API's side of the shared filters: ids as they are, days as the start of `from` and the end of `to`, in the admin's time zone. */
export function activityQuery(values: Record<ActivityKey, string>) {
  const q: { workstationId?: string; employeeId?: string; from?: string; to?: string } = {};
  if (values.workstationId) q.workstationId = values.workstationId;
  if (values.employeeId) q.employeeId = values.employeeId;
  const from = dayToIso(values.from, 'start');
  const to = dayToIso(values.to, 'end');
  if (from) q.from = from;
  if (to) q.to = to;
  return q;
}

/** Workstation, Employee, From date, To date, then whatever a list adds (`children`), and Clear filters. */
export function ActivityFilters<K extends string>(props: {
  values: Record<ActivityKey | K, string>;
  setFilter: (key: ActivityKey | K, value: string) => void;
  clearFilters: () => void;
  hasFilters: boolean;
  children?: ReactNode;
}) {
  const { values, setFilter } = props;
  const workstations = useWorkstationNames();
  const options = [{ value: '', label: 'All workstations' }, ...(workstations.data ?? []).map((w) => ({ value: w.id, label: w.name }))];
  // A workstation from the address stays selectable before (or without) the list.
  if (values.workstationId && !options.some((o) => o.value === values.workstationId)) options.push({ value: values.workstationId, label: 'This workstation' });

  return (
    <Group align="flex-end" gap="sm" mb="md" wrap="wrap">
      <NativeSelect
        label="Workstation"
        data={options}
        value={values.workstationId}
        onChange={(e) => setFilter('workstationId', e.currentTarget.value)}
        maw={240}
      />
      <EmployeePicker value={values.employeeId} onChange={(id) => setFilter('employeeId', id)} />
      <TextInput label="From date" type="date" value={values.from} onChange={(e) => setFilter('from', e.currentTarget.value)} />
      <TextInput label="To date" type="date" value={values.to} onChange={(e) => setFilter('to', e.currentTarget.value)} />
      {props.children}
      {props.hasFilters ? (
        <Button variant="subtle" onClick={props.clearFilters}>
          Clear filters
        </Button>
      ) : null}
    </Group>
  );
}
