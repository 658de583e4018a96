import { Badge, Button, Group, Table, Text } from '@mantine/core';
import { EmptyState } from '../../../shared/components/EmptyState';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import type { WorkstationProfile } from '../../../shared/api/types';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { ListTable } from '../../../shared/components/ListTable';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { QueryState } from '../../../shared/components/QueryState';
import { useLastDefined } from '../../../shared/components/use-last-defined';
import { useDeleteWorkstationProfile, useWorkstationProfiles } from '../../api/workstation-setup';
import { ProfileModal } from './ProfileModal';
import { useLookups } from './use-lookups';
import { methodsText } from './workstation-format';

const yesNo = (v: boolean) => (v ? 'Yes' : 'No');

/**
 * Workstation profiles: the rules agents apply. A workstation follows its own profile, else its
 * department's, else the default one, else the server's built-in default.
 */
export function ProfilesTab() {
  const profiles = useWorkstationProfiles();
  const remove = useDeleteWorkstationProfile();
  const lookups = useLookups();
  // undefined: no dialog; null: a new profile.
  const [editing, setEditing] = useState<WorkstationProfile | null | undefined>(undefined);
  const [deleting, setDeleting] = useState<WorkstationProfile | null>(null);
  const shownDelete = useLastDefined(deleting);

  const confirmDelete = () => {
    if (!deleting) return;
    const p = deleting;
    remove.mutate(p.id, {
      onSuccess: () => notifySuccess('Its workstations and departments follow the next profile in line now.', `${p.name} deleted`),
      onError: (error) => notifyError(error, `Could not delete ${p.name}`),
      onSettled: () => setDeleting(null),
    });
  };

  return (
    <>
      <Group justify="space-between" mb="md">
        <Text size="sm" c="dimmed">
          A workstation follows its own profile, else its department's, else the default one. Agents receive a change at once.
        </Text>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing(null)}>
          New profile
        </Button>
      </Group>
      <QueryState query={profiles} />
      {profiles.data ? (
        <ListTable
          label="Workstation profiles"
          columns={[
            'Name',
            'Idle lock',
            'Unlock methods',
            'Lock on session end',
            'RDP',
            'Offline logon',
            'Deactivated may unlock',
            'Departments',
            'Workstations',
            'Actions',
          ]}
          isEmpty={profiles.data.length === 0}
          empty={
            <EmptyState
              title="No profiles yet"
              hint="Workstations use the built-in default. Create a profile to set how computers lock, sign in and react to a removed key."
              action={{ label: 'Create the first profile', onClick: () => setEditing(null) }}
            />
          }
          minWidth={1000}
        >
          {profiles.data.map((p) => (
            <Table.Tr key={p.id}>
              <Table.Td>
                <Group gap={6}>
                  <Text size="sm" fw={500}>
                    {p.name}
                  </Text>
                  {p.isDefault ? (
                    <Badge size="sm" variant="light">
                      Default
                    </Badge>
                  ) : null}
                </Group>
                {p.description ? (
                  <Text size="xs" c="dimmed">
                    {p.description}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>{p.idleLockMinutes ? `${p.idleLockMinutes} min` : 'Never'}</Table.Td>
              <Table.Td>{methodsText(p.unlockMethods)}</Table.Td>
              <Table.Td>{yesNo(p.lockOnSessionEnd)}</Table.Td>
              <Table.Td>{p.rdpAllowed ? 'Allowed' : 'Refused'}</Table.Td>
              <Table.Td>{p.offlineLogonDays ? `${p.offlineLogonDays} days` : 'Never'}</Table.Td>
              <Table.Td>{yesNo(p.deactivatedEmployeesMayUnlock)}</Table.Td>
              <Table.Td>{p.departmentIds.length ? p.departmentIds.map((id) => lookups.departmentName(id)).join(', ') : '—'}</Table.Td>
              <Table.Td title="Workstations that have this profile as their own">{p.workstationCount}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Button size="compact-sm" variant="subtle" onClick={() => setEditing(p)}>
                    Edit
                  </Button>
                  {p.isDefault ? null : (
                    <Button size="compact-sm" variant="subtle" color="red" onClick={() => setDeleting(p)}>
                      Delete
                    </Button>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </ListTable>
      ) : null}
      {editing !== undefined ? <ProfileModal key={editing?.id ?? 'new'} profile={editing} lookups={lookups} onClose={() => setEditing(undefined)} /> : null}
      <ConfirmDialog
        opened={deleting !== null}
        title="Delete workstation profile"
        confirmLabel="Delete"
        loading={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      >
        {`Delete ${shownDelete?.name ?? ''}? Workstations that have it as their own follow their department's profile or the default; its departments follow the default.`}
      </ConfirmDialog>
    </>
  );
}
