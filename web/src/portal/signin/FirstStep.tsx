import { Anchor, Button, Divider, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { IconFingerprint } from '@tabler/icons-react';
import { useRef, useState, type FormEvent } from 'react';
import type { KnownMethod } from './known-methods';

export type FirstStepBusy = 'passkey' | 'continue' | 'password' | null;

export interface FirstStepProps {
  passwordAllowed: boolean;
  busy: FirstStepBusy;
  email: string;
  onEmailChange: (email: string) => void;
  onPasskey: () => void;
  onContinue: (email: string) => void;
  onPassword: (email: string, password: string) => void;
  /** The method this device knows for the address typed (known-methods.ts): only its path is offered. */
  method?: KnownMethod;
  /** "Use another way": forget the method known for this address and offer every path again. */
  onOtherWay: () => void;
  /** What the policy lets employees sign in with: "passkey" (device passkeys allowed) or "security key" (hardware keys only). */
  keyNoun: 'passkey' | 'security key';
}

/**
 * "Sign in with a passkey" (or "with a security key" when the policy allows hardware keys only; username-less), or the e-mail address then "Continue" (that employee's
 * passkeys) or, when the policy allows it, "Password" and "Sign in". The e-mail field also offers
 * the browser's passkey suggestions (autocomplete="username webauthn"). Once this device knows the
 * account's SSO method for the address typed, only that method's path is shown (known-methods.ts).
 */
export function FirstStep(props: FirstStepProps) {
  const { busy, email, method } = props;
  // Passwordless: no password path. Password and a second factor: no passkey alone (the key is the
  // second factor after the password). The server refuses the other path anyway.
  const passwordAllowed = props.passwordAllowed && method !== 'passwordless';
  const passkeyOffered = method !== 'password_2fa';
  const [password, setPassword] = useState('');
  const [submitted, setSubmitted] = useState<'continue' | 'password' | null>(null);
  const passwordField = useRef<HTMLInputElement>(null);
  const trimmed = email.trim();

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter?.getAttribute('name');
    // Enter in the password field submits with the form's first button ("Continue"): it means "Sign in".
    const wantsPassword =
      passwordAllowed && (!passkeyOffered || submitter === 'password' || (document.activeElement === passwordField.current && password !== ''));
    setSubmitted(wantsPassword ? 'password' : 'continue');
    if (!trimmed) return;
    if (wantsPassword) {
      if (password) props.onPassword(trimmed, password);
    } else {
      props.onContinue(trimmed);
    }
  };

  return (
    <Stack>
      {passkeyOffered ? (
        <>
          <Button
            size="md"
            fullWidth
            leftSection={<IconFingerprint size={20} />}
            onClick={props.onPasskey}
            loading={busy === 'passkey'}
            disabled={busy !== null && busy !== 'passkey'}
          >
            Sign in with a {props.keyNoun}
          </Button>
          <Divider label="or with your e-mail address" labelPosition="center" />
        </>
      ) : null}
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label="Email"
            type="email"
            name="username"
            autoComplete="username webauthn"
            value={email}
            onChange={(e) => props.onEmailChange(e.currentTarget.value)}
            error={submitted && !trimmed ? 'Enter your e-mail address' : undefined}
          />
          {method ? (
            <Text size="sm" data-testid="known-method">
              {method === 'passwordless'
                ? `This account signs in with a ${props.keyNoun === 'passkey' ? 'passkey or security key' : 'security key'} only.`
                : 'This account signs in with its password and a second factor.'}{' '}
              <Anchor component="button" type="button" size="sm" onClick={props.onOtherWay}>
                Use another way
              </Anchor>
            </Text>
          ) : null}
          {passkeyOffered ? (
            <Button type="submit" name="continue" variant="light" fullWidth loading={busy === 'continue'} disabled={busy !== null && busy !== 'continue'}>
              Continue
            </Button>
          ) : null}
          {passwordAllowed ? (
            <>
              {passkeyOffered ? (
                <Text size="sm" c="dimmed">
                  Or sign in with your password and a second factor.
                </Text>
              ) : null}
              <PasswordInput
                ref={passwordField}
                label="Password"
                autoComplete="current-password"
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={submitted === 'password' && !password ? 'Enter your password' : undefined}
              />
              <Button type="submit" name="password" fullWidth loading={busy === 'password'} disabled={busy !== null && busy !== 'password'}>
                Sign in
              </Button>
            </>
          ) : null}
        </Stack>
      </form>
    </Stack>
  );
}
