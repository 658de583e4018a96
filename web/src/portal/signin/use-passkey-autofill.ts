import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../../shared/api/client';
import { passkeyOptions, passkeyVerify } from '../api/employee-sign-in';
import type { SignedIn } from '../../shared/api/sign-in-types';
import { authenticate, browserSupportsWebAuthnAutofill, cancelCeremony } from '../../shared/api/webauthn';

/** The server's challenges last 5 minutes; a waiting autofill request is renewed before that. */
const RENEW_MS = 4 * 60_000;

/**
 * Conditional mediation (WebAuthn §5.1.4.1, "autofill"): while the page shows the e-mail field
 * (autocomplete="username webauthn"), the browser offers the employee's passkeys in its suggestions.
 * Picking one signs in without any button.
 *
 * A prompt the page opens itself (a button) replaces the waiting request; `pause()` marks that time
 * so that nothing cancels the prompt, and `resume()` starts a fresh autofill request afterwards.
 */
export function usePasskeyAutofill(opts: { enabled: boolean; onSignedIn: (result: SignedIn) => void; onError: (error: unknown) => void }) {
  const { enabled } = opts;
  const [round, setRound] = useState(0);
  const prompting = useRef(false);
  const callbacks = useRef(opts);
  callbacks.current = opts;

  useEffect(() => {
    if (!enabled) return undefined;
    let active = true;
    const run = async () => {
      if (!(await browserSupportsWebAuthnAutofill()) || !active || prompting.current) return;
      let ceremony;
      try {
        ceremony = await passkeyOptions();
      } catch {
        // The buttons will tell what is wrong with the server if the employee uses them.
        return;
      }
      if (!active || prompting.current) return;
      let response;
      try {
        response = await authenticate(ceremony, true);
      } catch {
        // Replaced by a prompt of our own, or autofill is unavailable after all: nothing to show.
        return;
      }
      if (!active) return;
      try {
        callbacks.current.onSignedIn(await passkeyVerify(ceremony.ceremonyId, response));
      } catch (error) {
        if (!active) return;
        callbacks.current.onError(error);
        // A refused passkey (unknown, disabled account...) leaves autofill ready for another one.
        if (error instanceof ApiError && error.status < 500 && error.code !== 'rate_limit.exceeded') setRound((r) => r + 1);
      }
    };
    void run();
    const renew = setTimeout(() => {
      if (!prompting.current) setRound((r) => r + 1);
    }, RENEW_MS);
    return () => {
      active = false;
      clearTimeout(renew);
      if (!prompting.current) cancelCeremony();
    };
  }, [enabled, round]);

  return {
    /** Before opening a prompt of our own. */
    pause: () => {
      prompting.current = true;
    },
    /** After it has ended, whatever the outcome. */
    resume: () => {
      prompting.current = false;
      setRound((r) => r + 1);
    },
  };
}
