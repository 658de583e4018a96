import { Alert, Center, Loader, Stack } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { useBranding } from '../../shared/api/branding';
import { signInWithPasskey, signInWithPassword, useEmployeeSession, verifySecondFactorKey, verifyTotp } from '../api/employee-sign-in';
import { useReturnTo } from '../../shared/api/return-to';
import type { SecondFactor, SignedIn } from '../../shared/api/sign-in-types';
import { ceremonyErrorMessage, ceremonyErrorTitle } from '../../shared/api/webauthn';
import { AuthCard } from '../../shared/components/AuthCard';
import { isPortalPage } from '../return-to';
import { FirstStep, type FirstStepBusy } from './FirstStep';
import { SecondFactorStep } from './SecondFactorStep';
import { usePasskeyAutofill } from './use-passkey-autofill';
import { forgetMethod, knownMethodOf, readKnownMethods, refusedMethod, rememberMethod } from './known-methods';
import { queryKeys } from '../../shared/query-keys';

type Busy = FirstStepBusy | 'totp' | 'key';

/**
 * The page every sign-in protocol sends employees to (`/signin?return_to=/path`). Passkeys first;
 * a password with a second factor only when the authenticator policy allows it.
 */
export function SignInPage() {
  const [params] = useSearchParams();
  // The server checks return_to (same-origin paths only) and the page goes where it says.
  const returnTo = useReturnTo(params.get('return_to'), 'portal');
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
    enabled: session.data === null && secondFactor === null && !leaving && method !== 'password_2fa',
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
  return (
    <AuthCard
      brand="organisation"
      title={secondFactor ? 'Confirm it is you' : 'Sign in'}
      subtitle={secondFactor ? `Signing in as ${email.trim()}.` : organisation ? `Use your ${organisation} account.` : undefined}
    >
      <Stack>
        {error ? (
          <Alert color="red" title={ceremonyErrorTitle(error)}>
            {ceremonyErrorMessage(error)}
          </Alert>
        ) : null}
        {secondFactor ? (
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
      </Stack>
    </AuthCard>
  );
}
