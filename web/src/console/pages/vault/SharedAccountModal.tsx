import { Button, Divider, Group, Modal, MultiSelect, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { SharedAccount, VaultTemplate } from '../../../shared/api/vault-types';
import { notifySuccess } from '../../../shared/components/notify';
import { focusFirstInvalid, VaultAccountFields } from '../../../shared/components/VaultAccountFields';
import { TemplateSelect } from '../../../shared/components/TemplateSelect';
import { accountToForm, emptyAccountForm, formToInput, formToPatch, validateAccount, type AccountFormValues } from '../../../shared/components/vault-form';
import { generateAdminPassword, useCreateSharedAccount, useUpdateSharedAccount, useVaultTemplates } from '../../api/vault';
import { useLookups } from '../workstations/use-lookups';
import { EmployeesMultiPicker } from './EmployeesMultiPicker';
import { FormErrorSummary, useServerForm } from '../../components/forms';

/**
 * "New shared account" (with whom it is shared) / "Edit <name>". A stored secret is never loaded:
 * the admin keeps, replaces or removes it. Mount it with a `key` per account.
 */
export function SharedAccountModal({ account, onClose }: { account: SharedAccount | null; onClose: () => void }) {
  const create = useCreateSharedAccount();
  const form = useServerForm();
  const update = useUpdateSharedAccount();
  const templates = useVaultTemplates();
  const lookups = useLookups();
  const [initial] = useState<AccountFormValues>(() => (account ? accountToForm(account) : emptyAccountForm()));
  const [values, setValues] = useState<AccountFormValues>(initial);
  const [template, setTemplate] = useState<VaultTemplate | undefined>(undefined);
  const [employeeIds, setEmployeeIds] = useState<string[]>([]);
  const [departmentIds, setDepartmentIds] = useState<string[]>([]);
  const [submitted, setSubmitted] = useState(false);
  const errors = submitted ? validateAccount(values) : {};
  const saving = form.saving;

  const pick = (t: VaultTemplate | undefined) => {
    setTemplate(t);
    if (t) setValues((v) => ({ ...v, name: t.name, urls: t.urls.join('\n') }));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validateAccount(values)).length > 0) return focusFirstInvalid(event.currentTarget as HTMLFormElement);
    if (!account) {
      const body = { ...formToInput(values), templateId: template?.id, assignments: { employeeIds, departmentIds } };
      void form.submit(() => create.mutateAsync(body), {
        onSuccess: (saved) => {
          const n = employeeIds.length + departmentIds.length;
          notifySuccess(n ? 'Its holders see it in their portal now.' : 'Assign it to employees or departments to share it.', `${saved.name} created`);
          onClose();
        },
      });
      return;
    }
    const patch = formToPatch(initial, values);
    if (Object.keys(patch).length === 0) return onClose();
    void form.submit(() => update.mutateAsync({ id: account.id, patch }), {
      onSuccess: (saved) => {
        notifySuccess('Every holder has the change at once.', `${saved.name} saved`);
        onClose();
      },
    });
  };

  return (
    <Modal opened onClose={onClose} title={account ? `Edit ${account.name}` : 'New shared account'} centered size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={form} title="Could not save the shared account" />
          {account ? null : <TemplateSelect templates={templates.data} value={template} onPick={pick} hint="Fills in the name and addresses" />}
          <VaultAccountFields
            values={values}
            errors={{ ...form.errorsFor(['name', 'urls', 'login', 'password', 'otp', 'notes'] as const), ...errors }}
            onChange={setValues}
            generate={generateAdminPassword}
            workstationHint="Delivered with the holder's directory password when they log on to a workstation with their security key"
          />
          {account ? null : (
            <>
              <Divider label="Shared with" labelPosition="left" />
              <EmployeesMultiPicker label="Employees" value={employeeIds} onChange={setEmployeeIds} />
              <MultiSelect
                label="Departments"
                {...form.field('assignments.departmentIds')}
                description="Everyone in these departments holds the account, including people who join them later"
                placeholder={departmentIds.length ? undefined : 'None'}
                data={lookups.departmentGroups}
                value={departmentIds}
                onChange={setDepartmentIds}
                searchable
                clearable
                nothingFoundMessage="No such department"
              />
            </>
          )}
          <Text size="xs" c="dimmed">
            Secrets are sealed when saved. Nobody can read them here; holders reveal them in their portal after a passkey check, and each reveal is audited.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={saving}>
              Cancel
            </Button>
            <Button type="submit" loading={saving}>
              {account ? 'Save' : 'Create shared account'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
