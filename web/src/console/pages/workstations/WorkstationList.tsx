import { Button, Group, Paper, Text } from '@mantine/core';
import { IconCheck, IconX } from '@tabler/icons-react';
import { useState } from 'react';
import type { WorkstationQuery, WorkstationStatus } from '../../../shared/api/types';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { QueryState } from '../../../shared/components/QueryState';
import { type Decision, useDecideWorkstations, useWorkstations } from '../../api/workstations';
import { Pager } from '../../components/Pager';
import { useSelection } from '../../components/use-selection';
import { useUrlFilters } from '../../components/use-url-filters';
import { useLookups } from './use-lookups';
import { useWorkstationActions } from './use-workstation-actions';
import { WORKSTATION_FILTER_KEYS, WorkstationFilters } from './WorkstationFilters';
import { WorkstationsTable } from './WorkstationsTable';

const PAGE_SIZE = 50;

/** The Workstations tab: filters in the address, approve and deny in bulk or per row, remove. */
export function WorkstationList() {
  const filters = useUrlFilters(WORKSTATION_FILTER_KEYS);
  const { values, page } = filters;
  const query: WorkstationQuery = { page, pageSize: PAGE_SIZE };
  if (values.q) query.q = values.q;
  if (values.status) query.status = values.status as WorkstationStatus;
  if (values.online === 'true' || values.online === 'false') query.online = values.online;
  if (values.departmentId) query.departmentId = values.departmentId;
  if (values.profileId) query.profileId = values.profileId;

  const workstations = useWorkstations(query);
  const lookups = useLookups();
  const selection = useSelection();
  const bulk = useDecideWorkstations();
  const row = useWorkstationActions();
  const [bulkDeny, setBulkDeny] = useState(false);
  const count = selection.selected.size;

  const decideSelected = (decision: Decision) =>
    bulk.mutate(
      { ids: [...selection.selected], decision },
      {
        onSuccess: ({ changed, unchanged }) => {
          const done = `${changed.length} ${changed.length === 1 ? 'workstation' : 'workstations'} ${decision === 'approve' ? 'approved' : 'denied'}`;
          notifySuccess(
            unchanged.length ? `${done}; ${unchanged.length} already were, or are gone.` : `${done}.`,
            decision === 'approve' ? 'Approved' : 'Denied',
          );
          selection.clear();
        },
        onError: (error) => notifyError(error, `Could not ${decision} the workstations`),
        onSettled: () => setBulkDeny(false),
      },
    );

  return (
    <>
      <WorkstationFilters values={values} setFilter={filters.setFilter} clearFilters={filters.clearFilters} hasFilters={filters.hasFilters} lookups={lookups} />
      <Group gap="sm" mb="sm">
        <Button
          variant="light"
          color="teal"
          leftSection={<IconCheck size={16} />}
          disabled={count === 0}
          loading={bulk.isPending && bulk.variables?.decision === 'approve'}
          onClick={() => decideSelected('approve')}
        >
          Approve selected
        </Button>
        <Button variant="light" color="orange" leftSection={<IconX size={16} />} disabled={count === 0} onClick={() => setBulkDeny(true)}>
          Deny selected
        </Button>
        {count > 0 ? (
          <Text size="sm" c="dimmed" aria-live="polite">
            {count} selected
          </Text>
        ) : null}
      </Group>
      <QueryState query={workstations} />
      {workstations.data ? (
        <Paper withBorder radius="md" p="xs" style={{ opacity: workstations.isPlaceholderData ? 0.6 : 1 }}>
          <WorkstationsTable
            workstations={workstations.data.items}
            hasFilters={filters.hasFilters}
            selection={selection}
            lookups={lookups}
            onDecide={row.decide}
            onRemove={row.remove}
            busyId={row.busyId}
          />
          <Pager page={page} pageSize={PAGE_SIZE} total={workstations.data.total} onChange={filters.setPage} />
        </Paper>
      ) : null}
      {row.dialogs}
      <ConfirmDialog
        opened={bulkDeny}
        title="Deny selected workstations"
        confirmLabel="Deny"
        loading={bulk.isPending}
        onConfirm={() => decideSelected('deny')}
        onClose={() => setBulkDeny(false)}
      >
        {`Deny ${count} ${count === 1 ? 'workstation' : 'workstations'}? Their agents are disconnected and refused until an admin approves them.`}
      </ConfirmDialog>
    </>
  );
}
