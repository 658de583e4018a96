import { Anchor, Button, Group, NativeSelect, Table, Text, TextInput } from '@mantine/core';
import { EmptyState } from '../../../shared/components/EmptyState';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useCreateGroup, useGroups } from '../../api/groups';
import { GroupSourceBadge } from '../../components/GroupSourceBadge';
import { PageHeader } from '../../components/PageHeader';
import { Pager } from '../../components/Pager';
import { useUrlFilters } from '../../components/use-url-filters';
import { ListTable } from '../../../shared/components/ListTable';
import { notifySuccess } from '../../../shared/components/notify';
import { QueryState } from '../../../shared/components/QueryState';
import { GroupDialog } from './GroupDialog';

const PAGE_SIZE = 50;
const sourceOptions = [
  { value: '', label: 'All groups' },
  { value: 'local', label: 'Local' },
  { value: 'directory', label: 'From a directory' },
];

/** Every group, local and directory, by name: search, filter by source, create a local one. */
export function GroupsPage() {
  const navigate = useNavigate();
  const { values, page, hasFilters, setFilter, clearFilters, setPage } = useUrlFilters(['q', 'source'] as const);
  const [search, setSearch] = useState(values.q);
  const [debounced] = useDebouncedValue(search, 300);
  useEffect(() => {
    if (debounced.trim() !== values.q) setFilter('q', debounced.trim());
    // React to typing only, not to every render.
  }, [debounced]);
  const source = values.source === 'local' || values.source === 'directory' ? values.source : undefined;
  const groups = useGroups({ q: values.q || undefined, source, page, pageSize: PAGE_SIZE });
  const create = useCreateGroup();
  const [creating, { open, close }] = useDisclosure(false);

  const submitCreate = (input: { name: string; description: string | null }) =>
    create.mutate(input, {
      onSuccess: (group) => {
        notifySuccess(`${group.name} was created.`, 'Group created');
        close();
        navigate(`/groups/${group.id}`);
      },
    });

  return (
    <>
      <PageHeader
        title="Groups"
        description="Local groups are managed here; directory groups come from their domain's sync and are read-only."
        actions={
          <Button
            leftSection={<IconPlus size={16} />}
            onClick={() => {
              create.reset();
              open();
            }}
          >
            Create group
          </Button>
        }
      />
      <Group align="flex-end" gap="sm" mb="md">
        <TextInput
          label="Search"
          placeholder="Group name"
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={240}
          type="search"
        />
        <NativeSelect label="Source" data={sourceOptions} value={values.source} onChange={(e) => setFilter('source', e.currentTarget.value)} />
        {hasFilters ? (
          <Button
            variant="subtle"
            onClick={() => {
              setSearch('');
              clearFilters();
            }}
          >
            Clear filters
          </Button>
        ) : null}
      </Group>
      <QueryState query={groups} />
      {groups.data ? (
        <>
          <ListTable
            label="Groups"
            columns={['Name', 'Source', 'Members', 'Description']}
            isEmpty={groups.data.items.length === 0}
            empty={
              hasFilters ? (
                <EmptyState title="No group matches these filters" hint="Change the search or the source, or clear the filters." />
              ) : (
                <EmptyState
                  title="No groups yet"
                  hint="Create a local group to give applications to several employees at once; directory groups appear after a domain's sync."
                  action={{
                    label: 'Create the first group',
                    onClick: () => {
                      create.reset();
                      open();
                    },
                  }}
                />
              )
            }
            minWidth={700}
          >
            {groups.data.items.map((g) => (
              <Table.Tr key={g.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/groups/${g.id}`} size="sm">
                    {g.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <GroupSourceBadge source={g.source} />
                </Table.Td>
                <Table.Td>{g.memberCount}</Table.Td>
                <Table.Td>
                  <Text size="sm" c="dimmed" lineClamp={1}>
                    {g.description ?? ''}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </ListTable>
          <Pager page={page} pageSize={PAGE_SIZE} total={groups.data.total} onChange={setPage} />
        </>
      ) : null}
      <GroupDialog
        opened={creating}
        title="Create local group"
        submitLabel="Create"
        loading={create.isPending}
        error={create.error}
        onSubmit={submitCreate}
        onClose={close}
      />
    </>
  );
}
