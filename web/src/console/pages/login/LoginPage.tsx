import { Alert, Anchor, Button, Center, Divider, Group, Loader, PasswordInput, Stack, TextInput } from '@mantine/core';
import { IconFingerprint } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { usePasskeyLogin } from '../../api/admin-passkeys';
import { useLogin, useLoginRecoveryCode, useLoginTotp, useMe, useSetupStatus } from '../../api/auth';
import { ApiError } from '../../../shared/api/client';
import { useReturnTo } from '../../../shared/api/return-to';
import type { LoginResult } from '../../../shared/api/types';
import { ceremonyErrorMessage, isCeremonyCancelled } from '../../../shared/api/webauthn';
import { AuthCard } from '../../../shared/components/AuthCard';
import { CodeInput, isSixDigits } from '../../../shared/components/CodeInput';
import { FormErrorSummary, useServerForm } from '../../components/forms';

function errorTitle(error: unknown): string {
  if (isCeremonyCancelled(error)) return 'Cancelled';
  return error instanceof ApiError ? codeTitle(error.code) : 'Sign-in failed';
}

function codeTitle(code: string | null | undefined): string {
  if (code === 'rate_limit.exceeded') return 'Too many attempts';
  if (code === 'auth.invalid_totp' || code === 'auth.invalid_recovery_code') return 'Invalid code';
  return 'Sign-in failed';
}

export function LoginPage() {
  const [params] = useSearchParams();
  // Where to after signing in: the server checks `next` and the page goes where it says.
  const next = useReturnTo(params.get('next'), 'console');
  const navigate = useNavigate();
  const qc = useQueryClient();
  const me = useMe();
  const setupStatus = useSetupStatus();
  const login = useLogin();
  const loginTotp = useLoginTotp();
  const loginRecovery = useLoginRecoveryCode();
  const passkeyLogin = usePasskeyLogin();
  // Password, code and recovery code: one form at a time, so one form state. Wrong credentials
  // come back with no field (the answer must not tell which part was wrong): the summary says it.
  const form = useServerForm();
  const [step, setStep] = useState<'password' | 'totp' | 'recovery'>('password');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [recoveryCode, setRecoveryCode] = useState('');
  const [submitted, setSubmitted] = useState(false);

  if (me.isPending || setupStatus.isPending || next === undefined) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (me.data && !login.isPending && !loginTotp.isPending && !loginRecovery.isPending && !passkeyLogin.isPending) return <Navigate to={next} replace />;
  if (setupStatus.data?.needsSetup) return <Navigate to="/setup" replace />;

  const signedIn = () => {
    // Forget anything cached for a previous session before the console loads.
    qc.removeQueries();
    navigate(next, { replace: true });
  };

  const afterFirstStep = (result: LoginResult) => {
    setSubmitted(false);
    if (result.status === 'ok') signedIn();
    else if (result.status === 'totp_required') setStep('totp');
    else navigate(`/login/totp-setup${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`, { replace: true });
  };

  const submitPassword = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    passkeyLogin.reset();
    if (!email.trim() || !password) return;
    void form.submit(() => login.mutateAsync({ email: email.trim(), password }), { onSuccess: afterFirstStep });
  };

  const signInWithPasskey = () => {
    login.reset();
    form.clear();
    passkeyLogin.mutate(undefined, { onSuccess: afterFirstStep });
  };

  const submitCode = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!isSixDigits(code)) return;
    void form.submit(() => loginTotp.mutateAsync(code), { onSuccess: signedIn });
  };

  const submitRecoveryCode = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!recoveryCode.trim()) return;
    void form.submit(() => loginRecovery.mutateAsync(recoveryCode), { onSuccess: signedIn });
  };

  /** Between the authenticator code and a recovery code, at the second step. */
  const switchSecondFactor = (to: 'totp' | 'recovery') => {
    setStep(to);
    setSubmitted(false);
    loginTotp.reset();
    loginRecovery.reset();
    form.clear();
  };

  const backToPassword = () => {
    setStep('password');
    setCode('');
    setRecoveryCode('');
    loginRecovery.reset();
    setPassword('');
    setSubmitted(false);
    loginTotp.reset();
    login.reset();
    form.clear();
  };

  // A passkey ceremony is no form: its failure (cancelled, no key) keeps its own banner.
  const passkeyError = step === 'password' && !form.failure ? passkeyLogin.error : null;
  const subtitle = {
    password: 'Tessera admin console',
    totp: 'Enter the code from your authenticator app.',
    recovery: 'Enter one of the recovery codes you saved when you set up your authenticator app.',
  }[step];

  return (
    <AuthCard title="Sign in" subtitle={subtitle}>
      <Stack>
        {params.get('expired') && step === 'password' && !form.failure && !passkeyError ? (
          <Alert color="yellow">Your session has expired. Sign in again to continue.</Alert>
        ) : null}
        <FormErrorSummary form={form} title={codeTitle(form.failure?.code)} />
        {passkeyError ? (
          <Alert color="red" title={errorTitle(passkeyError)}>
            {ceremonyErrorMessage(passkeyError)}
          </Alert>
        ) : null}
        {step === 'password' ? (
          <form onSubmit={submitPassword} noValidate>
            <Stack>
              <TextInput
                label="Email"
                type="email"
                autoComplete="username"
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
                autoFocus
                {...form.field('email', submitted && !email.trim() ? 'Enter your e-mail address' : undefined)}
              />
              <PasswordInput
                label="Password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                {...form.field('password', submitted && !password ? 'Enter your password' : undefined)}
              />
              <Button type="submit" loading={form.saving} disabled={passkeyLogin.isPending} fullWidth>
                Sign in
              </Button>
              <Divider label="or" labelPosition="center" />
              <Button
                variant="default"
                leftSection={<IconFingerprint size={18} />}
                onClick={signInWithPasskey}
                loading={passkeyLogin.isPending}
                disabled={form.saving}
                fullWidth
              >
                Sign in with a passkey
              </Button>
            </Stack>
          </form>
        ) : step === 'recovery' ? (
          <form onSubmit={submitRecoveryCode} noValidate>
            <Stack>
              <TextInput
                label="Recovery code"
                description="Each code works once."
                placeholder="xxxxx-xxxxx"
                autoComplete="off"
                spellCheck={false}
                value={recoveryCode}
                onChange={(e) => setRecoveryCode(e.currentTarget.value)}
                {...form.field('code', submitted && !recoveryCode.trim() ? 'Enter a recovery code' : undefined)}
                styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                autoFocus
              />
              <Button type="submit" loading={form.saving} fullWidth>
                Verify
              </Button>
              <Group justify="space-between">
                <Anchor component="button" type="button" size="sm" onClick={() => switchSecondFactor('totp')}>
                  Use your authenticator app
                </Anchor>
                <Anchor component="button" type="button" size="sm" onClick={backToPassword}>
                  Use a different account
                </Anchor>
              </Group>
            </Stack>
          </form>
        ) : (
          <form onSubmit={submitCode} noValidate>
            <Stack>
              <CodeInput value={code} onChange={setCode} error={submitted && !isSixDigits(code) ? 'Enter the 6-digit code' : undefined} />
              <Button type="submit" loading={form.saving} fullWidth>
                Verify
              </Button>
              <Group justify="space-between">
                <Anchor component="button" type="button" size="sm" onClick={() => switchSecondFactor('recovery')}>
                  Use a recovery code instead
                </Anchor>
                <Anchor component="button" type="button" size="sm" onClick={backToPassword}>
                  Use a different account
                </Anchor>
              </Group>
            </Stack>
          </form>
        )}
      </Stack>
    </AuthCard>
  );
}
