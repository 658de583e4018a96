import { Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useEmployeeCredentials, useRemoveAllEmployeeCredentials, useRemoveEmployeeCredential } from '../../api/employee-access';
import type { Credential } from '../../../shared/api/sign-in-types';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { CredentialsTable } from '../../../shared/components/CredentialsTable';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { QueryState } from '../../../shared/components/QueryState';
import { useLastDefined } from '../../../shared/components/use-last-defined';

/** "Sign-in methods" of one employee: passkeys and security keys, password, authenticator app. */
export function SignInMethodsCard({ employeeId, employeeName }: { employeeId: string; employeeName: string }) {
  const credentials = useEmployeeCredentials(employeeId);
  const removeOne = useRemoveEmployeeCredential(employeeId);
  const removeAll = useRemoveAllEmployeeCredentials(employeeId);
  const [removing, setRemoving] = useState<Credential | null>(null);
  const [removingAll, setRemovingAll] = useState(false);
  const shown = useLastDefined(removing);
  const data = credentials.data;
  const hasAny = Boolean(data && (data.items.length > 0 || data.hasPassword || data.hasTotp));

  const confirmRemove = () =>
    removing &&
    removeOne.mutate(removing.id, {
      onSuccess: () => notifySuccess(`“${removing.name}” was removed.`, 'Sign-in method removed'),
      onError: (error) => notifyError(error, 'Could not remove the sign-in method'),
      onSettled: () => setRemoving(null),
    });
  const confirmRemoveAll = () =>
    removeAll.mutate(undefined, {
      onSuccess: () => notifySuccess(`${employeeName} has no way to sign in until they accept a new invitation.`, 'Sign-in methods removed'),
      onError: (error) => notifyError(error, 'Could not remove the sign-in methods'),
      onSettled: () => setRemovingAll(false),
    });

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="employee-methods-title">
      <Group justify="space-between" mb="md" wrap="wrap">
        <Title order={2} size="h4" id="employee-methods-title">
          Sign-in methods
        </Title>
        <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={() => setRemovingAll(true)} disabled={!hasAny}>
          Remove all sign-in methods
        </Button>
      </Group>
      <QueryState query={credentials} />
      {data ? (
        <Stack gap="sm">
          <CredentialsTable
            label="Sign-in methods"
            credentials={data.items}
            showAttachment
            empty="No passkeys or security keys."
            actions={(credential) => (
              <Button
                size="compact-sm"
                variant="subtle"
                color="red"
                leftSection={<IconTrash size={14} />}
                aria-label={`Remove ${credential.name}`}
                onClick={() => setRemoving(credential)}
              >
                Remove
              </Button>
            )}
          />
          <Group gap="lg">
            <Group gap={6}>
              <Text size="sm">Password</Text>
              <Badge variant="light" color={data.hasPassword ? 'teal' : 'gray'}>
                {data.hasPassword ? 'Set' : 'Not set'}
              </Badge>
            </Group>
            <Group gap={6}>
              <Text size="sm">Authenticator app</Text>
              <Badge variant="light" color={data.hasTotp ? 'teal' : 'gray'}>
                {data.hasTotp ? 'Set up' : 'Not set up'}
              </Badge>
            </Group>
          </Group>
        </Stack>
      ) : null}
      <ConfirmDialog
        opened={removing !== null}
        title="Remove sign-in method"
        confirmLabel="Remove"
        loading={removeOne.isPending}
        onConfirm={confirmRemove}
        onClose={() => setRemoving(null)}
      >
        {`Remove “${shown?.name ?? ''}” from ${employeeName}? It will no longer sign in.`}
      </ConfirmDialog>
      <ConfirmDialog
        opened={removingAll}
        title="Remove all sign-in methods"
        confirmLabel="Remove all"
        loading={removeAll.isPending}
        onConfirm={confirmRemoveAll}
        onClose={() => setRemovingAll(false)}
      >
        {`Remove every passkey and security key, the password and the authenticator app of ${employeeName}? They will not be able to sign in until they accept a new invitation.`}
      </ConfirmDialog>
    </Paper>
  );
}
