import { Badge, Button, Group, NativeSelect, Paper, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useMailList, useRetryMail, type Mail, type MailStatus } from '../../api/mail';
import { formatDateTime } from '../../../shared/components/format';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { Pager } from '../../components/Pager';
import { QueryState } from '../../../shared/components/QueryState';

const PAGE_SIZE = 10;
const statusColor: Record<MailStatus, string> = { pending: 'yellow', sent: 'teal', failed: 'red' };
const statusOptions = [
  { value: '', label: 'All' },
  { value: 'pending', label: 'Pending' },
  { value: 'sent', label: 'Sent' },
  { value: 'failed', label: 'Failed' },
];

function when(mail: Mail): string {
  if (mail.status === 'sent') return `Sent ${formatDateTime(mail.sentAt)}`;
  if (mail.status === 'pending' && mail.nextAttemptAt) return `Next attempt ${formatDateTime(mail.nextAttemptAt)}`;
  return '—';
}

/** The outbox: what was sent, what waits for its next attempt, and what failed (with Retry). */
export function OutgoingMailSection() {
  const [status, setStatus] = useState<MailStatus | ''>('');
  const [page, setPage] = useState(1);
  const mails = useMailList({ status, page, pageSize: PAGE_SIZE });
  const retry = useRetryMail();

  const onRetry = (mail: Mail) =>
    retry.mutate(mail.id, {
      onSuccess: () => notifySuccess(`The mail to ${mail.toAddress} will be sent again in a few seconds.`, 'Retry queued'),
      onError: (error) => notifyError(error, 'Could not retry the mail'),
    });

  return (
    <Paper withBorder radius="md" p="md" mt="md" component="section" aria-labelledby="settings-outgoing-mail">
      <Group justify="space-between" align="flex-end" mb="md">
        <div>
          <Title order={2} size="h4" id="settings-outgoing-mail">
            Outgoing mail
          </Title>
          <Text size="sm" c="dimmed">
            A mail that cannot be sent is tried again after 1, 2, 4 … minutes (at most an hour apart), then marked failed after 10 attempts.
          </Text>
        </div>
        <NativeSelect
          label="Status"
          data={statusOptions}
          value={status}
          onChange={(e) => {
            setStatus(e.currentTarget.value as MailStatus | '');
            setPage(1);
          }}
          w={160}
        />
      </Group>
      <QueryState query={mails} />
      {mails.data ? (
        <>
          <Table.ScrollContainer minWidth={900}>
            <Table aria-label="Outgoing mail" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>To</Table.Th>
                  <Table.Th>Subject</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Attempts</Table.Th>
                  <Table.Th>Last error</Table.Th>
                  <Table.Th>Queued</Table.Th>
                  <Table.Th>Delivery</Table.Th>
                  <Table.Th>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {mails.data.items.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={8}>
                      <Text c="dimmed" py="md">
                        No mail {status ? `with status ${status}` : 'yet'}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ) : null}
                {mails.data.items.map((mail) => (
                  <Table.Tr key={mail.id}>
                    <Table.Td>
                      <Text size="sm">{mail.toAddress}</Text>
                      <Text size="xs" c="dimmed">
                        {mail.kind}
                      </Text>
                    </Table.Td>
                    <Table.Td>{mail.subject}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={statusColor[mail.status]} style={{ minWidth: 'max-content' }}>
                        {mail.status}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{mail.attempts}</Table.Td>
                    <Table.Td maw={320}>
                      <Text size="sm" c={mail.lastError ? 'red' : 'dimmed'} style={{ overflowWrap: 'anywhere' }}>
                        {mail.lastError ?? '—'}
                      </Text>
                    </Table.Td>
                    <Table.Td>{formatDateTime(mail.createdAt)}</Table.Td>
                    <Table.Td>{when(mail)}</Table.Td>
                    <Table.Td>
                      {mail.status === 'failed' ? (
                        <Button
                          size="compact-sm"
                          variant="light"
                          onClick={() => onRetry(mail)}
                          loading={retry.isPending && retry.variables === mail.id}
                          aria-label={`Retry mail to ${mail.toAddress}`}
                        >
                          Retry
                        </Button>
                      ) : null}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Pager page={page} pageSize={PAGE_SIZE} total={mails.data.total} onChange={setPage} />
        </>
      ) : null}
    </Paper>
  );
}
