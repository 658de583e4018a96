import { Alert, Button, Group, MultiSelect, SegmentedControl, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { errorMessage } from '../../shared/api/client';
import { notifySuccess } from '../../shared/components/notify';
import { type AccessProtocol, type AccessTarget, useAccessTargets, useApplicationAccess, useSetApplicationAccess } from '../api/application-access';

const KIND_LABELS = { group: 'Groups', department: 'Departments', employee: 'Employees' } as const;
const keyOf = (t: Pick<AccessTarget, 'kind' | 'id'>) => `${t.kind}:${t.id}`;
const labelOf = (t: AccessTarget) => (t.detail ? `${t.name} (${t.detail})` : t.name);

/**
 * Who may use the application: every employee (the default) or only the chosen groups,
 * departments and employees. Employees who may not use it do not see it on their portal, and a
 * sign-in to it is refused in the protocol's own form. Applied with its own button (*Apply access*).
 */
export function ApplicationAccessField({ protocol, id }: { protocol: AccessProtocol; id: string }) {
  const access = useApplicationAccess(protocol, id);
  const save = useSetApplicationAccess(protocol, id);
  const [mode, setMode] = useState<'everyone' | 'assigned'>('everyone');
  const [chosen, setChosen] = useState<AccessTarget[]>([]);
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 300);
  const found = useAccessTargets(debounced.trim());

  useEffect(() => {
    if (!access.data) return;
    setMode(access.data.mode);
    setChosen([...access.data.groups, ...access.data.departments, ...access.data.employees]);
  }, [access.data]);

  // The chosen ones stay in the options whatever the search, so their labels keep showing.
  const known = new Map<string, AccessTarget>();
  for (const t of [...chosen, ...(found.data ?? [])]) known.set(keyOf(t), t);
  const data = (Object.keys(KIND_LABELS) as (keyof typeof KIND_LABELS)[])
    .map((kind) => ({
      group: KIND_LABELS[kind],
      items: [...known.values()].filter((t) => t.kind === kind).map((t) => ({ value: keyOf(t), label: labelOf(t) })),
    }))
    .filter((g) => g.items.length > 0);
  const ids = (kind: AccessTarget['kind']) => chosen.filter((t) => t.kind === kind).map((t) => t.id);

  const submit = async () => {
    await save.mutateAsync({ mode, groups: ids('group'), departments: ids('department'), employees: ids('employee') });
    notifySuccess(mode === 'everyone' ? 'Every employee may use this application.' : 'Access saved.');
  };

  return (
    <Stack gap="xs" role="group" aria-label="Access">
      <Text fw={500} size="sm">
        Access
      </Text>
      <Text size="xs" c="dimmed">
        Who may sign in to this application and see it on their portal. Others are refused, and the refusal is audited.
      </Text>
      <SegmentedControl
        value={mode}
        onChange={(v) => setMode(v as typeof mode)}
        data={[
          { value: 'everyone', label: 'Everyone' },
          { value: 'assigned', label: 'Only these' },
        ]}
      />
      {mode === 'assigned' ? (
        <MultiSelect
          label="Groups, departments and employees"
          placeholder={chosen.length ? undefined : 'Type to search'}
          data={data}
          value={chosen.map(keyOf)}
          onChange={(keys) => setChosen(keys.map((k) => known.get(k)).filter((t): t is AccessTarget => Boolean(t)))}
          searchable
          searchValue={search}
          onSearchChange={setSearch}
          filter={({ options }) => options}
          nothingFoundMessage={found.isFetching ? 'Searching…' : 'Nothing matches'}
          description={chosen.length === 0 ? 'No one chosen: nobody may use the application.' : undefined}
          hidePickedOptions
        />
      ) : null}
      {save.error ? <Alert color="red">{errorMessage(save.error)}</Alert> : null}
      {access.error ? <Alert color="red">{errorMessage(access.error)}</Alert> : null}
      <Group justify="flex-end">
        <Button variant="light" onClick={() => void submit().catch(() => undefined)} loading={save.isPending} disabled={!access.data}>
          Apply access
        </Button>
      </Group>
    </Stack>
  );
}
