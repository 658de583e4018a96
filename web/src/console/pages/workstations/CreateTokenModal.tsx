import { Button, Group, Modal, NativeSelect, NumberInput, SimpleGrid, Stack, Switch, TextInput } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import type { CreatedEnrolmentToken } from '../../../shared/api/types';
import { useCreateEnrolmentToken } from '../../api/workstation-setup';
import type { useLookups } from './use-lookups';
import { FormErrorSummary, useServerForm } from '../../components/forms';

const MAX_HOURS = 24 * 366;
/** What Maximum uses starts at for a multi-use token. */
const DEFAULT_MAX_USES = 25;
const usesOptions = [
  { value: 'once', label: 'One workstation (one-time)' },
  { value: 'multi', label: 'Several workstations (multi-use)' },
];

/** "Create enrolment token": Name, Uses (+ Maximum uses), Valid for (hours), Approve automatically, Department, Profile. */
export function CreateTokenModal(props: {
  opened: boolean;
  onClose: () => void;
  onCreated: (created: CreatedEnrolmentToken) => void;
  lookups: ReturnType<typeof useLookups>;
}) {
  const create = useCreateEnrolmentToken();
  const form = useServerForm();
  const [name, setName] = useState('');
  const [uses, setUses] = useState<'once' | 'multi'>('once');
  const [maxUses, setMaxUses] = useState<number | string>(DEFAULT_MAX_USES);
  const [hours, setHours] = useState<number | string>(24);
  const [autoApprove, setAutoApprove] = useState(false);
  const [departmentId, setDepartmentId] = useState('');
  const [profileId, setProfileId] = useState('');
  const [submitted, setSubmitted] = useState(false);

  useEffect(() => {
    if (!props.opened) return;
    setName('');
    setUses('once');
    setMaxUses(DEFAULT_MAX_USES);
    setHours(24);
    setAutoApprove(false);
    setDepartmentId('');
    setProfileId('');
    setSubmitted(false);
    form.clear();
  }, [props.opened]); // reset only when the dialog opens

  const isWhole = (v: number | string, min: number, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
  const errors = {
    name: name.trim() ? undefined : 'Enter a name',
    maxUses: uses === 'multi' && !isWhole(maxUses, 2, 1_000_000) ? 'Enter a whole number from 2 to 1,000,000' : undefined,
    hours: isWhole(hours, 1, MAX_HOURS) ? undefined : `Enter a whole number of hours from 1 to ${MAX_HOURS}`,
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (errors.name || errors.maxUses || errors.hours) return;
    void form.submit(
      () =>
        create.mutateAsync({
          name: name.trim(),
          maxUses: uses === 'multi' ? Number(maxUses) : 1,
          validHours: Number(hours),
          autoApprove,
          departmentId: departmentId || null,
          profileId: profileId || null,
        }),
      { onSuccess: props.onCreated },
    );
  };

  return (
    <Modal opened={props.opened} onClose={props.onClose} title="Create enrolment token" centered size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={form} title="Could not create the token" />
          <TextInput
            label="Name"
            description="What it is for, e.g. “Finance laptops, March rollout”."
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            {...form.field('name', submitted ? errors.name : undefined)}
            data-autofocus
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NativeSelect label="Uses" data={usesOptions} value={uses} onChange={(e) => setUses(e.currentTarget.value as 'once' | 'multi')} />
            {uses === 'multi' ? (
              <NumberInput
                label="Maximum uses"
                description={`How many computers may enrol with it (default ${DEFAULT_MAX_USES})`}
                // Under the field, so that it lines up with Uses beside it.
                inputWrapperOrder={['label', 'input', 'description', 'error']}
                min={2}
                max={1_000_000}
                allowDecimal={false}
                value={maxUses}
                onChange={setMaxUses}
                {...form.field('maxUses', submitted ? errors.maxUses : undefined)}
              />
            ) : null}
          </SimpleGrid>
          <NumberInput
            label="Valid for (hours)"
            description="The token stops working after this, used up or not."
            min={1}
            max={MAX_HOURS}
            allowDecimal={false}
            value={hours}
            onChange={setHours}
            {...form.field('validHours', submitted ? errors.hours : undefined)}
          />
          <Switch
            label="Approve workstations automatically"
            {...form.field('autoApprove')}
            description="Otherwise each workstation that enrols waits for an admin to approve it."
            checked={autoApprove}
            onChange={(e) => setAutoApprove(e.currentTarget.checked)}
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NativeSelect
              label="Department"
              {...form.field('departmentId')}
              description="Given to the workstations that enrol with it"
              data={props.lookups.departmentOptions('No department')}
              value={departmentId}
              onChange={(e) => setDepartmentId(e.currentTarget.value)}
            />
            <NativeSelect
              label="Profile"
              {...form.field('profileId')}
              description="Their own profile; else the department's or the default"
              data={props.lookups.profileOptions('From the department or the default')}
              value={profileId}
              onChange={(e) => setProfileId(e.currentTarget.value)}
            />
          </SimpleGrid>
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose} disabled={form.saving}>
              Cancel
            </Button>
            <Button type="submit" loading={form.saving}>
              Create token
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
