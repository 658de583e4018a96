import { Badge, Button, Group, Paper, Table, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus, IconRotate, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useAdmins, useDeleteAdmin, useResetAdminTotp } from '../../api/admins';
import { useMe } from '../../api/auth';
import type { Admin } from '../../../shared/api/types';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { formatDateTime } from '../../../shared/components/format';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../../shared/components/QueryState';
import { useLastDefined } from '../../../shared/components/use-last-defined';
import { AddAdminModal } from './AddAdminModal';

export function AdminsPage() {
  const admins = useAdmins();
  const me = useMe();
  const remove = useDeleteAdmin();
  const resetTotp = useResetAdminTotp();
  const [adding, { open, close }] = useDisclosure(false);
  const [deleting, setDeleting] = useState<Admin | null>(null);
  const [resetting, setResetting] = useState<Admin | null>(null);
  const myId = me.data?.admin.id;
  const shownDelete = useLastDefined(deleting);
  const shownReset = useLastDefined(resetting);

  const confirmDelete = () => {
    if (!deleting) return;
    const admin = deleting;
    remove.mutate(admin.id, {
      onSuccess: () => notifySuccess(`${admin.email} was removed.`, 'Admin deleted'),
      onError: (error) => notifyError(error, 'Could not delete the admin'),
      onSettled: () => setDeleting(null),
    });
  };

  const confirmReset = () => {
    if (!resetting) return;
    const admin = resetting;
    resetTotp.mutate(admin.id, {
      onSuccess: () => notifySuccess(`${admin.email} must set up an authenticator app again.`, 'TOTP reset'),
      onError: (error) => notifyError(error, 'Could not reset TOTP'),
      onSettled: () => setResetting(null),
    });
  };

  return (
    <>
      <PageHeader
        title="Admins"
        description="People who can sign in to this console."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={open}>
            Add admin
          </Button>
        }
      />
      <QueryState query={admins} />
      {admins.data ? (
        <Paper withBorder radius="md" p="xs">
          <Table.ScrollContainer minWidth={760}>
            <Table highlightOnHover aria-label="Admins">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>Two-factor</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Last sign-in</Table.Th>
                  <Table.Th>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {admins.data.map((admin) => (
                  <Table.Tr key={admin.id}>
                    <Table.Td>
                      <Group gap="xs">
                        <Text size="sm">{admin.name}</Text>
                        {admin.id === myId ? (
                          <Badge size="xs" variant="light">
                            you
                          </Badge>
                        ) : null}
                      </Group>
                    </Table.Td>
                    <Table.Td>{admin.email}</Table.Td>
                    <Table.Td>
                      <Badge color={admin.totpEnabled ? 'teal' : 'gray'} variant="light">
                        {admin.totpEnabled ? 'TOTP on' : 'TOTP off'}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{formatDateTime(admin.createdAt)}</Table.Td>
                    <Table.Td>{formatDateTime(admin.lastSignInAt)}</Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <Button
                          size="compact-sm"
                          variant="subtle"
                          leftSection={<IconRotate size={14} />}
                          disabled={!admin.totpEnabled}
                          onClick={() => setResetting(admin)}
                        >
                          Reset TOTP
                        </Button>
                        <Button size="compact-sm" variant="subtle" color="red" leftSection={<IconTrash size={14} />} onClick={() => setDeleting(admin)}>
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

      <AddAdminModal opened={adding} onClose={close} />
      <ConfirmDialog
        opened={deleting !== null}
        title="Delete admin"
        confirmLabel="Delete"
        loading={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      >
        {`Delete ${shownDelete?.email ?? ''}? They will no longer be able to sign in.`}
      </ConfirmDialog>
      <ConfirmDialog
        opened={resetting !== null}
        title="Reset TOTP"
        confirmLabel="Reset TOTP"
        loading={resetTotp.isPending}
        onConfirm={confirmReset}
        onClose={() => setResetting(null)}
      >
        {`Remove ${shownReset?.email ?? ''}'s authenticator app? They will have to set up a new one at their next sign-in.`}
      </ConfirmDialog>
    </>
  );
}
