// The authenticator policy and invitation validity: the `authenticators` and `invitations` groups of
// GET/PATCH /api/settings, read and saved by their own settings section.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../shared/api/client';
import type { AuthenticatorSettings, InvitationSettings, PolicySettings } from '../../shared/api/sign-in-types';
import type { Settings } from '../../shared/api/types';
import { queryKeys } from '../../shared/query-keys';

/** GET /api/settings carries the policy groups (the contract's Settings). */
export type SettingsWithPolicy = Settings & PolicySettings;

export function useUpdatePolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: { authenticators?: Partial<AuthenticatorSettings>; invitations?: Partial<InvitationSettings> }) =>
      api<SettingsWithPolicy>('/api/settings', { method: 'PATCH', body: patch }),
    // Marked stale but not replaced now: the settings form above resets to any new settings object,
    // which would drop the admin's unsaved edits there. The policy section keeps the answer itself.
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.settings, refetchType: 'none' }),
  });
}
