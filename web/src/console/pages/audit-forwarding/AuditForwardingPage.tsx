import { Alert, Badge, Button, Group, Paper, Table, Text, Tooltip } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useAuditDestinations, useDeleteAuditDestination, useTestAuditDestination } from '../../api/audit-destinations';
import type { AuditDestination, AuditDestinationTest } from '../../../shared/api/types';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { EmptyState } from '../../../shared/components/EmptyState';
import { formatDateTime } from '../../../shared/components/format';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { QueryState } from '../../../shared/components/QueryState';
import { useLastDefined } from '../../../shared/components/use-last-defined';
import { PageHeader } from '../../components/PageHeader';
import { DestinationModal } from './DestinationModal';
import { KIND_LABELS, targetOf } from './destination-form';

/** What a destination's state says, in one badge. */
function StateBadge({ d }: { d: AuditDestination }) {
  if (!d.enabled) return <Badge color="gray">Disabled</Badge>;
  if (d.state.consecutiveFailures === 0) return <Badge color="teal">Delivering</Badge>;
  return d.state.lastErrorKind === 'permanent' ? <Badge color="red">Needs a fix</Badge> : <Badge color="yellow">Retrying</Badge>;
}

/**
 * Audit → Forwarding: each destination with its state (last delivered, backlog, last error), add,
 * edit, delete, and Test (one test event; what the receiver said is shown above the table).
 */
export function AuditForwardingPage() {
  const destinations = useAuditDestinations();
  const remove = useDeleteAuditDestination();
  const test = useTestAuditDestination();
  const [modal, setModal] = useState<{ editing: AuditDestination | null } | null>(null);
  const [deleting, setDeleting] = useState<AuditDestination | null>(null);
  const shownDelete = useLastDefined(deleting);
  const [tested, setTested] = useState<{ name: string; answer: AuditDestinationTest } | null>(null);
  const [testing, setTesting] = useState<string | null>(null);

  const runTest = (d: AuditDestination) => {
    setTesting(d.id);
    test.mutate(d.id, {
      onSuccess: (answer) => setTested({ name: d.name, answer }),
      onError: (error) => notifyError(error, 'Could not send the test event'),
      onSettled: () => setTesting(null),
    });
  };
  const confirmDelete = () => {
    if (!deleting) return;
    const d = deleting;
    remove.mutate(d.id, {
      onSuccess: () => notifySuccess(`Audit records no longer go to ${d.name}.`, 'Destination deleted'),
      onError: (error) => notifyError(error, 'Could not delete the destination'),
      onSettled: () => setDeleting(null),
    });
  };

  return (
    <>
      <PageHeader
        title="Audit forwarding"
        description="Send the audit log to Splunk, syslog or a webhook, in order; a receiver that is down catches up."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setModal({ editing: null })}>
            Add destination
          </Button>
        }
      />
      {tested ? (
        <Alert
          role="status"
          color={tested.answer.ok ? 'teal' : 'red'}
          title={tested.answer.ok ? `Test event delivered to ${tested.name}` : `${tested.name} refused the test event`}
          withCloseButton
          onClose={() => setTested(null)}
          mb="md"
        >
          {tested.answer.message}
        </Alert>
      ) : null}
      <QueryState query={destinations} />
      {destinations.data ? (
        <Paper withBorder radius="md" p="xs">
          <Table.ScrollContainer minWidth={960}>
            <Table highlightOnHover aria-label="Audit destinations">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Sends to</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>Last delivered</Table.Th>
                  <Table.Th>Backlog</Table.Th>
                  <Table.Th>Last error</Table.Th>
                  <Table.Th>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {destinations.data.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={7}>
                      <EmptyState
                        title="The audit log is not forwarded"
                        hint="Add Splunk (HTTP Event Collector), a syslog server or a webhook to receive every audit record."
                        action={{ label: 'Add the first destination', onClick: () => setModal({ editing: null }) }}
                      />
                    </Table.Td>
                  </Table.Tr>
                ) : null}
                {destinations.data.map((d) => (
                  <Table.Tr key={d.id}>
                    <Table.Td>
                      <Text size="sm">{d.name}</Text>
                      <Text size="xs" c="dimmed">
                        {KIND_LABELS[d.kind]}
                        {d.filter.actions.length || d.filter.outcome !== 'any'
                          ? ` · ${d.filter.actions.length ? d.filter.actions.join(', ') : 'all actions'}${d.filter.outcome !== 'any' ? `, ${d.filter.outcome} only` : ''}`
                          : ''}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" style={{ wordBreak: 'break-all' }}>
                        {targetOf(d)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <StateBadge d={d} />
                    </Table.Td>
                    <Table.Td>{d.state.lastDeliveredAt ? formatDateTime(d.state.lastDeliveredAt) : 'Never'}</Table.Td>
                    <Table.Td>{d.state.backlog}</Table.Td>
                    <Table.Td>
                      {d.state.lastError ? (
                        <>
                          <Text size="sm" c={d.state.consecutiveFailures > 0 ? 'red' : 'dimmed'}>
                            {d.state.lastError}
                          </Text>
                          <Text size="xs" c="dimmed">
                            {formatDateTime(d.state.lastErrorAt)}
                            {d.state.consecutiveFailures > 0
                              ? ` · ${d.state.consecutiveFailures} failure${d.state.consecutiveFailures === 1 ? '' : 's'} in a row · next try ${formatDateTime(d.state.nextAttemptAt)}`
                              : ' · delivering again since'}
                          </Text>
                        </>
                      ) : (
                        <Text size="sm" c="dimmed">
                          None
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <Tooltip label="Send one test event and show what the receiver answers">
                          <Button size="compact-sm" variant="light" loading={testing === d.id} onClick={() => runTest(d)}>
                            Test
                          </Button>
                        </Tooltip>
                        <Button size="compact-sm" variant="subtle" onClick={() => setModal({ editing: d })}>
                          Edit
                        </Button>
                        <Button size="compact-sm" variant="subtle" color="red" onClick={() => setDeleting(d)}>
                          Delete
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      ) : null}
      <DestinationModal opened={modal !== null} editing={modal?.editing ?? null} onClose={() => setModal(null)} />
      <ConfirmDialog
        opened={deleting !== null}
        title="Delete audit destination"
        confirmLabel="Delete"
        loading={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      >
        {`Delete ${shownDelete?.name ?? ''}? Audit records stop going there; the audit log itself is unchanged.`}
      </ConfirmDialog>
    </>
  );
}
