import { Alert, Button, Divider, Stack, Text, TextInput } from '@mantine/core';
import { IconDeviceLaptop, IconKey, IconPassword } from '@tabler/icons-react';
import { useState } from 'react';
import { enrollWithWebAuthn } from '../api/enroll';
import type { CredentialKind, Policy } from '../../shared/api/sign-in-types';
import { ceremonyErrorMessage } from '../../shared/api/webauthn';
import { PasswordEnrollment } from './PasswordEnrollment';

// A second-factor key is added in the portal, after a password (the server refuses it at enrolment).
const DEFAULT_NAMES: Record<CredentialKind, string> = { security_key: 'Security key', passkey: 'Passkey on this device', second_factor_key: 'Security key' };

/**
 * The ways the policy offers to set up sign-in: a passkey on this device (platform authenticators
 * only when allowed), a security key, or a password with an authenticator app.
 */
export function EnrollMethods({ token, policy, onDone }: { token: string; policy: Policy; onDone: () => void }) {
  const [name, setName] = useState(DEFAULT_NAMES.security_key);
  const [nameEdited, setNameEdited] = useState(false);
  const [busy, setBusy] = useState<CredentialKind | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [withPassword, setWithPassword] = useState(false);
  const passwordAllowed = policy.allowPasswordSignIn && policy.secondFactors.includes('totp');

  const enroll = async (kind: CredentialKind) => {
    setBusy(kind);
    setError(null);
    try {
      // The field's default names a security key; an untouched default follows the choice.
      const keyName = nameEdited && name.trim() ? name.trim() : DEFAULT_NAMES[kind];
      await enrollWithWebAuthn(token, kind, keyName);
      onDone();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  };

  if (withPassword) {
    return (
      <Stack>
        <PasswordEnrollment token={token} onDone={onDone} />
        <Button variant="subtle" onClick={() => setWithPassword(false)}>
          Back to passkeys
        </Button>
      </Stack>
    );
  }

  return (
    <Stack>
      {error ? (
        <Alert color="red" title="Could not set up this key">
          {ceremonyErrorMessage(error)}
        </Alert>
      ) : null}
      <TextInput
        label="Name this key"
        description="So that you can tell your sign-in methods apart later."
        value={name}
        maxLength={100}
        onChange={(e) => {
          setName(e.currentTarget.value);
          setNameEdited(true);
        }}
      />
      {policy.allowPlatform ? (
        <Stack gap={4}>
          <Button
            size="md"
            fullWidth
            leftSection={<IconDeviceLaptop size={20} />}
            onClick={() => enroll('passkey')}
            loading={busy === 'passkey'}
            disabled={busy === 'security_key'}
          >
            Use a passkey on this device
          </Button>
          <Text size="xs" c="dimmed">
            Windows Hello, Touch ID, Face ID or your phone&apos;s screen lock.
          </Text>
        </Stack>
      ) : null}
      <Stack gap={4}>
        <Button
          size="md"
          fullWidth
          variant={policy.allowPlatform ? 'light' : 'filled'}
          leftSection={<IconKey size={20} />}
          onClick={() => enroll('security_key')}
          loading={busy === 'security_key'}
          disabled={busy === 'passkey'}
        >
          Use a security key
        </Button>
        <Text size="xs" c="dimmed">
          A hardware key such as a YubiKey, plugged in or held to your device.
        </Text>
      </Stack>
      {passwordAllowed ? (
        <>
          <Divider label="or" labelPosition="center" />
          <Button variant="default" fullWidth leftSection={<IconPassword size={20} />} onClick={() => setWithPassword(true)} disabled={busy !== null}>
            Use a password and authenticator app
          </Button>
        </>
      ) : null}
    </Stack>
  );
}
