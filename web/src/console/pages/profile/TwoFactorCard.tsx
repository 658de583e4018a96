import { Alert, Badge, Button, Group, Modal, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useRegenerateRecoveryCodes, useTotpDisable } from '../../api/auth';
import { ApiError } from '../../../shared/api/client';
import { CodeInput, isSixDigits } from '../../../shared/components/CodeInput';
import { queryKeys } from '../../../shared/query-keys';
import { RecoveryCodes } from '../../components/RecoveryCodes';
import type { Me } from '../../../shared/api/types';
import { notifySuccess } from '../../../shared/components/notify';
import { TotpEnrollment } from '../../components/TotpEnrollment';
import { FormErrorSummary, useServerForm } from '../../components/forms';

function DisableTotpModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const disable = useTotpDisable();
  const form = useServerForm();
  const [password, setPassword] = useState('');

  const close = () => {
    setPassword('');
    form.clear();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!password) return;
    void form.submit(() => disable.mutateAsync(password), { success: 'Two-factor authentication is off.', onSuccess: close });
  };

  return (
    <Modal opened={opened} onClose={close} title="Disable two-factor authentication" centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={form} title="Not disabled" />
          <Text size="sm">Enter your password to turn off codes from your authenticator app.</Text>
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            data-autofocus
            {...form.field('password')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" color="red" loading={form.saving} disabled={!password}>
              Disable
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/**
 * "Generate new recovery codes": asks for the current authentication code (not needed within a few
 * minutes of signing in), then shows the new set once. The old set stops working.
 */
function RegenerateCodesModal({ opened, onClose, email }: { opened: boolean; onClose: () => void; email: string }) {
  const qc = useQueryClient();
  const regenerate = useRegenerateRecoveryCodes();
  const form = useServerForm();
  const [code, setCode] = useState('');
  const close = () => {
    if (regenerate.data) void qc.invalidateQueries({ queryKey: queryKeys.me });
    setCode('');
    regenerate.reset();
    form.clear();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void form.submit(() => regenerate.mutateAsync(isSixDigits(code) ? code : undefined));
  };
  const needsCode = regenerate.error instanceof ApiError && regenerate.error.code === 'admins.reauthentication_required';
  return (
    <Modal opened={opened} onClose={close} title={regenerate.data ? 'New recovery codes' : 'Generate new recovery codes'} centered size="lg">
      {regenerate.data ? (
        <RecoveryCodes codes={regenerate.data.recoveryCodes} label={email} onDone={close} />
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <FormErrorSummary form={form} title="No new codes" />
            <Text size="sm">Your current recovery codes stop working, including any you have not used yet.</Text>
            <CodeInput value={code} onChange={setCode} error={needsCode && !isSixDigits(code) ? 'Enter the 6-digit code' : undefined} />
            <Text size="xs" c="dimmed">
              Not needed within five minutes of signing in.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={form.saving}>
                Generate
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

/** Two-factor authentication (TOTP) for the signed-in admin: set up, or disable unless required; its recovery codes. */
export function TwoFactorCard({ me }: { me: Me }) {
  const qc = useQueryClient();
  const [disabling, setDisabling] = useState(false);
  const [regenerating, setRegenerating] = useState(false);
  const [firstCodes, setFirstCodes] = useState<string[]>();
  const { totpEnabled } = me.admin;
  const required = me.settings.requireAdminTotp;
  const remaining = me.recoveryCodesRemaining ?? 0;

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
          <Text size="sm" data-testid="recovery-codes-remaining">
            Recovery codes: {remaining} of 10 left.
          </Text>
          {remaining <= 3 ? (
            <Alert color="yellow" p="xs">
              {remaining === 0 ? 'You have no recovery codes left.' : `Only ${remaining} recovery ${remaining === 1 ? 'code is' : 'codes are'} left.`} Generate
              new ones so that a lost phone does not lock you out.
            </Alert>
          ) : null}
          <Group>
            <Button variant="default" onClick={() => setRegenerating(true)}>
              Generate new recovery codes
            </Button>
          </Group>
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
          <TotpEnrollment
            onEnrolled={(_admin, codes) => {
              notifySuccess('Two-factor authentication is on.');
              setFirstCodes(codes);
            }}
            cancellable
          />
        </Stack>
      )}
      <DisableTotpModal opened={disabling} onClose={() => setDisabling(false)} />
      <RegenerateCodesModal opened={regenerating} onClose={() => setRegenerating(false)} email={me.admin.email} />
      <Modal
        opened={firstCodes !== undefined}
        onClose={() => undefined}
        withCloseButton={false}
        closeOnClickOutside={false}
        closeOnEscape={false}
        title="Your recovery codes"
        centered
        size="lg"
      >
        {firstCodes ? (
          <RecoveryCodes
            codes={firstCodes}
            label={me.admin.email}
            onDone={() => {
              setFirstCodes(undefined);
              void qc.invalidateQueries({ queryKey: queryKeys.me });
            }}
          />
        ) : null}
      </Modal>
    </Paper>
  );
}
