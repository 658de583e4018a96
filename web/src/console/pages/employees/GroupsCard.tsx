import { Anchor, Button, Group, Paper, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useAddGroupMembers, useRemoveGroupMember } from '../../api/groups';
import type { GroupRef } from '../../../shared/api/types';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { GroupPicker } from '../../components/GroupPicker';
import { GroupSourceBadge } from '../../components/GroupSourceBadge';

/** The employee's groups (directory ones read-only); adds the employee to a local group or takes them out of one. */
export function GroupsCard({ employeeId, employeeName, groups }: { employeeId: string; employeeName: string; groups: GroupRef[] }) {
  const add = useAddGroupMembers();
  const remove = useRemoveGroupMember();
  const [groupId, setGroupId] = useState('');
  const [removing, setRemoving] = useState<GroupRef | null>(null);

  const submit = () =>
    add.mutate(
      { groupId, employeeIds: [employeeId] },
      {
        onSuccess: (group) => {
          notifySuccess(`${employeeName} is now in ${group.name}.`, 'Added to group');
          setGroupId('');
        },
        onError: (error) => notifyError(error, 'Could not add to the group'),
      },
    );

  const confirmRemove = () => {
    if (!removing) return;
    const g = removing;
    remove.mutate(
      { groupId: g.id, employeeId },
      {
        onSuccess: () => notifySuccess(`${employeeName} is no longer in ${g.name}.`, 'Removed from group'),
        onError: (error) => notifyError(error, 'Could not remove from the group'),
        onSettled: () => setRemoving(null),
      },
    );
  };

  return (
    <Paper withBorder radius="md" p="md" mt="md">
      <Title order={4} mb="xs">
        Groups
      </Title>
      <Table aria-label="Groups">
        <Table.Tbody>
          {groups.length === 0 ? (
            <Table.Tr>
              <Table.Td>
                <Text c="dimmed" size="sm">
                  In no group
                </Text>
              </Table.Td>
            </Table.Tr>
          ) : null}
          {groups.map((g) => (
            <Table.Tr key={g.id}>
              <Table.Td>
                <Anchor component={Link} to={`/groups/${g.id}`} size="sm">
                  {g.name}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <GroupSourceBadge source={g.source} />
              </Table.Td>
              <Table.Td ta="right">
                {g.source === 'local' ? (
                  <Button size="compact-sm" variant="subtle" color="red" onClick={() => setRemoving(g)} aria-label={`Remove from ${g.name}`}>
                    Remove
                  </Button>
                ) : (
                  <Text size="xs" c="dimmed">
                    Managed by {g.source.domainName}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group align="flex-end" gap="sm" mt="sm">
        <GroupPicker
          label="Add to local group"
          placeholder="Search local groups"
          value={groupId}
          onChange={setGroupId}
          localOnly
          exclude={groups.map((g) => g.id)}
          w={280}
        />
        <Button onClick={submit} disabled={!groupId} loading={add.isPending}>
          Add
        </Button>
      </Group>
      <ConfirmDialog
        opened={removing !== null}
        title="Remove from group"
        confirmLabel="Remove"
        loading={remove.isPending}
        onConfirm={confirmRemove}
        onClose={() => setRemoving(null)}
      >
        {`Remove ${employeeName} from ${removing?.name ?? ''}?`}
      </ConfirmDialog>
    </Paper>
  );
}
