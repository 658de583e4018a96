import { Alert, Anchor, Button, Center, Group, Loader, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { useLogin, useLoginTotp, useMe, useSetupStatus } from '../../api/auth';
import { ApiError, errorMessage } from '../../api/client';
import { AuthCard } from '../../components/AuthCard';
import { CodeInput, isSixDigits } from '../../components/CodeInput';

/** Only same-site paths are accepted as a return address. */
export function safeNext(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') ? value : '/';
}

function errorTitle(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'auth.account_locked') return 'Account locked';
    if (error.code === 'rate_limit.exceeded') return 'Too many attempts';
    if (error.code === 'auth.invalid_totp') return 'Invalid code';
  }
  return 'Sign-in failed';
}

export function LoginPage() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const navigate = useNavigate();
  const qc = useQueryClient();
  const me = useMe();
  const setupStatus = useSetupStatus();
  const login = useLogin();
  const loginTotp = useLoginTotp();
  const [step, setStep] = useState<'password' | 'totp'>('password');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [submitted, setSubmitted] = useState(false);

  if (me.isPending || setupStatus.isPending) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (me.data && !login.isPending && !loginTotp.isPending) return <Navigate to={next} replace />;
  if (setupStatus.data?.needsSetup) return <Navigate to="/setup" replace />;

  const signedIn = () => {
    // Forget anything cached for a previous session before the console loads.
    qc.removeQueries();
    navigate(next, { replace: true });
  };

  const submitPassword = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!email.trim() || !password) return;
    login.mutate(
      { email: email.trim(), password },
      {
        onSuccess: (result) => {
          setSubmitted(false);
          if (result.status === 'ok') signedIn();
          else if (result.status === 'totp_required') setStep('totp');
          else navigate(`/login/totp-setup${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`, { replace: true });
        },
      },
    );
  };

  const submitCode = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!isSixDigits(code)) return;
    loginTotp.mutate(code, { onSuccess: signedIn });
  };

  const backToPassword = () => {
    setStep('password');
    setCode('');
    setPassword('');
    setSubmitted(false);
    loginTotp.reset();
    login.reset();
  };

  const activeError = step === 'password' ? login.error : loginTotp.error;

  return (
    <AuthCard
      title="Sign in"
      subtitle={step === 'password' ? 'Tessera admin console' : 'Enter the code from your authenticator app.'}
    >
      <Stack>
        {params.get('expired') && step === 'password' && !activeError ? (
          <Alert color="yellow">Your session has expired. Sign in again to continue.</Alert>
        ) : null}
        {activeError ? (
          <Alert color="red" title={errorTitle(activeError)}>
            {errorMessage(activeError)}
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
              <Button type="submit" loading={login.isPending} fullWidth>
                Sign in
              </Button>
            </Stack>
          </form>
        ) : (
          <form onSubmit={submitCode} noValidate>
            <Stack>
              <CodeInput
                value={code}
                onChange={setCode}
                error={submitted && !isSixDigits(code) ? 'Enter the 6-digit code' : undefined}
              />
              <Button type="submit" loading={loginTotp.isPending} fullWidth>
                Verify
              </Button>
              <Group justify="center">
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
