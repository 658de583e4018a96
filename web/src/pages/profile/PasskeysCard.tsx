import { Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconDeviceLaptop, IconKey, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useAddAdminPasskey, useAdminPasskeys, useRemoveAdminPasskey } from '../../api/admin-passkeys';
import type { SettingsWithPolicy } from '../../api/authenticator-policy';
import { useSettings } from '../../api/settings';
import type { AdminPasskey, CredentialKind } from '../../api/sign-in-types';
import { AddKeyDialog } from '../../components/AddKeyDialog';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CredentialsTable } from '../../components/CredentialsTable';
import { notifyError, notifySuccess } from '../../components/notify';
import { QueryState } from '../../components/QueryState';
import { useLastDefined } from '../../components/use-last-defined';

/** "Passkeys": the admin's own passkeys and security keys, for signing in to the console without a password. */
export function PasskeysCard() {
  const passkeys = useAdminPasskeys();
  const settings = useSettings();
  const add = useAddAdminPasskey();
  const remove = useRemoveAdminPasskey();
  const [adding, setAdding] = useState<CredentialKind | null>(null);
  const [removing, setRemoving] = useState<AdminPasskey | null>(null);
  const shown = useLastDefined(removing);
  // The authenticator policy applies to admins' passkeys too; offer platform passkeys only when it allows them.
  const allowPlatform = (settings.data as SettingsWithPolicy | undefined)?.authenticators?.allowPlatform ?? true;

  const startAdding = (kind: CredentialKind) => {
    add.reset();
    setAdding(kind);
  };

  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="passkeys-title">
      <Group justify="space-between" mb="md" wrap="wrap">
        <Title order={2} size="h4" id="passkeys-title">
          Passkeys
        </Title>
        <Group gap="sm">
          {allowPlatform ? (
            <Button variant="light" leftSection={<IconDeviceLaptop size={16} />} onClick={() => startAdding('passkey')}>
              Add a passkey
            </Button>
          ) : null}
          <Button variant="light" leftSection={<IconKey size={16} />} onClick={() => startAdding('security_key')}>
            Add a security key
          </Button>
        </Group>
      </Group>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Sign in to the console with a passkey or security key instead of your password and code.
        </Text>
        <QueryState query={passkeys} />
        {passkeys.data ? (
          <CredentialsTable
            label="Passkeys"
            credentials={passkeys.data.items}
            showAttachment
            empty="No passkeys yet."
            actions={(passkey) => (
              <Button
                size="compact-sm"
                variant="subtle"
                color="red"
                leftSection={<IconTrash size={14} />}
                aria-label={`Remove ${passkey.name}`}
                onClick={() => setRemoving(passkey)}
              >
                Remove
              </Button>
            )}
          />
        ) : null}
      </Stack>
      <AddKeyDialog
        kind={adding}
        loading={add.isPending}
        error={add.error}
        onClose={() => setAdding(null)}
        onSubmit={(kind, name) =>
          add.mutate(
            { kind, name },
            {
              onSuccess: () => {
                setAdding(null);
                notifySuccess(`“${name}” was added.`, 'Passkey added');
              },
            },
          )
        }
      />
      <ConfirmDialog
        opened={removing !== null}
        title="Remove passkey"
        confirmLabel="Remove"
        loading={remove.isPending}
        onClose={() => setRemoving(null)}
        onConfirm={() =>
          removing &&
          remove.mutate(removing.id, {
            onSuccess: () => notifySuccess(`“${removing.name}” was removed.`),
            onError: (error) => notifyError(error, 'Could not remove the passkey'),
            onSettled: () => setRemoving(null),
          })
        }
      >
        {`Remove “${shown?.name ?? ''}”? You will no longer be able to sign in to the console with it.`}
      </ConfirmDialog>
    </Paper>
  );
}
