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
/** How many ways in the policy offers at enrolment: one means there is nothing to choose. */
export const enrolmentChoices = (policy: Policy) =>
  1 + (policy.allowPlatform ? 1 : 0) + (policy.allowPasswordSignIn && policy.secondFactors.includes('totp') ? 1 : 0);

export function EnrollMethods({ token, policy, onDone }: { token: string; policy: Policy; onDone: () => void }) {
  // One kind on offer (security keys only): the field names it and holds its default name. Both: the
  // field starts empty and an empty name becomes the default of the kind chosen, which its
  // description says, so that the label, the button pressed and the saved name agree.
  const isKeyOnly = !policy.allowPlatform;
  const [name, setName] = useState(isKeyOnly ? DEFAULT_NAMES.security_key : '');
  const [busy, setBusy] = useState<CredentialKind | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [withPassword, setWithPassword] = useState(false);
  const passwordAllowed = policy.allowPasswordSignIn && policy.secondFactors.includes('totp');

  const enroll = async (kind: CredentialKind) => {
    setBusy(kind);
    setError(null);
    try {
      const keyName = name.trim() || DEFAULT_NAMES[kind];
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
        label={isKeyOnly ? 'Name this security key' : 'Name (optional)'}
        description={
          isKeyOnly
            ? 'So that you can tell your keys apart later.'
            : `So that you can tell your sign-in methods apart later. Left empty, it is called “${DEFAULT_NAMES.passkey}” or “${DEFAULT_NAMES.security_key}”, by what you choose below.`
        }
        placeholder={isKeyOnly ? undefined : 'For example: Work laptop'}
        value={name}
        maxLength={100}
        onChange={(e) => setName(e.currentTarget.value)}
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
