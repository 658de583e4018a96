import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../../shared/api/client';
import type { VaultAccount, VaultTemplate } from '../../shared/api/vault-types';
import { notifySuccess } from '../../shared/components/notify';
import { focusFirstInvalid, VaultAccountFields } from '../../shared/components/VaultAccountFields';
import { TemplateSelect } from '../../shared/components/TemplateSelect';
import { accountToForm, emptyAccountForm, formToInput, formToPatch, validateAccount, type AccountFormValues } from '../../shared/components/vault-form';
import { generatePortalPassword, useCreateVaultAccount, useUpdateVaultAccount, useVaultTemplates } from '../api/vault';

/** "Add an account" (optionally from a template) / "Edit <name>" of a personal account. Mount it with a `key` per account. */
export function VaultAccountDialog({ account, onClose }: { account: VaultAccount | null; onClose: () => void }) {
  const phone = useMediaQuery('(max-width: 36em)');
  const create = useCreateVaultAccount();
  const update = useUpdateVaultAccount();
  const templates = useVaultTemplates(account === null);
  const [initial] = useState<AccountFormValues>(() => (account ? accountToForm(account) : emptyAccountForm()));
  const [values, setValues] = useState<AccountFormValues>(initial);
  const [template, setTemplate] = useState<VaultTemplate | undefined>(undefined);
  const [submitted, setSubmitted] = useState(false);
  const errors = submitted ? validateAccount(values) : {};
  const saving = create.isPending || update.isPending;
  const failure = create.error ?? update.error;

  const pick = (t: VaultTemplate | undefined) => {
    setTemplate(t);
    if (t) setValues((v) => ({ ...v, name: t.name, urls: t.urls.join('\n') }));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validateAccount(values)).length > 0) return focusFirstInvalid(event.currentTarget as HTMLFormElement);
    const done = (saved: VaultAccount) => {
      notifySuccess(`${saved.name} is in your accounts.`, account ? 'Account saved' : 'Account added');
      onClose();
    };
    if (!account) create.mutate({ template, body: formToInput(values) }, { onSuccess: done });
    else {
      const patch = formToPatch(initial, values);
      if (Object.keys(patch).length === 0) onClose();
      else update.mutate({ id: account.id, patch }, { onSuccess: done });
    }
  };

  return (
    <Modal opened onClose={onClose} title={account ? `Edit ${account.name}` : 'Add an account'} centered fullScreen={phone} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          {failure ? (
            <Alert color="red" title="Could not save the account">
              {errorMessage(failure)}
            </Alert>
          ) : null}
          {account ? null : (
            <TemplateSelect templates={templates.data} value={template} onPick={pick} hint="Fills in the name and addresses of a known application" />
          )}
          <VaultAccountFields
            values={values}
            errors={errors}
            onChange={setValues}
            generate={generatePortalPassword}
            workstationHint="Your security key gives this account to the computers you log on to with it"
          />
          <Text size="xs" c="dimmed">
            Passwords, OTP secrets and notes are stored encrypted. To see them again you confirm with your passkey.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={saving}>
              Cancel
            </Button>
            <Button type="submit" loading={saving}>
              {account ? 'Save' : 'Add account'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
