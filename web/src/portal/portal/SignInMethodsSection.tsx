import { Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconDeviceLaptop, IconKey, IconPencil, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { useAddCredential, usePortalCredentials, useRemoveCredential, useRenameCredential } from '../../api/portal';
import type { Credential, CredentialKind, PortalMe } from '../../api/sign-in-types';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CredentialsTable } from '../../components/CredentialsTable';
import { NameDialog } from '../../components/NameDialog';
import { notifySuccess } from '../../components/notify';
import { QueryState } from '../../components/QueryState';
import { useLastDefined } from '../../components/use-last-defined';
import { AddKeyDialog } from '../../components/AddKeyDialog';
import { ChangePasswordDialog } from './ChangePasswordDialog';
import { ResetTotpDialog } from './ResetTotpDialog';

/** "My sign-in methods": the employee's passkeys and security keys, password and authenticator app. */
export function SignInMethodsSection({ me }: { me: PortalMe }) {
  const credentials = usePortalCredentials();
  const add = useAddCredential();
  const rename = useRenameCredential();
  const remove = useRemoveCredential();
  const [adding, setAdding] = useState<CredentialKind | null>(null);
  const [renaming, setRenaming] = useState<Credential | null>(null);
  const [removing, setRemoving] = useState<Credential | null>(null);
  const [resettingTotp, setResettingTotp] = useState(false);
  const [changingPassword, setChangingPassword] = useState(false);
  const shownRename = useLastDefined(renaming);
  const shownRemove = useLastDefined(removing);
  const { policy } = me;
  const count = credentials.data?.items.length ?? 0;
  const atMaximum = count >= policy.maxCredentialsPerEmployee;

  const startAdding = (kind: CredentialKind) => {
    add.reset();
    setAdding(kind);
  };

  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="methods-title">
      <Group justify="space-between" mb="md" wrap="wrap">
        <Title order={2} size="h3" id="methods-title">
          My sign-in methods
        </Title>
        <Group gap="sm">
          {policy.allowPlatform ? (
            <Button leftSection={<IconDeviceLaptop size={16} />} onClick={() => startAdding('passkey')} disabled={atMaximum}>
              Add a passkey
            </Button>
          ) : null}
          <Button
            variant={policy.allowPlatform ? 'light' : 'filled'}
            leftSection={<IconKey size={16} />}
            onClick={() => startAdding('security_key')}
            disabled={atMaximum}
          >
            Add a security key
          </Button>
        </Group>
      </Group>
      <Stack>
        {atMaximum ? (
          <Text size="sm" c="dimmed">
            You have the maximum of {policy.maxCredentialsPerEmployee} passkeys and security keys. Remove one to add another.
          </Text>
        ) : null}
        <QueryState query={credentials} />
        {credentials.data ? (
          <CredentialsTable
            label="My sign-in methods"
            credentials={credentials.data.items}
            empty="No passkeys or security keys yet."
            actions={(credential) => (
              <Group gap={4} justify="flex-end" wrap="nowrap">
                <Button
                  size="compact-sm"
                  variant="subtle"
                  leftSection={<IconPencil size={14} />}
                  aria-label={`Rename ${credential.name}`}
                  onClick={() => {
                    rename.reset();
                    setRenaming(credential);
                  }}
                >
                  Rename
                </Button>
                <Button
                  size="compact-sm"
                  variant="subtle"
                  color="red"
                  leftSection={<IconTrash size={14} />}
                  aria-label={`Remove ${credential.name}`}
                  onClick={() => {
                    remove.reset();
                    setRemoving(credential);
                  }}
                >
                  Remove
                </Button>
              </Group>
            )}
          />
        ) : null}
        {me.hasPassword || me.hasTotp ? (
          <Group gap="sm">
            {me.hasPassword ? (
              <Button variant="default" onClick={() => setChangingPassword(true)}>
                Change password
              </Button>
            ) : null}
            {me.hasTotp ? (
              <Button variant="default" onClick={() => setResettingTotp(true)}>
                Reset authenticator app
              </Button>
            ) : null}
          </Group>
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
              onSuccess: (credential) => {
                setAdding(null);
                notifySuccess(`“${credential.name}” was added.`);
              },
            },
          )
        }
      />
      <NameDialog
        opened={renaming !== null}
        title="Rename sign-in method"
        initialName={shownRename?.name ?? ''}
        submitLabel="Rename"
        loading={rename.isPending}
        error={rename.error}
        onClose={() => setRenaming(null)}
        onSubmit={(name) => renaming && rename.mutate({ id: renaming.id, name }, { onSuccess: () => setRenaming(null) })}
      />
      <ConfirmDialog
        opened={removing !== null}
        title="Remove sign-in method"
        confirmLabel="Remove"
        loading={remove.isPending}
        onClose={() => setRemoving(null)}
        onConfirm={() =>
          removing &&
          remove.mutate(removing.id, {
            onSuccess: () => {
              notifySuccess(`“${removing.name}” was removed.`);
              setRemoving(null);
            },
          })
        }
      >
        <Stack gap="sm">
          {remove.isError ? <Alert color="red">{errorMessage(remove.error)}</Alert> : null}
          <Text>{`Remove “${shownRemove?.name ?? ''}”? You will no longer be able to sign in with it.`}</Text>
        </Stack>
      </ConfirmDialog>
      <ResetTotpDialog opened={resettingTotp} onClose={() => setResettingTotp(false)} />
      <ChangePasswordDialog opened={changingPassword} onClose={() => setChangingPassword(false)} />
    </Paper>
  );
}
