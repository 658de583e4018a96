import { Button, Group, Modal, MultiSelect, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { SharedAccount } from '../../../shared/api/vault-types';
import { notifySuccess } from '../../../shared/components/notify';
import { useSetAssignments } from '../../api/vault';
import { useLookups } from '../workstations/use-lookups';
import { EmployeesMultiPicker } from './EmployeesMultiPicker';
import { FormErrorSummary, useServerForm } from '../../components/forms';

/** Who holds a shared account: employees and whole departments, replaced as a whole. Someone removed loses it at once. */
export function AssignmentsModal({ account, onClose }: { account: SharedAccount; onClose: () => void }) {
  const assign = useSetAssignments();
  const form = useServerForm();
  const lookups = useLookups();
  const [employeeIds, setEmployeeIds] = useState(account.assignments.employeeIds);
  const [departmentIds, setDepartmentIds] = useState(account.assignments.departmentIds);
  const removed =
    account.assignments.employeeIds.filter((id) => !employeeIds.includes(id)).length +
    account.assignments.departmentIds.filter((id) => !departmentIds.includes(id)).length;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void form.submit(() => assign.mutateAsync({ id: account.id, assignments: { employeeIds, departmentIds } }), {
      onSuccess: (saved) => {
        const n = saved.assignments.employeeIds.length + saved.assignments.departmentIds.length;
        notifySuccess(n === 0 ? `Nobody holds ${saved.name} now.` : `${saved.name} is assigned as shown.`, 'Assignments saved');
        onClose();
      },
    });
  };

  return (
    <Modal opened onClose={onClose} title={`Assign ${account.name}`} centered size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={form} title="Could not save the assignments" />
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
          {removed > 0 ? (
            <Text size="sm" c="orange">
              Employees you remove lose the account at once: they can no longer reveal it, nor receive it at workstation logon.
            </Text>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={form.saving}>
              Cancel
            </Button>
            <Button type="submit" loading={form.saving}>
              Save assignments
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
