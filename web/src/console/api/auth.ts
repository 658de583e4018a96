import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../../shared/api/client';
import type { Admin, LoginResult, Me, TotpSetup } from '../../shared/api/types';
import type { BodyOf } from '../../shared/api/contract';
import { queryKeys } from '../../shared/query-keys';

const open = { allowUnauthenticated: true } as const;

/** The signed-in admin, or null when nobody is signed in. */
export function useMe() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: async (): Promise<Me | null> => {
      try {
        return await api<Me>('/api/auth/me', open);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

export function useSetupStatus(enabled = true) {
  return useQuery({
    queryKey: queryKeys.setup,
    queryFn: () => api<{ needsSetup: boolean }>('/api/setup', open),
    enabled,
    staleTime: 60_000,
  });
}

export type SetupInput = BodyOf<'/api/setup', 'post'>;

export function useSetup() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: SetupInput) => api<{ status: 'ok'; admin: Admin }>('/api/setup', { ...open, method: 'POST', body: input }),
    onSuccess: async () => {
      qc.setQueryData(queryKeys.setup, { needsSetup: false });
      await qc.invalidateQueries({ queryKey: queryKeys.me });
    },
  });
}

export function useLogin() {
  return useMutation({
    mutationFn: (input: { email: string; password: string }) => api<LoginResult>('/api/auth/login', { ...open, method: 'POST', body: input }),
  });
}

export function useLoginTotp() {
  return useMutation({
    mutationFn: (code: string) => api<{ status: 'ok'; admin: Admin }>('/api/auth/login/totp', { ...open, method: 'POST', body: { code } }),
  });
}

/** Ends the session; the caller forgets the cached data once it has left the console. */
export function useLogout() {
  return useMutation({
    mutationFn: () => api<void>('/api/auth/logout', { ...open, method: 'POST' }),
  });
}

/** Starts TOTP enrollment; also used while signing in when the server requires enrollment. */
export function useTotpSetup() {
  return useMutation({
    mutationFn: () => api<TotpSetup>('/api/auth/totp/setup', { ...open, method: 'POST' }),
  });
}

/** Confirms TOTP with a first code; the answer carries the first set of recovery codes (shown once). */
export function useTotpConfirm() {
  return useMutation({
    mutationFn: (code: string) => api<{ admin: Admin; recoveryCodes: string[] }>('/api/auth/totp/confirm', { ...open, method: 'POST', body: { code } }),
  });
}

/** The second sign-in step with a recovery code in place of the TOTP code. */
export function useLoginRecoveryCode() {
  return useMutation({
    mutationFn: (code: string) =>
      api<{ status: 'ok'; admin: Admin; recoveryCodesRemaining?: number }>('/api/auth/login/recovery-code', { ...open, method: 'POST', body: { code } }),
  });
}

/** "Generate new recovery codes": the old set stops working; the current TOTP code unless just signed in. */
export function useRegenerateRecoveryCodes() {
  return useMutation({
    mutationFn: (code?: string) =>
      api<{ recoveryCodes: string[]; remaining: number }>('/api/auth/recovery-codes', { method: 'POST', body: code ? { code } : {} }),
  });
}

export function useTotpDisable() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (password: string) => api<{ admin: Admin }>('/api/auth/totp/disable', { method: 'POST', body: { password } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.me }),
  });
}

export function useChangePassword() {
  return useMutation({
    mutationFn: (input: { currentPassword: string; newPassword: string }) => api<void>('/api/auth/password', { method: 'POST', body: input }),
  });
}
