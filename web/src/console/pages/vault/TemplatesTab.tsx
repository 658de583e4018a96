import { Badge, Button, Group, Table, Text } from '@mantine/core';
import { EmptyState } from '../../../shared/components/EmptyState';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import type { VaultTemplate } from '../../../shared/api/vault-types';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { formatDateTime } from '../../../shared/components/format';
import { ListTable } from '../../../shared/components/ListTable';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { QueryState } from '../../../shared/components/QueryState';
import { useLastDefined } from '../../../shared/components/use-last-defined';
import { useDeleteTemplate, useVaultTemplates } from '../../api/vault';
import { TemplateModal } from './TemplateModal';

/** Templates: applications ready to fill, for employees' own accounts and for shared ones. */
export function TemplatesTab() {
  const templates = useVaultTemplates();
  const remove = useDeleteTemplate();
  const [editing, setEditing] = useState<VaultTemplate | null | undefined>(undefined);
  const [deleting, setDeleting] = useState<VaultTemplate | null>(null);
  const shownDelete = useLastDefined(deleting);

  const confirmDelete = () => {
    if (!deleting) return;
    const t = deleting;
    remove.mutate(t.id, {
      onSuccess: () => notifySuccess('Accounts made from it keep their name and addresses.', `${t.name} deleted`),
      onError: (error) => notifyError(error, `Could not delete ${t.name}`),
      onSettled: () => setDeleting(null),
    });
  };

  return (
    <>
      <Group justify="space-between" mb="md">
        <Text size="sm" c="dimmed">
          An application's name and addresses, ready to fill in. Changing a template changes no account made from it.
        </Text>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing(null)}>
          New template
        </Button>
      </Group>
      <QueryState query={templates} />
      {templates.data ? (
        <ListTable
          label="Templates"
          columns={['Name', 'Addresses', 'Login hint', 'Updated', 'Actions']}
          isEmpty={templates.data.length === 0}
          empty={
            <EmptyState
              title="No templates yet"
              hint="A template describes an application's sign-in form once, so employees' vault accounts fill it in."
              action={{ label: 'Create the first template', onClick: () => setEditing(null) }}
            />
          }
          minWidth={800}
        >
          {templates.data.map((t) => (
            <Table.Tr key={t.id}>
              <Table.Td>
                <Group gap={6}>
                  <Text size="sm" fw={500}>
                    {t.name}
                  </Text>
                  {t.source === 'config' ? (
                    <Badge size="sm" variant="light" color="gray">
                      Configuration file
                    </Badge>
                  ) : null}
                </Group>
              </Table.Td>
              <Table.Td>
                {t.urls.length
                  ? t.urls.map((u) => (
                      <Text key={u} size="sm" style={{ overflowWrap: 'anywhere' }}>
                        {u}
                      </Text>
                    ))
                  : '—'}
              </Table.Td>
              <Table.Td>{t.loginHint || '—'}</Table.Td>
              <Table.Td>{formatDateTime(t.updatedAt)}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Button size="compact-sm" variant="subtle" onClick={() => setEditing(t)}>
                    Edit
                  </Button>
                  <Button size="compact-sm" variant="subtle" color="red" onClick={() => setDeleting(t)}>
                    Delete
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </ListTable>
      ) : null}
      {editing !== undefined ? <TemplateModal key={editing?.id ?? 'new'} template={editing} onClose={() => setEditing(undefined)} /> : null}
      <ConfirmDialog
        opened={deleting !== null}
        title="Delete template"
        confirmLabel="Delete"
        loading={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      >
        {`Delete ${shownDelete?.name ?? ''}? Accounts made from it stay as they are.`}
      </ConfirmDialog>
    </>
  );
}
