import { Anchor, Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import { EmptyState } from '../../../shared/components/EmptyState';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import type { SharedAccount } from '../../../shared/api/vault-types';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { formatDateTime } from '../../../shared/components/format';
import { ListTable } from '../../../shared/components/ListTable';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { QueryState } from '../../../shared/components/QueryState';
import { useLastDefined } from '../../../shared/components/use-last-defined';
import { useDeleteSharedAccount, useSharedAccounts } from '../../api/vault';
import { useLookups } from '../workstations/use-lookups';
import { AssignmentsModal } from './AssignmentsModal';
import { SharedAccountModal } from './SharedAccountModal';

/** What is stored, in words (never the value). */
export function storedText(a: { hasPassword: boolean; hasOtp: boolean; hasNotes: boolean }): string {
  const parts = [a.hasPassword ? 'password' : null, a.hasOtp ? 'OTP' : null, a.hasNotes ? 'notes' : null].filter(Boolean);
  return parts.length ? parts.join(', ') : '—';
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Shared accounts: one record for many employees; a change reaches all of them, unassigning revokes. */
export function SharedAccountsTab() {
  const accounts = useSharedAccounts();
  const remove = useDeleteSharedAccount();
  const lookups = useLookups();
  // undefined: no dialog; null: a new account.
  const [editing, setEditing] = useState<SharedAccount | null | undefined>(undefined);
  const [assigning, setAssigning] = useState<SharedAccount | null>(null);
  const [deleting, setDeleting] = useState<SharedAccount | null>(null);
  const shownDelete = useLastDefined(deleting);

  const confirmDelete = () => {
    if (!deleting) return;
    const a = deleting;
    remove.mutate(a.id, {
      onSuccess: () => notifySuccess('Its holders no longer have it.', `${a.name} deleted`),
      onError: (error) => notifyError(error, `Could not delete ${a.name}`),
      onSettled: () => setDeleting(null),
    });
  };

  return (
    <>
      <Group justify="space-between" mb="md">
        <Text size="sm" c="dimmed">
          One account held by many employees, e.g. a team's social media login. Changing it changes it for every holder.
        </Text>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing(null)}>
          New shared account
        </Button>
      </Group>
      <QueryState query={accounts} />
      {accounts.data ? (
        <ListTable
          label="Shared accounts"
          columns={['Name', 'Login', 'Stored', 'Shared with', 'Password changed', 'Actions']}
          isEmpty={accounts.data.length === 0}
          empty={
            <EmptyState
              title="No shared accounts yet"
              hint="Add an account several employees use (a team mailbox, a supplier portal), then assign it to them."
              action={{ label: 'Add the first shared account', onClick: () => setEditing(null) }}
            />
          }
          minWidth={1000}
        >
          {accounts.data.map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td>
                <Group gap={6}>
                  <Text size="sm" fw={500}>
                    {a.name}
                  </Text>
                  {a.workstationUse ? (
                    <Badge size="sm" variant="light" color="teal">
                      Workstation logon
                    </Badge>
                  ) : null}
                  {a.source === 'config' ? (
                    <Badge size="sm" variant="light" color="gray">
                      Configuration file
                    </Badge>
                  ) : null}
                </Group>
                {a.urls.map((u) => (
                  <Anchor key={u} href={u} target="_blank" rel="noopener noreferrer" size="xs" display="block">
                    {u}
                  </Anchor>
                ))}
              </Table.Td>
              <Table.Td>{a.login || '—'}</Table.Td>
              <Table.Td>{storedText(a)}</Table.Td>
              <Table.Td>
                <Stack gap={0}>
                  {a.assignments.employeeIds.length === 0 && a.assignments.departmentIds.length === 0 ? <Text size="sm">Nobody</Text> : null}
                  {a.assignments.employeeIds.length ? <Text size="sm">{count(a.assignments.employeeIds.length, 'employee', 'employees')}</Text> : null}
                  {a.assignments.departmentIds.length ? (
                    <Text size="sm">{a.assignments.departmentIds.map((id) => lookups.departmentName(id)).join(', ')}</Text>
                  ) : null}
                </Stack>
              </Table.Td>
              <Table.Td>{a.passwordChangedAt ? formatDateTime(a.passwordChangedAt) : '—'}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Button size="compact-sm" variant="subtle" onClick={() => setEditing(a)}>
                    Edit
                  </Button>
                  <Button size="compact-sm" variant="subtle" onClick={() => setAssigning(a)}>
                    Assign
                  </Button>
                  <Button size="compact-sm" variant="subtle" color="red" onClick={() => setDeleting(a)}>
                    Delete
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </ListTable>
      ) : null}
      {editing !== undefined ? <SharedAccountModal key={editing?.id ?? 'new'} account={editing} onClose={() => setEditing(undefined)} /> : null}
      {assigning ? <AssignmentsModal key={assigning.id} account={assigning} onClose={() => setAssigning(null)} /> : null}
      <ConfirmDialog
        opened={deleting !== null}
        title="Delete shared account"
        confirmLabel="Delete"
        loading={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      >
        {`Delete ${shownDelete?.name ?? ''}? Every holder loses it at once, with its password, OTP secret and notes. This cannot be undone.`}
      </ConfirmDialog>
    </>
  );
}
