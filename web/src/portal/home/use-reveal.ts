import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../shared/api/client';
import type { RevealAnswer, RevealField } from '../../shared/api/vault-types';
import { ceremonyErrorMessage, isCeremonyCancelled } from '../../shared/api/webauthn';
import { queryKeys } from '../../shared/query-keys';
import { revealField } from '../api/vault';

/** How long a password or notes stay on the screen after the passkey check. */
export const SHOWN_FOR_MS = 30_000;
/** How long the clipboard keeps a copied password (cleared then, if it still holds it). */
export const CLIPBOARD_MS = 30_000;

export type Revealed = { field: 'password' | 'notes'; value: string; hideAt: number } | { field: 'otp'; otp: NonNullable<RevealAnswer['otp']> };

export interface RevealProblem {
  title: string;
  message: string;
}

const WHAT: Record<RevealField, string> = { password: 'password', notes: 'notes', otp: 'code' };

/** Words for a check that did not open the value: cancelled, refused, or the account gone. */
export function revealProblem(error: unknown, field: RevealField): RevealProblem {
  const what = WHAT[field];
  if (isCeremonyCancelled(error)) {
    return {
      title: 'Passkey check cancelled',
      message: `The passkey check was closed, timed out, or your key could not confirm your PIN or fingerprint, so the ${what} was not shown. Try again when you are ready.`,
    };
  }
  if (error instanceof ApiError) {
    if (error.code === 'vault.account_not_found')
      return { title: 'Account no longer available', message: 'This account was removed or is no longer shared with you.' };
    if (error.code === 'vault.no_passkey') return { title: 'No passkey yet', message: error.message };
    if (error.code === 'vault.field_empty') return { title: 'Nothing stored', message: `This account has no ${what} stored.` };
    if (error.code === 'vault.reveal_refused') return { title: 'Passkey check failed', message: `${error.message}. The ${what} was not shown.` };
    if (error.code === 'webauthn.verification_failed')
      return {
        title: 'Passkey check failed',
        message: `Your passkey could not be verified (it must confirm you with your PIN or fingerprint, not a touch alone). The ${what} was not shown.`,
      };
  }
  return { title: 'Passkey check failed', message: `${ceremonyErrorMessage(error)} The ${what} was not shown.` };
}

/**
 * Reveal, copy and live OTP codes of one account, each after its own passkey check. What was
 * revealed lives in this component's state only (never the query cache, local or session storage)
 * and goes away after SHOWN_FOR_MS, when the OTP codes run out, when the tab is hidden, or on Hide.
 */
export function useReveal(accountId: string) {
  const qc = useQueryClient();
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const [pending, setPending] = useState<{ field: RevealField; purpose: 'reveal' | 'copy' } | null>(null);
  const [problem, setProblem] = useState<RevealProblem | null>(null);
  const [copied, setCopied] = useState<RevealField | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const mounted = useRef(true);

  const hide = useCallback(() => setRevealed(null), []);

  // The clock of the countdowns; it runs only while something is shown.
  useEffect(() => {
    if (!revealed) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [revealed]);

  useEffect(() => {
    if (!revealed) return;
    const end = revealed.field === 'otp' ? Date.parse(revealed.otp.next.validUntil) : revealed.hideAt;
    if (now >= end) setRevealed(null);
  }, [now, revealed]);

  // Another tab, a locked phone: nothing stays on the screen behind the employee's back.
  useEffect(() => {
    const away = () => {
      if (document.visibilityState === 'hidden') setRevealed(null);
    };
    document.addEventListener('visibilitychange', away);
    return () => document.removeEventListener('visibilitychange', away);
  }, []);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = async (field: RevealField, purpose: 'reveal' | 'copy') => {
    setPending({ field, purpose });
    setProblem(null);
    setCopied(null);
    setRevealed(null);
    let answer: RevealAnswer;
    try {
      answer = await revealField(accountId, field, purpose);
    } catch (error) {
      if (!mounted.current) return;
      setProblem(revealProblem(error, field));
      if (error instanceof ApiError && error.code === 'vault.account_not_found') void qc.invalidateQueries({ queryKey: queryKeys.portal.vaultAccounts });
      setPending(null);
      return;
    }
    if (!mounted.current) return;
    setPending(null);
    setNow(Date.now());
    if (answer.field === 'otp' && answer.otp) {
      setRevealed({ field: 'otp', otp: answer.otp });
      return;
    }
    const value = answer.value ?? '';
    if (purpose === 'copy' && field !== 'otp') {
      try {
        await navigator.clipboard.writeText(value);
        setCopied(field);
        // Cleared later if the clipboard still holds it (not when the employee copied something else since).
        window.setTimeout(() => {
          void navigator.clipboard
            .readText()
            .then((held) => (held === value ? navigator.clipboard.writeText('') : undefined))
            .catch(() => undefined);
        }, CLIPBOARD_MS);
        return;
      } catch {
        setProblem({
          title: 'Could not copy',
          message: 'This browser did not let the page use the clipboard. The value is shown instead: select it to copy it.',
        });
      }
    }
    if (field !== 'otp') setRevealed({ field, value, hideAt: Date.now() + SHOWN_FOR_MS });
  };

  return {
    revealed,
    pending,
    problem,
    copied,
    now,
    hide,
    dismissProblem: () => setProblem(null),
    reveal: (field: RevealField) => void run(field, 'reveal'),
    copy: (field: 'password' | 'notes') => void run(field, 'copy'),
  };
}
