import { Button, Group, Text } from '@mantine/core';
import { useState } from 'react';
import { useAddCredential, usePortalCredentials, useRemoveCredential, useRenameCredential } from '../api/portal';
import type { PortalMe } from '../../shared/api/sign-in-types';
import { CredentialList } from '../../shared/components/CredentialList';
import { ChangePasswordDialog } from './ChangePasswordDialog';
import { ResetTotpDialog } from './ResetTotpDialog';

/** "My sign-in methods": the employee's passkeys and security keys, password and authenticator app. */
export function SignInMethodsSection({ me }: { me: PortalMe }) {
  const credentials = usePortalCredentials();
  const add = useAddCredential();
  const rename = useRenameCredential();
  const remove = useRemoveCredential();
  const [resettingTotp, setResettingTotp] = useState(false);
  const [changingPassword, setChangingPassword] = useState(false);
  const { policy } = me;
  const count = credentials.data?.items.length ?? 0;
  const atMaximum = count >= policy.maxCredentialsPerEmployee;

  return (
    <CredentialList
      title="My sign-in methods"
      titleSize="h3"
      tableLabel="My sign-in methods"
      intro={
        atMaximum ? (
          <Text size="sm" c="dimmed">
            You have the maximum of {policy.maxCredentialsPerEmployee} passkeys and security keys. Remove one to add another.
          </Text>
        ) : null
      }
      empty="No passkeys or security keys yet."
      allowPlatform={policy.allowPlatform}
      allowSecondFactorKeys={policy.allowSecondFactorKeys && me.hasPassword}
      isAddDisabled={atMaximum}
      isAddPrimary
      credentials={credentials}
      add={add}
      addedNotice={(_name, credential) => [`“${credential.name}” was added.`]}
      rename={rename}
      renameTitle="Rename sign-in method"
      remove={remove}
      removeTitle="Remove sign-in method"
      removeQuestion={(name) => `Remove “${name}”? You will no longer be able to sign in with it.`}
      removeErrorShows="dialog"
    >
      {me.hasPassword || me.hasTotp ? (
        <Group gap="sm">
          {me.hasPassword ? (
            <Button variant="default" onClick={() => setChangingPassword(true)}>
              Change password
            </Button>
          ) : null}
          {me.hasTotp ? (
            <Button variant="default" onClick={() => setResettingTotp(true)}>
              Reset authenticator app
            </Button>
          ) : null}
        </Group>
      ) : null}
      <ResetTotpDialog opened={resettingTotp} onClose={() => setResettingTotp(false)} />
      <ChangePasswordDialog opened={changingPassword} onClose={() => setChangingPassword(false)} />
    </CredentialList>
  );
}
