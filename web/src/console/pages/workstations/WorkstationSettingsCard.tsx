import { Button, Group, NativeSelect, Paper, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import type { Workstation, WorkstationPatch } from '../../../shared/api/types';
import { notifySuccess } from '../../../shared/components/notify';
import { useUpdateWorkstation } from '../../api/workstations';
import type { useLookups } from './use-lookups';
import { FormErrorSummary, useServerForm } from '../../components/forms';

const fromWorkstation = (w: Workstation) => ({ name: w.name, departmentId: w.departmentId ?? '', profileId: w.profileId ?? '' });

/** Name, department and profile of one workstation (PATCH of what changed). */
export function WorkstationSettingsCard({ workstation, lookups }: { workstation: Workstation; lookups: ReturnType<typeof useLookups> }) {
  const update = useUpdateWorkstation(workstation.id);
  const form = useServerForm();
  const initial = fromWorkstation(workstation);
  const [values, setValues] = useState(initial);
  const [submitted, setSubmitted] = useState(false);
  // After a save (or a poll that brings someone else's change) the server's answer is the new start.
  useEffect(() => setValues(fromWorkstation(workstation)), [workstation.name, workstation.departmentId, workstation.profileId]);

  const patch: WorkstationPatch = {};
  if (values.name.trim() !== initial.name) patch.name = values.name.trim();
  if (values.departmentId !== initial.departmentId) patch.departmentId = values.departmentId || null;
  if (values.profileId !== initial.profileId) patch.profileId = values.profileId || null;
  const dirty = Object.keys(patch).length > 0;
  const nameError = submitted && !values.name.trim() ? 'Enter a name' : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!values.name.trim() || !dirty) return;
    void form.submit(() => update.mutateAsync(patch), { onSuccess: (w) => notifySuccess(`${w.name} was saved.`, 'Workstation updated') });
  };

  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="workstation-settings-title">
      <Title order={2} size="h4" mb="sm" id="workstation-settings-title">
        Settings
      </Title>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={form} />
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput
              label="Name"
              value={values.name}
              onChange={(e) => setValues({ ...values, name: e.currentTarget.value })}
              {...form.field('name', nameError)}
            />
            <NativeSelect
              label="Department"
              data={lookups.departmentOptions('No department')}
              value={values.departmentId}
              onChange={(e) => setValues({ ...values, departmentId: e.currentTarget.value })}
            />
            <NativeSelect
              label="Profile"
              description={`In force: ${lookups.profileName(workstation.effectiveProfileId)}`}
              data={lookups.profileOptions('From the department or the default')}
              value={values.profileId}
              onChange={(e) => setValues({ ...values, profileId: e.currentTarget.value })}
            />
          </SimpleGrid>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setValues(initial)} disabled={!dirty || form.saving}>
              Reset
            </Button>
            <Button type="submit" loading={form.saving} disabled={!dirty}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
