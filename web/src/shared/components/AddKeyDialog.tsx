import { Alert, Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import type { CredentialKind } from '../api/sign-in-types';
import { ceremonyErrorMessage } from '../api/webauthn';

export const KIND_TITLES: Record<CredentialKind, string> = {
  passkey: 'Add a passkey',
  security_key: 'Add a security key',
  second_factor_key: 'Add a security key (second factor)',
};
const DEFAULT_NAMES: Record<CredentialKind, string> = { passkey: 'Passkey on this device', security_key: 'Security key', second_factor_key: 'Security key' };
const KIND_HINTS: Record<CredentialKind, string> = {
  passkey: 'Your device will ask for your fingerprint, face, PIN or screen lock.',
  security_key: 'Have your security key ready: your browser will ask you to insert or touch it.',
  second_factor_key: 'For older (U2F) keys too. You will sign in with your password first, then touch this key. It does not sign you in on its own.',
};

/**
 * Names the new key ("Name this key"), then "Continue" opens the browser's prompt. Used by the
 * portal and by the console's profile page (admin passkeys).
 */
export function AddKeyDialog(props: {
  kind: CredentialKind | null;
  loading: boolean;
  error: unknown;
  onSubmit: (kind: CredentialKind, name: string) => void;
  onClose: () => void;
}) {
  const { kind, loading, error } = props;
  const [name, setName] = useState('');
  // Keeps its text while the dialog fades out after `kind` went back to null.
  const [shown, setShown] = useState<CredentialKind>('security_key');
  useEffect(() => {
    if (kind) {
      setShown(kind);
      setName(DEFAULT_NAMES[kind]);
    }
  }, [kind]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (kind && name.trim()) props.onSubmit(kind, name.trim());
  };

  return (
    <Modal opened={kind !== null} onClose={props.onClose} title={KIND_TITLES[shown]} centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          {error ? (
            <Alert color="red" title="Could not add this key">
              {ceremonyErrorMessage(error)}
            </Alert>
          ) : null}
          <Text size="sm">{KIND_HINTS[shown]}</Text>
          <TextInput
            label="Name this key"
            value={name}
            maxLength={100}
            onChange={(e) => setName(e.currentTarget.value)}
            error={name.trim() ? undefined : 'Enter a name'}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose} disabled={loading}>
              Cancel
            </Button>
            <Button type="submit" loading={loading} disabled={!name.trim()}>
              Continue
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
