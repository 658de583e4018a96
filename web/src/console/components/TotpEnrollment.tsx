import { Button, Group, Stack } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTotpConfirm, useTotpSetup } from '../api/auth';
import type { Admin } from '../../shared/api/types';
import { CodeInput, isSixDigits } from '../../shared/components/CodeInput';
import { TotpSecret } from '../../shared/components/TotpSecret';
import { FormErrorSummary, useServerForm } from './forms';

export interface TotpEnrollmentProps {
  /** TOTP is on; `recoveryCodes` is the first set, which the caller shows once (RecoveryCodes). */
  onEnrolled: (admin: Admin, recoveryCodes: string[]) => void;
  /** Show a "Cancel" button that goes back to the "Set up authenticator app" button. */
  cancellable?: boolean;
}

/**
 * "Set up authenticator app": asks the server for a new secret, shows it as a QR code and as text
 * ("Secret key"), then confirms with a first code ("Authentication code" + "Verify").
 */
export function TotpEnrollment({ onEnrolled, cancellable = false }: TotpEnrollmentProps) {
  const setup = useTotpSetup();
  const confirm = useTotpConfirm();
  const form = useServerForm();
  const [code, setCode] = useState('');
  const [touched, setTouched] = useState(false);

  if (!setup.data) {
    return (
      <Stack>
        <FormErrorSummary form={form} title="Could not start the set-up" />
        <Group>
          <Button onClick={() => void form.submit(() => setup.mutateAsync())} loading={form.saving}>
            Set up authenticator app
          </Button>
        </Group>
      </Stack>
    );
  }

  const { secret, qrDataUrl } = setup.data;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!isSixDigits(code)) return;
    void form.submit(() => confirm.mutateAsync(code), { onSuccess: (result) => onEnrolled(result.admin, result.recoveryCodes) });
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TotpSecret secret={secret} qrDataUrl={qrDataUrl} />
        <FormErrorSummary form={form} title="Not verified" />
        <CodeInput value={code} onChange={setCode} error={touched && !isSixDigits(code) ? 'Enter the 6-digit code' : undefined} />
        <Group>
          <Button type="submit" loading={form.saving}>
            Verify
          </Button>
          {cancellable ? (
            <Button
              variant="default"
              onClick={() => {
                setup.reset();
                confirm.reset();
                form.clear();
                setCode('');
                setTouched(false);
              }}
            >
              Cancel
            </Button>
          ) : null}
        </Group>
      </Stack>
    </form>
  );
}
