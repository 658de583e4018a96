// Employee sign-in (POST /api/signin/...): passkeys with or without an e-mail, password + second factor.
import { useQuery } from '@tanstack/react-query';
import type { AuthenticationResponseJSON } from '@simplewebauthn/browser';
import { api, ApiError } from '../../shared/api/client';
import type { AuthenticationCeremony, EmployeeSummary, SecondFactorRequired, SignedIn } from '../../shared/api/sign-in-types';
import { authenticate } from '../../shared/api/webauthn';
import { queryKeys } from '../../shared/query-keys';

const open = { allowUnauthenticated: true } as const;

/** The signed-in employee, or null when nobody is. */
export function useEmployeeSession() {
  return useQuery({
    queryKey: queryKeys.employeeSession,
    queryFn: async ({ signal }): Promise<EmployeeSummary | null> => {
      try {
        return (await api<{ employee: EmployeeSummary }>('/api/signin/session', { ...open, signal })).employee;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 30_000,
  });
}

export const passkeyOptions = (email?: string) =>
  api<AuthenticationCeremony>('/api/signin/webauthn/options', { ...open, method: 'POST', body: email ? { email } : {} });

export const passkeyVerify = (ceremonyId: string, response: AuthenticationResponseJSON) =>
  api<SignedIn>('/api/signin/webauthn/verify', { ...open, method: 'POST', body: { ceremonyId, response } });

/** One passkey sign-in: options, the browser's prompt (or autofill), verification. */
export async function signInWithPasskey(opts: { email?: string; autofill?: boolean } = {}): Promise<SignedIn> {
  const ceremony = await passkeyOptions(opts.email);
  const response = await authenticate(ceremony, opts.autofill ?? false);
  return passkeyVerify(ceremony.ceremonyId, response);
}

export const signInWithPassword = (email: string, password: string) =>
  api<SecondFactorRequired>('/api/signin/password', { ...open, method: 'POST', body: { email, password } });

export const verifyTotp = (code: string) => api<SignedIn>('/api/signin/totp', { ...open, method: 'POST', body: { code } });

export async function verifySecondFactorKey(): Promise<SignedIn> {
  const ceremony = await api<AuthenticationCeremony>('/api/signin/second-factor/webauthn/options', { ...open, method: 'POST' });
  const response = await authenticate(ceremony);
  return api<SignedIn>('/api/signin/second-factor/webauthn/verify', { ...open, method: 'POST', body: { ceremonyId: ceremony.ceremonyId, response } });
}

export type SignInContext = { name: string; protocol: 'oidc' | 'saml' | 'wsfed' } | null;

/**
 * The application a sign-in is for (GET /api/signin/context): the server looks up the pending
 * SAML, WS-Fed or OIDC request that `return_to` resumes and answers its registered name, or null.
 */
export function useSignInContext(returnTo: string | null) {
  return useQuery({
    queryKey: ['signin-context', returnTo] as const,
    queryFn: async ({ signal }): Promise<SignInContext> =>
      (await api<{ application: SignInContext }>('/api/signin/context', { ...open, query: { return_to: returnTo }, signal })).application,
    enabled: !!returnTo,
    staleTime: Infinity,
    retry: false,
  });
}

/** "Lost your key?": tells the admins (POST /api/signin/lost-key); the same answer for any address. */
export const reportLostKey = (email: string) => api<{ status: 'received' }>('/api/signin/lost-key', { ...open, method: 'POST', body: { email } });
