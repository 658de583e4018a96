import { Alert, Button, Group, Loader, Modal, Stack } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useTotpConfirm, useTotpOptions } from '../api/portal';
import { ceremonyErrorMessage } from '../../shared/api/webauthn';
import { CodeInput, isSixDigits } from '../../shared/components/CodeInput';
import { notifySuccess } from '../../shared/components/notify';
import { TotpSecret } from '../../shared/components/TotpSecret';

/** A new authenticator app secret: scan it, confirm with a code; the old app stops working then. */
export function ResetTotpDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const options = useTotpOptions();
  const confirm = useTotpConfirm();
  const [code, setCode] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const { mutate: requestSecret, reset: resetOptions } = options;
  const { reset: resetConfirm } = confirm;

  useEffect(() => {
    if (opened) {
      setCode('');
      setSubmitted(false);
      resetConfirm();
      requestSecret();
    } else {
      resetOptions();
    }
  }, [opened, requestSecret, resetOptions, resetConfirm]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!isSixDigits(code)) return;
    confirm.mutate(code, {
      onSuccess: () => {
        notifySuccess('Your authenticator app was reset.');
        onClose();
      },
    });
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Reset authenticator app" centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          {options.isPending ? <Loader size="sm" aria-label="Preparing a new secret" /> : null}
          {options.isError ? <Alert color="red">{ceremonyErrorMessage(options.error)}</Alert> : null}
          {options.data ? <TotpSecret secret={options.data.secret} qrDataUrl={options.data.qrDataUrl} /> : null}
          <CodeInput value={code} onChange={setCode} error={submitted && !isSixDigits(code) ? 'Enter the 6-digit code' : undefined} autoFocus={false} />
          {confirm.isError ? <Alert color="red">{ceremonyErrorMessage(confirm.error)}</Alert> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={confirm.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={confirm.isPending} disabled={!options.data}>
              Verify
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
