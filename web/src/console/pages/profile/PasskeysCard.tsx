import { Text } from '@mantine/core';
import { useAddAdminPasskey, useAdminPasskeys, useRemoveAdminPasskey } from '../../api/admin-passkeys';
import type { SettingsWithPolicy } from '../../api/authenticator-policy';
import { useSettings } from '../../api/settings';
import { CredentialList } from '../../../shared/components/CredentialList';

/** "Passkeys": the admin's own passkeys and security keys, for signing in to the console without a password. */
export function PasskeysCard() {
  const passkeys = useAdminPasskeys();
  const settings = useSettings();
  const add = useAddAdminPasskey();
  const remove = useRemoveAdminPasskey();
  // The authenticator policy applies to admins' passkeys too; offer platform passkeys only when it allows them.
  const allowPlatform = (settings.data as SettingsWithPolicy | undefined)?.authenticators?.allowPlatform ?? true;

  return (
    <CredentialList
      title="Passkeys"
      titleSize="h4"
      tableLabel="Passkeys"
      intro={
        <Text size="sm" c="dimmed">
          Sign in to the console with a passkey or security key instead of your password and code.
        </Text>
      }
      empty="No passkeys yet."
      showAttachment
      allowPlatform={allowPlatform}
      credentials={passkeys}
      add={add}
      addedNotice={(name) => [`“${name}” was added.`, 'Passkey added']}
      remove={remove}
      removeTitle="Remove passkey"
      removeQuestion={(name) => `Remove “${name}”? You will no longer be able to sign in to the console with it.`}
      removeErrorShows="notification"
    />
  );
}
