import { Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { IconMailForward } from '@tabler/icons-react';
import { useState } from 'react';
import { useEmployeeInvitations, useRevokeInvitation, useSendInvitation } from '../../api/employee-access';
import type { InvitationRecord, InvitationStatus } from '../../../shared/api/sign-in-types';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { formatDateTime } from '../../../shared/components/format';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { QueryState } from '../../../shared/components/QueryState';

/** The server's status, or (from an older answer) worked out from the dates. */
export function invitationStatus(invitation: InvitationRecord, now = Date.now()): InvitationStatus {
  if (invitation.status) return invitation.status;
  if (invitation.usedAt) return 'used';
  if (invitation.revokedAt) return 'revoked';
  if (new Date(invitation.expiresAt).getTime() <= now) return 'expired';
  return 'open';
}

const statusColors: Record<InvitationStatus, string> = { open: 'blue', used: 'teal', revoked: 'gray', expired: 'yellow' };

function MailCell({ mail }: { mail: InvitationRecord['mail'] }) {
  if (!mail)
    return (
      <Text size="sm" c="dimmed">
        Not sent
      </Text>
    );
  if (mail.status === 'sent') return <Text size="sm">Sent {formatDateTime(mail.sentAt)}</Text>;
  if (mail.status === 'pending') {
    return (
      <Text size="sm" c="dimmed">
        Sending{mail.attempts > 0 ? ` (attempt ${mail.attempts + 1})` : ''}…
      </Text>
    );
  }
  return (
    <Stack gap={0}>
      <Text size="sm" c="red">
        Failed after {mail.attempts} {mail.attempts === 1 ? 'attempt' : 'attempts'}
      </Text>
      {mail.lastError ? (
        <Text size="xs" c="dimmed" style={{ wordBreak: 'break-word' }}>
          {mail.lastError}
        </Text>
      ) : null}
    </Stack>
  );
}

/** "Invitations" of one employee: their status and mail, "Send invitation" and "Revoke". */
export function InvitationsCard({ employeeId, employeeName, isActive }: { employeeId: string; employeeName: string; isActive: boolean }) {
  const invitations = useEmployeeInvitations(employeeId);
  const send = useSendInvitation(employeeId);
  const revoke = useRevokeInvitation(employeeId);
  const [revoking, setRevoking] = useState<InvitationRecord | null>(null);
  const items = invitations.data?.items ?? [];
  const sendLabel = items.length > 0 ? 'Send a new invitation' : 'Send invitation';

  const sendInvitation = () =>
    send.mutate(undefined, {
      onSuccess: () => notifySuccess(`An invitation is on its way to ${employeeName}.`, 'Invitation sent'),
      onError: (error) => notifyError(error, 'Could not send the invitation'),
    });
  const confirmRevoke = () =>
    revoking &&
    revoke.mutate(revoking.id, {
      onSuccess: () => notifySuccess('The invitation link no longer works.', 'Invitation revoked'),
      onError: (error) => notifyError(error, 'Could not revoke the invitation'),
      onSettled: () => setRevoking(null),
    });

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="employee-invitations-title">
      <Group justify="space-between" mb="md" wrap="wrap">
        <div>
          <Title order={2} size="h4" id="employee-invitations-title">
            Invitations
          </Title>
          <Text size="sm" c="dimmed">
            {isActive
              ? 'An invitation e-mails a link where the employee sets up a passkey or security key. A new one revokes the open one.'
              : 'Only active employees can be invited.'}
          </Text>
        </div>
        <Button leftSection={<IconMailForward size={16} />} onClick={sendInvitation} loading={send.isPending} disabled={!isActive}>
          {sendLabel}
        </Button>
      </Group>
      <QueryState query={invitations} />
      {invitations.data ? (
        <Table.ScrollContainer minWidth={720}>
          <Table aria-label="Invitations" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Sent by</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Mail</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.length === 0 ? (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Text c="dimmed" size="sm" py="sm">
                      No invitations yet
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ) : null}
              {items.map((invitation) => {
                const status = invitationStatus(invitation);
                return (
                  <Table.Tr key={invitation.id}>
                    <Table.Td>{invitation.createdBy ?? '—'}</Table.Td>
                    <Table.Td>{formatDateTime(invitation.createdAt)}</Table.Td>
                    <Table.Td>{formatDateTime(invitation.expiresAt)}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={statusColors[status]}>
                        {status}
                      </Badge>
                      {status === 'used' ? (
                        <Text size="xs" c="dimmed">
                          {formatDateTime(invitation.usedAt)}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      <MailCell mail={invitation.mail} />
                    </Table.Td>
                    <Table.Td ta="right">
                      {status === 'open' ? (
                        <Button size="compact-sm" variant="subtle" color="red" onClick={() => setRevoking(invitation)}>
                          Revoke
                        </Button>
                      ) : null}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
      <ConfirmDialog
        opened={revoking !== null}
        title="Revoke invitation"
        confirmLabel="Revoke"
        loading={revoke.isPending}
        onConfirm={confirmRevoke}
        onClose={() => setRevoking(null)}
      >
        The link in this invitation e-mail will stop working.
      </ConfirmDialog>
    </Paper>
  );
}
