import { Alert, Anchor, Button, Center, Group, Loader, Stack } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { useBranding } from '../../shared/api/branding';
import { signInWithPasskey, signInWithPassword, useEmployeeSession, useSignInContext, verifySecondFactorKey, verifyTotp } from '../api/employee-sign-in';
import { ApiError } from '../../shared/api/client';
import { useReturnTo } from '../../shared/api/return-to';
import type { SecondFactor, SignedIn } from '../../shared/api/sign-in-types';
import { ceremonyErrorMessage, ceremonyErrorTitle, isCeremonyCancelled } from '../../shared/api/webauthn';
import { AuthCard } from '../../shared/components/AuthCard';
import { isPortalPage } from '../return-to';
import { FirstStep, type FirstStepBusy } from './FirstStep';
import { LostKeyStep } from './LostKeyStep';
import { SecondFactorStep } from './SecondFactorStep';
import { usePasskeyAutofill } from './use-passkey-autofill';
import { forgetMethod, knownMethodOf, readKnownMethods, refusedMethod, rememberMethod } from './known-methods';
import { queryKeys } from '../../shared/query-keys';

type Busy = FirstStepBusy | 'totp' | 'key';

/**
 * A closed prompt, a timeout and a key that holds no credential for this site all reach the page
 * as the same NotAllowedError (WebAuthn §13.4.7: the browser hides which, so that a site cannot
 * probe for credentials), so one sentence says both.
 */
const notUsedMessage = (noun: string) =>
  `The ${noun} prompt was closed, or this key is not registered for this account. Try again, try another ${noun === 'passkey' ? 'key or passkey' : 'key'}, or contact your IT team.`;

const isAccountDisabled = (error: unknown) => error instanceof ApiError && error.code === 'signin.account_disabled';

/**
 * The page every sign-in protocol sends employees to (`/signin?return_to=/path`). Passkeys first;
 * a password with a second factor only when the authenticator policy allows it.
 */
export function SignInPage() {
  const [params] = useSearchParams();
  // The server checks return_to (same-origin paths only) and the page goes where it says.
  const returnTo = useReturnTo(params.get('return_to'), 'portal');
  // "Sign in to <application>": the name the server matched for return_to, never the raw parameter.
  const context = useSignInContext(params.get('return_to'));
  const isSignedOut = params.get('signed_out') === '1';
  const [isLostKey, setLostKey] = useState(false);
  const navigate = useNavigate();
  const qc = useQueryClient();
  const branding = useBranding();
  const session = useEmployeeSession();
  const [secondFactor, setSecondFactor] = useState<SecondFactor[] | null>(null);
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<unknown>(null);
  const [leaving, setLeaving] = useState(false);
  const passwordAllowed = branding.data?.allowPasswordSignIn === true;
  // Device passkeys not allowed: every way in is a security key, and the page says so.
  const keyNoun = branding.data?.allowPlatform === true ? 'passkey' : 'security key';
  // The method this device knows for the address typed (known-methods.ts): learnt from a refusal
  // after a right first factor, never asked for an address.
  const [known, setKnown] = useState(readKnownMethods);
  const rawMethod = knownMethodOf(known, email);
  // A password-and-second-factor account on a server that allows no passwords has no path to hide.
  const method = rawMethod === 'password_2fa' && !passwordAllowed ? undefined : rawMethod;

  const leave = useCallback(
    (result?: SignedIn) => {
      setLeaving(true);
      // Nothing cached from before this sign-in may show on the portal.
      qc.removeQueries({ queryKey: queryKeys.portal.all });
      if (result) qc.setQueryData(queryKeys.employeeSession, result.employee);
    },
    [qc],
  );

  // Signed in, and the server has said where to: go there.
  useEffect(() => {
    if (!leaving || returnTo === undefined) return;
    if (isPortalPage(returnTo)) void navigate(returnTo, { replace: true });
    else window.location.assign(returnTo);
  }, [leaving, returnTo, navigate]);

  /** Shows why a step failed; a refusal that names the account's method also narrows the page to it. */
  const fail = useCallback((failure: unknown) => {
    setError(failure);
    const refused = refusedMethod(failure);
    if (refused) {
      setKnown((k) => rememberMethod(k, refused.email, refused.method));
      setEmail(refused.email);
    }
  }, []);

  const autofill = usePasskeyAutofill({
    // A passkey alone does not sign in a password-and-second-factor account: not offered either.
    enabled: session.data === null && secondFactor === null && !leaving && method !== 'password_2fa' && !isLostKey && !isAccountDisabled(error),
    onSignedIn: leave,
    onError: fail,
  });

  // Someone already signed in goes on at once.
  const signedIn = session.data;
  useEffect(() => {
    if (signedIn && !leaving) leave();
  }, [signedIn, leaving, leave]);

  /** Runs one step; on failure shows why and keeps the page as it was. */
  const attempt = async <T,>(what: Busy, action: () => Promise<T>, then: (result: T) => void, prompts = false) => {
    setBusy(what);
    setError(null);
    if (prompts) autofill.pause();
    try {
      then(await action());
    } catch (failure) {
      fail(failure);
      if (prompts) autofill.resume();
    } finally {
      setBusy(null);
    }
  };

  const onPasskey = () => attempt('passkey', () => signInWithPasskey(), leave, true);
  const onContinue = (address: string) => attempt('continue', () => signInWithPasskey({ email: address }), leave, true);
  const onPassword = (address: string, password: string) =>
    // A password is only the first step (POST /api/signin/password): a second factor always follows.
    attempt(
      'password',
      () => signInWithPassword(address, password),
      (result) => setSecondFactor(result.methods),
    );
  const onCode = (code: string) => attempt('totp', () => verifyTotp(code), leave);
  const onSecurityKey = () => attempt('key', verifySecondFactorKey, leave);
  const back = () => {
    setSecondFactor(null);
    setError(null);
  };

  if (session.isPending || signedIn || leaving) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Signing in" />
      </Center>
    );
  }

  const organisation = branding.data?.organisationName;
  const application = context.data?.name;
  const isDisabled = isAccountDisabled(error);
  const title = secondFactor ? 'Confirm it is you' : isLostKey ? 'Lost your key?' : application ? `Sign in to ${application}` : 'Sign in';
  const subtitle = secondFactor ? `Signing in as ${email.trim()}.` : isLostKey ? undefined : organisation ? `Use your ${organisation} account.` : undefined;
  const startOver = () => {
    setError(null);
    setEmail('');
  };
  return (
    <AuthCard brand="organisation" title={title} subtitle={subtitle}>
      <Stack>
        {isSignedOut && !error && !isLostKey ? (
          <Alert color="teal" title="You are signed out" role="status">
            You are signed out of {organisation ?? 'your account'} and the applications it signed you in to.
          </Alert>
        ) : null}
        {error ? (
          <Alert color="red" title={isCeremonyCancelled(error) ? 'Not signed in' : ceremonyErrorTitle(error)}>
            {isCeremonyCancelled(error) ? notUsedMessage(keyNoun) : ceremonyErrorMessage(error)}
          </Alert>
        ) : null}
        {isLostKey ? (
          <LostKeyStep keyNoun={keyNoun} email={email} onBack={() => setLostKey(false)} />
        ) : isDisabled ? (
          // A disabled account signs in with nothing: no key or password button to try again with.
          <Button variant="default" fullWidth onClick={startOver}>
            Use a different account
          </Button>
        ) : secondFactor ? (
          <SecondFactorStep
            methods={secondFactor}
            busy={busy === 'totp' || busy === 'key' ? busy : null}
            onCode={onCode}
            onSecurityKey={onSecurityKey}
            onBack={back}
          />
        ) : (
          <FirstStep
            passwordAllowed={passwordAllowed}
            keyNoun={keyNoun}
            busy={busy === 'passkey' || busy === 'continue' || busy === 'password' ? busy : null}
            email={email}
            onEmailChange={setEmail}
            onPasskey={onPasskey}
            onContinue={onContinue}
            onPassword={onPassword}
            method={method}
            onOtherWay={() => {
              setKnown((k) => forgetMethod(k, email));
              setError(null);
            }}
          />
        )}
        {!isLostKey && !secondFactor ? (
          <Group justify="center">
            <Anchor
              component="button"
              type="button"
              size="sm"
              onClick={() => {
                setError(null);
                setLostKey(true);
              }}
            >
              Lost your key?
            </Anchor>
          </Group>
        ) : null}
      </Stack>
    </AuthCard>
  );
}
