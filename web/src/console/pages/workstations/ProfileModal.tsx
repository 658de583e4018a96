import { Button, Checkbox, Group, Modal, MultiSelect, NumberInput, SimpleGrid, Stack, Switch, Textarea, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { SignInMethod, WorkstationProfile } from '../../../shared/api/types';
import { notifySuccess } from '../../../shared/components/notify';
import { useCreateWorkstationProfile, useUpdateWorkstationProfile } from '../../api/workstation-setup';
import { formToInput, formToPatch, NEW_PROFILE, type ProfileFormValues, profileToForm, validateProfile } from './profile-form';
import type { useLookups } from './use-lookups';
import { METHOD_LABELS, SIGN_IN_METHODS } from './workstation-format';
import { FormErrorSummary, useServerForm } from '../../components/forms';

/** "New workstation profile" / "Edit <name>": every rule an agent applies. Mount it with a `key` per profile. */
export function ProfileModal({
  profile,
  onClose,
  lookups,
}: {
  profile: WorkstationProfile | null;
  onClose: () => void;
  lookups: ReturnType<typeof useLookups>;
}) {
  const create = useCreateWorkstationProfile();
  const form = useServerForm();
  const update = useUpdateWorkstationProfile();
  const initial = profile ? profileToForm(profile) : NEW_PROFILE;
  const [values, setValues] = useState<ProfileFormValues>(initial);
  const [submitted, setSubmitted] = useState(false);
  const errors = submitted ? validateProfile(values) : {};
  const saving = form.saving;
  const set = <K extends keyof ProfileFormValues>(key: K, value: ProfileFormValues[K]) => setValues((v) => ({ ...v, [key]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validateProfile(values)).length > 0) return;
    const done = (saved: WorkstationProfile) => {
      notifySuccess(`Agents using ${saved.name} receive it now.`, profile ? 'Profile saved' : 'Profile created');
      onClose();
    };
    if (!profile) void form.submit(() => create.mutateAsync(formToInput(values)), { onSuccess: done });
    else {
      const patch = formToPatch(initial, values);
      if (Object.keys(patch).length === 0) onClose();
      else void form.submit(() => update.mutateAsync({ id: profile.id, patch }), { onSuccess: done });
    }
  };

  return (
    <Modal opened onClose={onClose} title={profile ? `Edit ${profile.name}` : 'New workstation profile'} centered size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={form} title="Could not save the profile" />
          <TextInput
            label="Name"
            value={values.name}
            onChange={(e) => set('name', e.currentTarget.value)}
            {...form.field('name', errors.name)}
            data-autofocus
          />
          <Textarea
            label="Description"
            {...form.field('description')}
            autosize
            minRows={2}
            value={values.description}
            onChange={(e) => set('description', e.currentTarget.value)}
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NumberInput
              label="Lock after idle (minutes)"
              description="0: never"
              min={0}
              max={1440}
              allowDecimal={false}
              value={values.idleLockMinutes}
              onChange={(v) => set('idleLockMinutes', v)}
              {...form.field('idleLockMinutes', errors.idleLockMinutes)}
            />
            <NumberInput
              label="Offline logon (days)"
              description="How long a computer that cannot reach Tessera still lets a known account in; 0: never"
              min={0}
              max={365}
              allowDecimal={false}
              value={values.offlineLogonDays}
              onChange={(v) => set('offlineLogonDays', v)}
              {...form.field('offlineLogonDays', errors.offlineLogonDays)}
            />
          </SimpleGrid>
          <Checkbox.Group
            label="Unlock methods"
            description="What a person may sign in or unlock with at these computers"
            value={values.unlockMethods}
            onChange={(v) => set('unlockMethods', v as SignInMethod[])}
            {...form.field('unlockMethods', errors.unlockMethods)}
          >
            <Group mt="xs">
              {SIGN_IN_METHODS.map((m) => (
                <Checkbox key={m} value={m} label={METHOD_LABELS[m]} />
              ))}
            </Group>
          </Checkbox.Group>
          <Switch
            label="Lock when the Tessera session ends"
            description="An admin ending an employee's sessions locks the computers they are signed in at. Disabling an employee locks them either way."
            checked={values.lockOnSessionEnd}
            onChange={(e) => set('lockOnSessionEnd', e.currentTarget.checked)}
          />
          <Switch label="Allow remote desktop (RDP)" checked={values.rdpAllowed} onChange={(e) => set('rdpAllowed', e.currentTarget.checked)} />
          <Switch
            label="Deactivated employees may unlock"
            description="An employee removed from the directory's sync group keeps unlocking until disabled"
            checked={values.deactivatedEmployeesMayUnlock}
            onChange={(e) => set('deactivatedEmployeesMayUnlock', e.currentTarget.checked)}
          />
          <MultiSelect
            label="Departments"
            {...form.field('departmentIds')}
            description="Their workstations use this profile unless they have one of their own. A department has one profile: choosing it here takes it from another."
            placeholder={values.departmentIds.length ? undefined : 'None'}
            data={lookups.departmentGroups}
            value={values.departmentIds}
            onChange={(v) => set('departmentIds', v)}
            searchable
            clearable
            nothingFoundMessage="No such department"
          />
          <Switch
            label="Default profile"
            description={
              profile?.isDefault
                ? 'This is the default. To change that, make another profile the default.'
                : 'For workstations with no profile of their own and none from their department. Replaces the current default.'
            }
            checked={values.isDefault}
            disabled={profile?.isDefault === true}
            onChange={(e) => set('isDefault', e.currentTarget.checked)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={saving}>
              Cancel
            </Button>
            <Button type="submit" loading={saving}>
              {profile ? 'Save' : 'Create profile'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
