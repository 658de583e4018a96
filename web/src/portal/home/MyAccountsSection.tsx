import { Button, Group, Paper, SimpleGrid, Text, Title } from '@mantine/core';
import { IconPlus, IconLock } from '@tabler/icons-react';
import { useState } from 'react';
import type { VaultAccount, VaultAccountKind } from '../../shared/api/vault-types';
import { ConfirmDialog } from '../../shared/components/ConfirmDialog';
import { notifyError, notifySuccess } from '../../shared/components/notify';
import { QueryState } from '../../shared/components/QueryState';
import { useLastDefined } from '../../shared/components/use-last-defined';
import { useDeleteVaultAccount, useMyVaultAccounts } from '../api/vault';
import { VaultAccountCard } from './VaultAccountCard';
import { VaultAccountDialog } from './VaultAccountDialog';

const ORDER: Record<VaultAccountKind, number> = { directory: 0, shared: 1, personal: 2 };

/**
 * "My accounts": the employee's directory account(s), the shared accounts assigned to them and
 * their own accounts. Secrets show only after a passkey check, one field at a time.
 */
export function MyAccountsSection() {
  const accounts = useMyVaultAccounts();
  const remove = useDeleteVaultAccount();
  // undefined: no dialog; null: a new account.
  const [editing, setEditing] = useState<VaultAccount | null | undefined>(undefined);
  const [deleting, setDeleting] = useState<VaultAccount | null>(null);
  const shownDelete = useLastDefined(deleting);
  const items = [...(accounts.data ?? [])].sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || a.name.localeCompare(b.name));

  const confirmDelete = () => {
    if (!deleting) return;
    const a = deleting;
    remove.mutate(a.id, {
      onSuccess: () => notifySuccess(`${a.name} and its secrets are gone.`, 'Account deleted'),
      onError: (error) => notifyError(error, `Could not delete ${a.name}`),
      onSettled: () => setDeleting(null),
    });
  };

  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="my-accounts-title" id="my-accounts">
      <Group justify="space-between" mb="xs" wrap="wrap" gap="xs">
        <Title order={2} size="h3" id="my-accounts-title">
          My accounts
        </Title>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing(null)}>
          Add account
        </Button>
      </Group>
      <Text size="sm" c="dimmed" mb="md">
        Your logins for other applications. Showing or copying a password, a one-time code or notes asks for your passkey with its PIN or fingerprint each time.
      </Text>
      <QueryState query={accounts} />
      {accounts.data && items.length === 0 ? (
        <Group gap="sm" c="dimmed">
          <IconLock size={20} aria-hidden />
          <Text size="sm">No accounts yet</Text>
        </Group>
      ) : null}
      {items.length > 0 ? (
        <SimpleGrid cols={{ base: 1, sm: 2 }} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="My accounts">
          {items.map((a) => (
            <VaultAccountCard key={a.id} account={a} onEdit={() => setEditing(a)} onDelete={() => setDeleting(a)} />
          ))}
        </SimpleGrid>
      ) : null}
      {editing !== undefined ? <VaultAccountDialog key={editing?.id ?? 'new'} account={editing} onClose={() => setEditing(undefined)} /> : null}
      <ConfirmDialog
        opened={deleting !== null}
        title="Delete account"
        confirmLabel="Delete"
        loading={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      >
        {`Delete ${shownDelete?.name ?? ''} with its password, code secret and notes? This cannot be undone.`}
      </ConfirmDialog>
    </Paper>
  );
}
