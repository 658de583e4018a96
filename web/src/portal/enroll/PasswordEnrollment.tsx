import { Alert, Button, Group, Loader, PasswordInput, Stack } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { enrollTotpOptions, enrollWithPassword } from '../api/enroll';
import { ceremonyErrorMessage } from '../../shared/api/webauthn';
import { CodeInput, isSixDigits } from '../../shared/components/CodeInput';
import { TotpSecret } from '../../shared/components/TotpSecret';

export const MIN_PASSWORD_LENGTH = 12;

export function passwordError(password: string): string | undefined {
  if (!password) return 'Choose a password';
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters`;
  return undefined;
}

/** "Password", "Confirm password", the authenticator app's secret and a first code, then "Finish". */
export function PasswordEnrollment({ token, onDone }: { token: string; onDone: () => void }) {
  const options = useMutation({ mutationFn: () => enrollTotpOptions(token) });
  const finish = useMutation({ mutationFn: (input: { password: string; code: string }) => enrollWithPassword(token, input.password, input.code) });
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [code, setCode] = useState('');
  const [submitted, setSubmitted] = useState(false);

  const { mutate: requestSecret } = options;
  useEffect(() => requestSecret(), [requestSecret]);

  const errors = {
    password: passwordError(password),
    confirm: confirm !== password ? 'Passwords do not match' : undefined,
    code: isSixDigits(code) ? undefined : 'Enter the 6-digit code',
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (errors.password || errors.confirm || errors.code || !options.data) return;
    finish.mutate({ password, code }, { onSuccess: onDone });
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Password and authenticator app">
      <Stack>
        <PasswordInput
          label="Password"
          description={`At least ${MIN_PASSWORD_LENGTH} characters.`}
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={submitted ? errors.password : undefined}
          data-autofocus
        />
        <PasswordInput
          label="Confirm password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.currentTarget.value)}
          error={submitted ? errors.confirm : undefined}
        />
        {options.isPending ? <Loader size="sm" aria-label="Preparing your authenticator app secret" /> : null}
        {options.isError ? (
          <Alert color="red" title="Could not prepare the authenticator app">
            {ceremonyErrorMessage(options.error)}
            <div>
              <Button size="xs" variant="subtle" mt="xs" onClick={() => options.mutate()}>
                Retry
              </Button>
            </div>
          </Alert>
        ) : null}
        {options.data ? <TotpSecret secret={options.data.secret} qrDataUrl={options.data.qrDataUrl} /> : null}
        <CodeInput value={code} onChange={setCode} error={submitted ? errors.code : undefined} autoFocus={false} />
        {finish.isError ? (
          <Alert color="red" title="Could not finish">
            {ceremonyErrorMessage(finish.error)}
          </Alert>
        ) : null}
        <Group>
          <Button type="submit" loading={finish.isPending} disabled={!options.data}>
            Finish
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
