import { Alert, Badge, Button, Group, Loader, Paper, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useDecideRun, useSyncRuns, type Domain, type SyncRun } from '../../api/directory';
import { formatDateTime } from '../../../shared/components/format';
import { notifyError, notifySuccess } from '../../../shared/components/notify';

const statusColor: Record<SyncRun['status'], string> = {
  running: 'blue',
  succeeded: 'teal',
  failed: 'red',
  awaiting_confirmation: 'orange',
  confirmed: 'gray',
  cancelled: 'gray',
};

function countsText(run: SyncRun) {
  return (
    Object.entries(run.counts)
      .filter(([k, n]) => n > 0 && k !== 'listed')
      // groupsAdded → "groups added"
      .map(([k, n]) => `${k.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)} ${n}`)
      .join(', ') || 'no changes'
  );
}

/** The change list of a dry run or a held sync. */
function ChangeList({ run }: { run: SyncRun }) {
  if (run.changes.length === 0)
    return (
      <Text size="sm" c="dimmed">
        Nothing would change.
      </Text>
    );
  return (
    <Table aria-label="Changes" withRowBorders={false} verticalSpacing={2}>
      <Table.Tbody>
        {run.changes.slice(0, 200).map((c) => (
          <Table.Tr key={`${c.action}-${c.externalId}`}>
            <Table.Td w={110}>
              <Badge variant="light" color={c.action === 'delete' || c.action === 'deactivate' ? 'red' : 'blue'}>
                {c.action}
              </Badge>
            </Table.Td>
            <Table.Td>
              <Text size="sm">
                {c.label}
                {c.fields ? ` (${c.fields.join(', ')})` : ''}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** History of a domain's syncs: progress while one runs, the change list of a dry run, and the confirmation of a held sync. */
export function SyncRunsCard({ domain }: { domain: Domain }) {
  const runs = useSyncRuns(domain.id);
  const decide = useDecideRun();
  const [open, setOpen] = useState<string | null>(null);
  const latest = runs.data?.[0];

  const onDecide = (run: SyncRun, decision: 'confirm' | 'cancel') =>
    decide.mutate(
      { domainId: domain.id, runId: run.id, decision },
      {
        onSuccess: (r) => notifySuccess(decision === 'confirm' ? `Sync ${r.status}: ${countsText(r)}` : 'The held sync was cancelled; nothing changed.'),
        onError: (e) => notifyError(e, 'Could not apply the decision'),
      },
    );

  return (
    <Paper withBorder radius="md" p="md" mt="md" aria-label={`Sync history of ${domain.name}`}>
      <Title order={4} mb="xs">
        Sync history: {domain.name}
      </Title>
      {latest?.status === 'running' ? (
        <Group gap="xs" mb="sm" role="status">
          <Loader size="xs" />
          <Text size="sm">
            Sync running:{' '}
            {latest.progress.phase === 'applying' ? `applying ${latest.progress.total ?? ''} changes` : `${latest.progress.listed ?? 0} users listed`}
          </Text>
        </Group>
      ) : null}
      {latest?.status === 'awaiting_confirmation' ? (
        <Alert color="orange" title="This sync waits for your confirmation" mb="sm">
          <Text size="sm" mb="xs">
            {latest.error}
          </Text>
          <ChangeList run={latest} />
          <Group mt="sm">
            <Button color="red" onClick={() => onDecide(latest, 'confirm')} loading={decide.isPending}>
              Apply these changes
            </Button>
            <Button variant="default" onClick={() => onDecide(latest, 'cancel')}>
              Cancel the sync
            </Button>
          </Group>
        </Alert>
      ) : null}
      <Table aria-label="Sync runs" highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Started</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Changes</Table.Th>
            <Table.Th>Duration</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(runs.data ?? []).length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={6}>
                <Text c="dimmed" size="sm">
                  No sync yet
                </Text>
              </Table.Td>
            </Table.Tr>
          ) : null}
          {(runs.data ?? []).map((run) => (
            <Table.Tr key={run.id}>
              <Table.Td>
                {formatDateTime(run.startedAt)}
                <Text size="xs" c="dimmed">
                  {run.trigger}
                  {run.startedBy ? ` by ${run.startedBy}` : ''}
                </Text>
              </Table.Td>
              <Table.Td>{run.isDryRun ? 'Dry run' : run.mode === 'full' ? 'Full sync' : 'Incremental'}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={statusColor[run.status]}>
                  {run.status.replace('_', ' ')}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{countsText(run)}</Text>
                {run.error && run.status === 'failed' ? (
                  <Text size="xs" c="red">
                    {run.error}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>{run.durationMs !== null ? `${(run.durationMs / 1000).toFixed(1)} s` : '…'}</Table.Td>
              <Table.Td>
                {run.changes.length > 0 ? (
                  <Button size="compact-xs" variant="subtle" onClick={() => setOpen(open === run.id ? null : run.id)}>
                    {open === run.id ? 'Hide' : 'Changes'}
                  </Button>
                ) : null}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {open
        ? (() => {
            const run = runs.data?.find((r) => r.id === open);
            return run ? (
              <Paper withBorder p="xs" mt="xs">
                <ChangeList run={run} />
              </Paper>
            ) : null;
          })()
        : null}
    </Paper>
  );
}
