// Enrolment by invitation token (GET/POST /api/enroll/:token/...) and activation of a reserved hardware key.
import { useQuery } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { ResponseOf } from '../../shared/api/contract';
import type { Credential, CredentialKind, Invitation, RegistrationCeremony } from '../../shared/api/sign-in-types';
import type { TotpSetup } from '../../shared/api/types';
import { register } from '../../shared/api/webauthn';
import { queryKeys } from '../../shared/query-keys';

const open = { allowUnauthenticated: true } as const;
const base = (token: string) => `/api/enroll/${encodeURIComponent(token)}`;

export function useInvitation(token: string) {
  return useQuery({
    queryKey: queryKeys.enroll(token),
    queryFn: ({ signal }) => api<Invitation>(base(token), { ...open, signal }),
    enabled: token !== '',
    // The invitation is spent by enrolling: asking again would only say "already used".
    staleTime: Infinity,
    retry: false,
  });
}

export async function enrollWithWebAuthn(token: string, kind: CredentialKind, name: string): Promise<Credential> {
  const ceremony = await api<RegistrationCeremony>(`${base(token)}/webauthn/options`, { ...open, method: 'POST', body: { kind } });
  const response = await register(ceremony);
  const result = await api<{ credential: Credential }>(`${base(token)}/webauthn/verify`, {
    ...open,
    method: 'POST',
    body: { ceremonyId: ceremony.ceremonyId, response, name },
  });
  return result.credential;
}

export const enrollTotpOptions = (token: string) => api<TotpSetup>(`${base(token)}/totp/options`, { ...open, method: 'POST' });

export const enrollWithPassword = (token: string, password: string, totpCode: string) =>
  api<{ status: 'ok' }>(`${base(token)}/password`, { ...open, method: 'POST', body: { password, totpCode } });

// Activation of a hardware key an administrator reserved, with its activation code
// (POST /api/enroll/activation/options and /verify; docs/sign-in-api.md "Activation codes").

export type ReservedKey = ResponseOf<'/api/enroll/activation/options', 'post'>['key'];

/** Proves the e-mail address and code, runs the security key's registration ceremony and activates the key. */
export async function activateHardwareKey(email: string, code: string): Promise<{ key: ReservedKey; credential: Credential }> {
  const body = { email: email.trim(), code: code.trim() };
  const started = await api<RegistrationCeremony & { key: ReservedKey }>('/api/enroll/activation/options', { ...open, method: 'POST', body });
  const response = await register(started);
  const result = await api<{ credential: Credential }>('/api/enroll/activation/verify', {
    ...open,
    method: 'POST',
    body: { ...body, ceremonyId: started.ceremonyId, response },
  });
  return { key: started.key, credential: result.credential };
}
