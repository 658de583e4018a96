import { Anchor, Button, Checkbox, Group, NativeSelect, Paper, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconFileImport, IconPlayerPause, IconSearch, IconShieldCheck, IconUserCheck } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { HardwareKeyListItem, HardwareKeyQuery, HardwareKeyState } from '../../../shared/api/types';
import { formatDateTime } from '../../../shared/components/format';
import { QueryState } from '../../../shared/components/QueryState';
import { employeeLabel, useAccessProfiles, useEmployeesById, useHardwareKeyList } from '../../api/hardware-keys';
import { Pager } from '../../components/Pager';
import { useSelection } from '../../components/use-selection';
import { useUrlFilters } from '../../components/use-url-filters';
import { type BulkAction, BulkModal, type SelectedKey } from './BulkModals';
import { ImportKeysModal } from './ImportKeysModal';
import { KEY_STATES, KeyStateBadge, stateLabels } from './key-format';

const PAGE_SIZE = 50;
const FILTER_KEYS = ['q', 'state', 'batch'] as const;

function Filters({ filters }: { filters: ReturnType<typeof useUrlFilters<(typeof FILTER_KEYS)[number]>> }) {
  const { values, setFilter } = filters;
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
        placeholder="Serial or badge number"
        type="search"
        leftSection={<IconSearch size={16} />}
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        w={240}
      />
      <NativeSelect
        label="State"
        data={[{ value: '', label: 'All states' }, ...KEY_STATES.map((s) => ({ value: s, label: stateLabels[s] }))]}
        value={values.state}
        onChange={(e) => setFilter('state', e.currentTarget.value)}
      />
      <TextInput
        label="Batch"
        placeholder="Exact batch"
        defaultValue={values.batch}
        key={values.batch}
        onBlur={(e) => setFilter('batch', e.currentTarget.value.trim())}
        w={160}
      />
      {filters.hasFilters ? (
        <Button variant="subtle" onClick={filters.clearFilters}>
          Clear filters
        </Button>
      ) : null}
    </Group>
  );
}

function EmptyInventory({ hasFilters, onImport }: { hasFilters: boolean; onImport: () => void }) {
  if (hasFilters) return <>No keys match these filters.</>;
  return (
    <>
      No hardware keys yet. To stock keys,{' '}
      <Anchor component="button" type="button" onClick={onImport} inherit>
        import a CSV
      </Anchor>{' '}
      of their serial numbers, models and AAGUIDs (the delivery note of your vendor usually has them); then reserve each for an employee.
    </>
  );
}

/** The Inventory tab: every key with its state and holder, filters in the address, bulk reserve / suspend / profile. */
export function KeyInventory() {
  const filters = useUrlFilters(FILTER_KEYS);
  const { values, page } = filters;
  const query: HardwareKeyQuery = { page, pageSize: PAGE_SIZE };
  if (values.q) query.q = values.q;
  if (values.state) query.state = values.state as HardwareKeyState;
  if (values.batch) query.batch = values.batch;
  const keys = useHardwareKeyList(query);
  const profiles = useAccessProfiles();
  const items = keys.data?.items ?? [];
  const holders = useEmployeesById(items.map((k) => k.employeeId));
  const selection = useSelection();
  // What the list showed of each ticked key: the selection outlives the page it was made on.
  const known = useRef(new Map<string, SelectedKey>());
  for (const k of items) known.current.set(k.id, { id: k.id, serial: k.serial, state: k.state });
  const selected = [...selection.selected].map((id) => known.current.get(id)).filter((k): k is SelectedKey => Boolean(k));
  const [bulk, setBulk] = useState<BulkAction | null>(null);
  const [importing, setImporting] = useState(false);
  const navigate = useNavigate();
  const onPage = items.map((k) => k.id);
  const selectedOnPage = onPage.filter((id) => selection.selected.has(id)).length;
  const profileName = (k: HardwareKeyListItem) => {
    if (!k.accessProfileId) return 'Default';
    return profiles.data?.find((p) => p.id === k.accessProfileId)?.name ?? '—';
  };

  return (
    <>
      <Group justify="space-between" align="flex-end">
        <Filters filters={filters} />
        <Button leftSection={<IconFileImport size={16} />} onClick={() => setImporting(true)} mb="md">
          Import CSV
        </Button>
      </Group>
      <Group gap="sm" mb="sm">
        <Button variant="light" leftSection={<IconUserCheck size={16} />} disabled={selected.length === 0} onClick={() => setBulk('reserve')}>
          Reserve selected
        </Button>
        <Button variant="light" color="orange" leftSection={<IconPlayerPause size={16} />} disabled={selected.length === 0} onClick={() => setBulk('suspend')}>
          Suspend selected
        </Button>
        <Button variant="light" color="gray" leftSection={<IconShieldCheck size={16} />} disabled={selected.length === 0} onClick={() => setBulk('profile')}>
          Set access profile
        </Button>
        {selected.length > 0 ? (
          <Text size="sm" c="dimmed" aria-live="polite">
            {selected.length} selected
          </Text>
        ) : null}
      </Group>
      <QueryState query={keys} />
      {keys.data ? (
        <Paper withBorder radius="md" p="xs" style={{ opacity: keys.isPlaceholderData ? 0.6 : 1 }}>
          <Table.ScrollContainer minWidth={1000}>
            <Table highlightOnHover striped aria-label="Hardware keys">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={40}>
                    <Checkbox
                      aria-label="Select all keys on this page"
                      checked={onPage.length > 0 && selectedOnPage === onPage.length}
                      indeterminate={selectedOnPage > 0 && selectedOnPage < onPage.length}
                      disabled={onPage.length === 0}
                      onChange={(e) => selection.toggle(onPage, e.currentTarget.checked)}
                    />
                  </Table.Th>
                  <Table.Th>Serial</Table.Th>
                  <Table.Th>Model</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>Employee</Table.Th>
                  <Table.Th>Access profile</Table.Th>
                  <Table.Th>Batch / badge</Table.Th>
                  <Table.Th>Last change</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((k) => {
                  const holder = k.employeeId ? holders.get(k.employeeId) : undefined;
                  return (
                    <Table.Tr key={k.id} onClick={() => navigate(`/hardware-keys/${k.id}`)} style={{ cursor: 'pointer' }} data-testid="key-row">
                      <Table.Td onClick={(e) => e.stopPropagation()}>
                        <Checkbox
                          aria-label={`Select ${k.serial}`}
                          checked={selection.selected.has(k.id)}
                          onChange={(e) => selection.toggle([k.id], e.currentTarget.checked)}
                        />
                      </Table.Td>
                      <Table.Td>
                        <Anchor component={Link} to={`/hardware-keys/${k.id}`} size="sm" fw={500} onClick={(e) => e.stopPropagation()}>
                          {k.serial}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{k.model ?? '—'}</Table.Td>
                      <Table.Td>
                        <KeyStateBadge state={k.state} />
                      </Table.Td>
                      <Table.Td>
                        {k.employeeId ? (
                          <Anchor component={Link} to={`/employees/${k.employeeId}`} size="sm" onClick={(e) => e.stopPropagation()}>
                            {holder ? employeeLabel(holder) : 'Employee'}
                          </Anchor>
                        ) : (
                          <Text size="sm" c="dimmed">
                            —
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>{profileName(k)}</Table.Td>
                      <Table.Td>
                        <Text size="sm">{k.batch ?? '—'}</Text>
                        {k.badge ? (
                          <Text size="xs" c="dimmed">
                            badge {k.badge}
                          </Text>
                        ) : null}
                      </Table.Td>
                      <Table.Td>{formatDateTime(k.stateChangedAt)}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {items.length === 0 ? (
            <Text c="dimmed" py="lg" px="sm" data-testid="keys-empty">
              <EmptyInventory hasFilters={filters.hasFilters} onImport={() => setImporting(true)} />
            </Text>
          ) : null}
          <Pager page={page} pageSize={PAGE_SIZE} total={keys.data.total} onChange={filters.setPage} />
        </Paper>
      ) : null}
      <ImportKeysModal opened={importing} onClose={() => setImporting(false)} />
      <BulkModal action={bulk} keys={selected} onClose={() => setBulk(null)} onDone={selection.clear} />
    </>
  );
}
