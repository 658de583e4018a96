import { Alert, Badge, Button, Group, Modal, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTotpDisable } from '../../api/auth';
import { errorMessage } from '../../../shared/api/client';
import type { Me } from '../../../shared/api/types';
import { notifySuccess } from '../../../shared/components/notify';
import { TotpEnrollment } from '../../components/TotpEnrollment';

function DisableTotpModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const disable = useTotpDisable();
  const [password, setPassword] = useState('');

  const close = () => {
    setPassword('');
    disable.reset();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!password) return;
    disable.mutate(password, {
      onSuccess: () => {
        notifySuccess('Two-factor authentication is off.');
        close();
      },
    });
  };

  return (
    <Modal opened={opened} onClose={close} title="Disable two-factor authentication" centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          {disable.isError ? <Alert color="red">{errorMessage(disable.error)}</Alert> : null}
          <Text size="sm">Enter your password to turn off codes from your authenticator app.</Text>
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" color="red" loading={disable.isPending} disabled={!password}>
              Disable
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Two-factor authentication (TOTP) for the signed-in admin: set up, or disable unless required. */
export function TwoFactorCard({ me }: { me: Me }) {
  const [disabling, setDisabling] = useState(false);
  const { totpEnabled } = me.admin;
  const required = me.settings.requireAdminTotp;

  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="totp-title">
      <Group justify="space-between" mb="md">
        <Title order={2} size="h4" id="totp-title">
          Two-factor authentication
        </Title>
        <Badge color={totpEnabled ? 'teal' : 'gray'} variant="light">
          {totpEnabled ? 'On' : 'Off'}
        </Badge>
      </Group>
      {totpEnabled ? (
        <Stack gap="sm">
          <Text size="sm">Signing in asks for a code from your authenticator app.</Text>
          {required ? (
            <Text size="sm" c="dimmed">
              Your organisation requires two-factor authentication for admins, so it cannot be turned off.
            </Text>
          ) : (
            <Group>
              <Button color="red" variant="light" onClick={() => setDisabling(true)}>
                Disable
              </Button>
            </Group>
          )}
        </Stack>
      ) : (
        <Stack gap="sm" maw={480}>
          <Text size="sm">
            {required
              ? 'Your organisation requires an authenticator app for admins. Set it up now.'
              : 'Add an authenticator app so that signing in needs a code as well as your password.'}
          </Text>
          <TotpEnrollment onEnrolled={() => notifySuccess('Two-factor authentication is on.')} cancellable />
        </Stack>
      )}
      <DisableTotpModal opened={disabling} onClose={() => setDisabling(false)} />
    </Paper>
  );
}
