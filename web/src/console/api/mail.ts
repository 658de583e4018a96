import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { Paged, Settings, SettingsPatch } from '../../shared/api/types';
import type { BodyOf, ItemOf, ResponseOf } from '../../shared/api/contract';
import { queryKeys } from '../../shared/query-keys';

// Outgoing mail, the SMTP test and the logo (see docs/sign-in-api.md, "Admin").

export type Mail = ItemOf<ResponseOf<'/api/mail', 'get'>>;
export type MailStatus = Mail['status'];

export type LogoContentType = 'image/png' | 'image/jpeg' | 'image/webp';
export const MAX_LOGO_BYTES = 256 * 1024;

/** GET /api/settings carries the branding group (the contract's Settings). */
export type SettingsWithBranding = Settings;
export type SettingsPatchWithBranding = SettingsPatch;

export function useMailList(query: { status: MailStatus | ''; page: number; pageSize: number }) {
  return useQuery({
    queryKey: queryKeys.mail.list(query.status, query.page, query.pageSize),
    queryFn: ({ signal }) => api<Paged<Mail>>('/api/mail', { signal, query }),
    placeholderData: keepPreviousData,
    // Pending mails change state on their own (the server's worker sends them).
    refetchInterval: 15_000,
  });
}

export function useRetryMail() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/api/mail/${encodeURIComponent(id)}/retry`, { method: 'POST' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.mail.all }),
  });
}

export type SmtpTestBody = BodyOf<'/api/settings/smtp/test', 'post'>;

/** Sends a test e-mail at once: with the saved SMTP settings, or the form's unsaved ones (`smtp`). */
export function useSendTestMail() {
  return useMutation({
    mutationFn: (body: SmtpTestBody) => api<void>('/api/settings/smtp/test', { method: 'POST', body }),
  });
}

export function useUploadLogo() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (logo: { contentType: LogoContentType; base64: string }) => api<void>('/api/settings/logo', { method: 'PUT', body: logo }),
    // Settings are marked stale without a refetch: the settings form resets to a new settings object
    // and would drop unsaved edits. The logo block follows the public branding instead.
    onSuccess: () =>
      Promise.all([qc.invalidateQueries({ queryKey: queryKeys.settings, refetchType: 'none' }), qc.invalidateQueries({ queryKey: queryKeys.branding })]),
  });
}

export function useRemoveLogo() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>('/api/settings/logo', { method: 'DELETE' }),
    // Settings are marked stale without a refetch: the settings form resets to a new settings object
    // and would drop unsaved edits. The logo block follows the public branding instead.
    onSuccess: () =>
      Promise.all([qc.invalidateQueries({ queryKey: queryKeys.settings, refetchType: 'none' }), qc.invalidateQueries({ queryKey: queryKeys.branding })]),
  });
}
