import { Button, Group, NativeSelect, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useAuditActions } from '../../api/audit';
import type { AuditFilterKey, AuditFormValues } from './use-audit-query';

/** Text filter that applies 300 ms after typing stops. */
function DebouncedText({
  label,
  value,
  onApply,
  ...rest
}: {
  label: string;
  value: string;
  onApply: (value: string) => void;
  placeholder?: string;
  leftSection?: React.ReactNode;
  w?: number;
}) {
  const [text, setText] = useState(value);
  const [debounced] = useDebouncedValue(text, 300);
  useEffect(() => {
    if (debounced.trim() !== value) onApply(debounced.trim());
  }, [debounced]); // react to typing only
  useEffect(() => {
    if (value === '') setText('');
  }, [value]);
  return <TextInput label={label} value={text} onChange={(e) => setText(e.currentTarget.value)} {...rest} />;
}

export function AuditFilterBar({
  values,
  setFilter,
  clearFilters,
}: {
  values: AuditFormValues;
  setFilter: (key: AuditFilterKey, value: string) => void;
  clearFilters: () => void;
}) {
  const actions = useAuditActions();
  const actionOptions = [{ value: '', label: 'All actions' }, ...(actions.data ?? []).map((a) => ({ value: a, label: a }))];
  // Keep a filter from the URL selectable even before the list arrives.
  if (values.action && !actions.data?.includes(values.action)) actionOptions.push({ value: values.action, label: values.action });
  const hasFilters = Object.values(values).some(Boolean);

  return (
    <Group align="flex-end" gap="sm" mb="md" wrap="wrap">
      <NativeSelect label="Action" data={actionOptions} value={values.action} onChange={(e) => setFilter('action', e.currentTarget.value)} maw={260} />
      <DebouncedText label="Actor" placeholder="E-mail, name or id" value={values.actor} onApply={(v) => setFilter('actor', v)} w={200} />
      <NativeSelect
        label="Outcome"
        data={[
          { value: '', label: 'All outcomes' },
          { value: 'success', label: 'Success' },
          { value: 'failure', label: 'Failure' },
        ]}
        value={values.outcome}
        onChange={(e) => setFilter('outcome', e.currentTarget.value)}
      />
      <TextInput label="From date" type="date" value={values.from} onChange={(e) => setFilter('from', e.currentTarget.value)} />
      <TextInput label="To date" type="date" value={values.to} onChange={(e) => setFilter('to', e.currentTarget.value)} />
      <DebouncedText label="Search" placeholder="Any text" leftSection={<IconSearch size={16} />} value={values.q} onApply={(v) => setFilter('q', v)} w={220} />
      {hasFilters ? (
        <Button variant="subtle" onClick={clearFilters}>
          Clear filters
        </Button>
      ) : null}
    </Group>
  );
}
