import { Alert, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { UseMutationResult, UseQueryResult } from '@tanstack/react-query';
import { IconDeviceLaptop, IconKey, IconPencil, IconTrash } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { errorMessage } from '../api/client';
import type { Credential, CredentialKind } from '../api/sign-in-types';
import { AddKeyDialog } from './AddKeyDialog';
import { ConfirmDialog } from './ConfirmDialog';
import { CredentialsTable } from './CredentialsTable';
import { NameDialog } from './NameDialog';
import { notifyError, notifySuccess } from './notify';
import { QueryState } from './QueryState';
import { useLastDefined } from './use-last-defined';

type AddMutation<T> = UseMutationResult<T, Error, { kind: CredentialKind; name: string }>;

/**
 * One person's passkeys and security keys as a page region: a heading with "Add a passkey" (when
 * the policy allows platform authenticators) and "Add a security key", the table, and per row
 * "Rename <name>" (when `rename` is given) and "Remove <name>". The console's My profile (an admin's
 * own passkeys) and the portal's My sign-in methods (an employee's) both render it.
 */
export function CredentialList<Added>(props: {
  title: string;
  /** Heading size: the portal's regions are h3-sized, the console's cards h4. */
  titleSize: 'h3' | 'h4';
  tableLabel: string;
  /** Shown above the table. */
  intro?: ReactNode;
  empty: string;
  showAttachment?: boolean;
  allowPlatform: boolean;
  /** Offer "Add a security key (second factor)": policy allows password + key and the employee has a password (portal only). */
  allowSecondFactorKeys?: boolean;
  /** The add buttons are disabled (the employee has the maximum number of keys). */
  isAddDisabled?: boolean;
  /** The portal's add buttons are its main actions: filled, where the console's are light. */
  isAddPrimary?: boolean;
  credentials: UseQueryResult<{ items: Credential[] }>;
  add: AddMutation<Added>;
  /** The notification after a key was added: its message and, optionally, title. */
  addedNotice: (enteredName: string, added: Added) => [message: string, title?: string];
  rename?: UseMutationResult<unknown, Error, { id: string; name: string }>;
  renameTitle?: string;
  remove: UseMutationResult<unknown, Error, string>;
  removeTitle: string;
  removeQuestion: (name: string) => string;
  /**
   * Where a refused removal shows: in the dialog, which stays open (the portal: the server refuses
   * an employee's last method), or as a notification after the dialog closed (the console).
   */
  removeErrorShows: 'dialog' | 'notification';
  /** Rendered below the table (the portal's password and authenticator app buttons and dialogs). */
  children?: ReactNode;
}) {
  const { title, credentials, add, rename, remove } = props;
  const [adding, setAdding] = useState<CredentialKind | null>(null);
  const [renaming, setRenaming] = useState<Credential | null>(null);
  const [removing, setRemoving] = useState<Credential | null>(null);
  const shownRename = useLastDefined(renaming);
  const shownRemove = useLastDefined(removing);
  const titleId = `${title.toLowerCase().replace(/[^a-z]+/g, '-')}-title`;
  const isErrorInDialog = props.removeErrorShows === 'dialog';

  const startAdding = (kind: CredentialKind) => {
    add.reset();
    setAdding(kind);
  };

  const confirmRemove = () => {
    if (!removing) return;
    const { id, name } = removing;
    remove.mutate(id, {
      onSuccess: () => {
        notifySuccess(`“${name}” was removed.`);
        if (isErrorInDialog) setRemoving(null);
      },
      onError: (error) => {
        if (!isErrorInDialog) notifyError(error, 'Could not remove the passkey');
      },
      onSettled: () => {
        if (!isErrorInDialog) setRemoving(null);
      },
    });
  };

  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby={titleId}>
      <Group justify="space-between" mb="md" wrap="wrap">
        <Title order={2} size={props.titleSize} id={titleId}>
          {title}
        </Title>
        <Group gap="sm">
          {props.allowPlatform ? (
            <Button
              variant={props.isAddPrimary ? 'filled' : 'light'}
              leftSection={<IconDeviceLaptop size={16} />}
              onClick={() => startAdding('passkey')}
              disabled={props.isAddDisabled}
            >
              Add a passkey
            </Button>
          ) : null}
          <Button
            variant={props.isAddPrimary && !props.allowPlatform ? 'filled' : 'light'}
            leftSection={<IconKey size={16} />}
            onClick={() => startAdding('security_key')}
            disabled={props.isAddDisabled}
          >
            Add a security key
          </Button>
          {props.allowSecondFactorKeys ? (
            <Button variant="light" leftSection={<IconKey size={16} />} onClick={() => startAdding('second_factor_key')} disabled={props.isAddDisabled}>
              Add a security key (second factor)
            </Button>
          ) : null}
        </Group>
      </Group>
      <Stack gap="sm">
        {props.intro}
        <QueryState query={credentials} />
        {credentials.data ? (
          <CredentialsTable
            label={props.tableLabel}
            credentials={credentials.data.items}
            showAttachment={props.showAttachment}
            empty={props.empty}
            actions={(credential) => (
              <Group gap={4} justify="flex-end" wrap="nowrap">
                {rename ? (
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
                ) : null}
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
        {props.children}
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
              onSuccess: (added) => {
                setAdding(null);
                notifySuccess(...props.addedNotice(name, added));
              },
            },
          )
        }
      />
      {rename ? (
        <NameDialog
          opened={renaming !== null}
          title={props.renameTitle ?? 'Rename'}
          initialName={shownRename?.name ?? ''}
          submitLabel="Rename"
          loading={rename.isPending}
          error={rename.error}
          onClose={() => setRenaming(null)}
          onSubmit={(name) => renaming && rename.mutate({ id: renaming.id, name }, { onSuccess: () => setRenaming(null) })}
        />
      ) : null}
      <ConfirmDialog
        opened={removing !== null}
        title={props.removeTitle}
        confirmLabel="Remove"
        loading={remove.isPending}
        onClose={() => setRemoving(null)}
        onConfirm={confirmRemove}
      >
        {isErrorInDialog ? (
          <Stack gap="sm">
            {remove.isError ? <Alert color="red">{errorMessage(remove.error)}</Alert> : null}
            <Text>{props.removeQuestion(shownRemove?.name ?? '')}</Text>
          </Stack>
        ) : (
          props.removeQuestion(shownRemove?.name ?? '')
        )}
      </ConfirmDialog>
    </Paper>
  );
}
