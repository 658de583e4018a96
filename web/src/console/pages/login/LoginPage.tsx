import { Alert, Anchor, Button, Center, Divider, Group, Loader, PasswordInput, Stack, TextInput } from '@mantine/core';
import { IconFingerprint } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { usePasskeyLogin } from '../../api/admin-passkeys';
import { useLogin, useLoginRecoveryCode, useLoginTotp, useMe, useSetupStatus } from '../../api/auth';
import { ApiError, errorMessage } from '../../../shared/api/client';
import { useReturnTo } from '../../../shared/api/return-to';
import type { LoginResult } from '../../../shared/api/types';
import { ceremonyErrorMessage, isCeremonyCancelled } from '../../../shared/api/webauthn';
import { AuthCard } from '../../../shared/components/AuthCard';
import { CodeInput, isSixDigits } from '../../../shared/components/CodeInput';

function errorTitle(error: unknown): string {
  if (isCeremonyCancelled(error)) return 'Cancelled';
  if (error instanceof ApiError) {
    if (error.code === 'rate_limit.exceeded') return 'Too many attempts';
    if (error.code === 'auth.invalid_totp' || error.code === 'auth.invalid_recovery_code') return 'Invalid code';
  }
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
    login.mutate({ email: email.trim(), password }, { onSuccess: afterFirstStep });
  };

  const signInWithPasskey = () => {
    login.reset();
    passkeyLogin.mutate(undefined, { onSuccess: afterFirstStep });
  };

  const submitCode = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!isSixDigits(code)) return;
    loginTotp.mutate(code, { onSuccess: signedIn });
  };

  const submitRecoveryCode = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!recoveryCode.trim()) return;
    loginRecovery.mutate(recoveryCode, { onSuccess: signedIn });
  };

  /** Between the authenticator code and a recovery code, at the second step. */
  const switchSecondFactor = (to: 'totp' | 'recovery') => {
    setStep(to);
    setSubmitted(false);
    loginTotp.reset();
    loginRecovery.reset();
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
  };

  const activeError = step === 'password' ? (login.error ?? passkeyLogin.error) : step === 'totp' ? loginTotp.error : loginRecovery.error;
  const subtitle = {
    password: 'Tessera admin console',
    totp: 'Enter the code from your authenticator app.',
    recovery: 'Enter one of the recovery codes you saved when you set up your authenticator app.',
  }[step];
  const activeMessage = activeError === passkeyLogin.error ? ceremonyErrorMessage(activeError) : errorMessage(activeError);

  return (
    <AuthCard title="Sign in" subtitle={subtitle}>
      <Stack>
        {params.get('expired') && step === 'password' && !activeError ? (
          <Alert color="yellow">Your session has expired. Sign in again to continue.</Alert>
        ) : null}
        {activeError ? (
          <Alert color="red" title={errorTitle(activeError)}>
            {activeMessage}
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
                error={submitted && !email.trim() ? 'Enter your e-mail address' : undefined}
                autoFocus
              />
              <PasswordInput
                label="Password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={submitted && !password ? 'Enter your password' : undefined}
              />
              <Button type="submit" loading={login.isPending} disabled={passkeyLogin.isPending} fullWidth>
                Sign in
              </Button>
              <Divider label="or" labelPosition="center" />
              <Button
                variant="default"
                leftSection={<IconFingerprint size={18} />}
                onClick={signInWithPasskey}
                loading={passkeyLogin.isPending}
                disabled={login.isPending}
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
                error={submitted && !recoveryCode.trim() ? 'Enter a recovery code' : undefined}
                styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                autoFocus
              />
              <Button type="submit" loading={loginRecovery.isPending} fullWidth>
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
              <Button type="submit" loading={loginTotp.isPending} fullWidth>
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
