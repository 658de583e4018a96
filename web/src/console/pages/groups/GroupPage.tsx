import { Alert, Anchor, Button, Group, Paper, SimpleGrid, Stack, Table, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconArrowLeft, IconPencil, IconSearch, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useAddGroupMembers, useDeleteGroup, useGroup, useGroupMembers, useRemoveGroupMember, useUpdateGroup } from '../../api/groups';
import type { Employee, Group as GroupDto } from '../../../shared/api/types';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { ListTable } from '../../../shared/components/ListTable';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { QueryState } from '../../../shared/components/QueryState';
import { EmployeeStatusBadge } from '../../../shared/components/StatusBadge';
import { EmployeePicker } from '../../components/EmployeePicker';
import { Fact } from '../../components/Fact';
import { GroupSourceBadge, managedBy } from '../../components/GroupSourceBadge';
import { PageHeader } from '../../components/PageHeader';
import { Pager } from '../../components/Pager';
import { GroupDialog } from './GroupDialog';

const PAGE_SIZE = 50;
const nameOf = (e: Employee) => e.displayName || e.email;

function AddMember({ group }: { group: GroupDto }) {
  const add = useAddGroupMembers();
  const [employeeId, setEmployeeId] = useState('');
  const submit = () =>
    add.mutate(
      { groupId: group.id, employeeIds: [employeeId] },
      {
        onSuccess: () => {
          notifySuccess(`Added to ${group.name}.`, 'Member added');
          setEmployeeId('');
        },
        onError: (error) => notifyError(error, 'Could not add the employee'),
      },
    );
  return (
    <Group align="flex-end" gap="sm">
      <EmployeePicker label="Add employee" placeholder="Search by name or e-mail" value={employeeId} onChange={setEmployeeId} w={320} />
      <Button onClick={submit} disabled={!employeeId} loading={add.isPending}>
        Add
      </Button>
    </Group>
  );
}

function Members({ group }: { group: GroupDto }) {
  const isLocal = group.source === 'local';
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 300);
  const [page, setPage] = useState(1);
  const members = useGroupMembers(group.id, { q: debounced || undefined, sort: 'lastName', order: 'asc', page, pageSize: PAGE_SIZE });
  const remove = useRemoveGroupMember();
  const [removing, setRemoving] = useState<Employee | null>(null);

  const confirmRemove = () => {
    if (!removing) return;
    const e = removing;
    remove.mutate(
      { groupId: group.id, employeeId: e.id },
      {
        onSuccess: () => notifySuccess(`${nameOf(e)} is no longer in ${group.name}.`, 'Member removed'),
        onError: (error) => notifyError(error, 'Could not remove the member'),
        onSettled: () => setRemoving(null),
      },
    );
  };

  return (
    <Paper withBorder radius="md" p="md">
      <Stack>
        <Group justify="space-between" align="flex-end">
          <Title order={4}>Members</Title>
          <TextInput
            aria-label="Search members"
            placeholder="Search members"
            leftSection={<IconSearch size={16} />}
            value={search}
            onChange={(e) => {
              setSearch(e.currentTarget.value);
              setPage(1);
            }}
            w={240}
            type="search"
          />
        </Group>
        {isLocal ? <AddMember group={group} /> : null}
        <QueryState query={members} />
        {members.data ? (
          <>
            <ListTable
              label="Members"
              columns={['Name', 'E-mail', 'Status', ...(isLocal ? [''] : [])]}
              isEmpty={members.data.items.length === 0}
              empty={debounced ? 'No member matches' : 'No members'}
              minWidth={600}
            >
              {members.data.items.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/employees/${e.id}`} size="sm">
                      {e.displayName || `${e.firstName} ${e.lastName}`}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{e.email}</Table.Td>
                  <Table.Td>
                    <EmployeeStatusBadge status={e.status} />
                  </Table.Td>
                  {isLocal ? (
                    <Table.Td>
                      <Button size="compact-sm" variant="subtle" color="red" onClick={() => setRemoving(e)} aria-label={`Remove ${nameOf(e)}`}>
                        Remove
                      </Button>
                    </Table.Td>
                  ) : null}
                </Table.Tr>
              ))}
            </ListTable>
            <Pager page={page} pageSize={PAGE_SIZE} total={members.data.total} onChange={setPage} />
          </>
        ) : null}
      </Stack>
      <ConfirmDialog
        opened={removing !== null}
        title="Remove member"
        confirmLabel="Remove"
        loading={remove.isPending}
        onConfirm={confirmRemove}
        onClose={() => setRemoving(null)}
      >
        {`Remove ${removing ? nameOf(removing) : ''} from ${group.name}?`}
      </ConfirmDialog>
    </Paper>
  );
}

function GroupDetails({ group }: { group: GroupDto }) {
  const navigate = useNavigate();
  const update = useUpdateGroup(group.id);
  const remove = useDeleteGroup();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const isLocal = group.source === 'local';

  const save = (values: { name: string; description: string | null }) =>
    update.mutate(values, {
      onSuccess: () => {
        notifySuccess('Changes saved.', 'Group updated');
        setEditing(false);
      },
    });

  const confirmDelete = () =>
    remove.mutate(group.id, {
      onSuccess: () => {
        notifySuccess(`${group.name} was deleted.`, 'Group deleted');
        navigate('/groups', { replace: true });
      },
      onError: (error) => {
        setDeleting(false);
        notifyError(error, 'Could not delete the group');
      },
    });

  return (
    <Stack>
      {isLocal ? null : (
        <Alert color="grape" title={`Managed by ${group.source === 'local' ? '' : group.source.domainName}`}>
          This group comes from the directory: its name and members follow the domain's sync. Change it in the directory.
        </Alert>
      )}
      <Paper withBorder p="md" radius="md">
        <Stack>
          <SimpleGrid cols={{ base: 2, sm: 4 }}>
            <Fact label="Source">
              <GroupSourceBadge source={group.source} />
            </Fact>
            <Fact label="Managed by">{managedBy(group.source)}</Fact>
            <Fact label="Members">{group.memberCount}</Fact>
            <Fact label="Description">{group.description || '—'}</Fact>
          </SimpleGrid>
          {isLocal ? (
            <Group justify="space-between">
              <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={() => setDeleting(true)}>
                Delete
              </Button>
              <Button
                variant="default"
                leftSection={<IconPencil size={16} />}
                onClick={() => {
                  update.reset();
                  setEditing(true);
                }}
              >
                Edit
              </Button>
            </Group>
          ) : null}
        </Stack>
      </Paper>
      <Members group={group} />
      <GroupDialog
        opened={editing}
        title="Edit group"
        initial={group}
        submitLabel="Save"
        loading={update.isPending}
        error={update.error}
        onSubmit={save}
        onClose={() => setEditing(false)}
      />
      <ConfirmDialog
        opened={deleting}
        title="Delete group"
        confirmLabel="Delete"
        loading={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(false)}
      >
        {`Delete ${group.name}? Its ${group.memberCount} ${group.memberCount === 1 ? 'member stays' : 'members stay'} in Tessera; only the group goes.`}
      </ConfirmDialog>
    </Stack>
  );
}

export function GroupPage() {
  const { id = '' } = useParams();
  const group = useGroup(id);
  return (
    <>
      <Anchor component={Link} to="/groups" size="sm" mb="sm" display="inline-flex" style={{ alignItems: 'center', gap: 4 }}>
        <IconArrowLeft size={14} /> Back to groups
      </Anchor>
      <PageHeader title={group.data?.name ?? 'Group'} description={group.data?.description ?? undefined} />
      <QueryState query={group} />
      {group.data ? <GroupDetails group={group.data} /> : null}
    </>
  );
}
