import { Button, Group, Modal, Stack } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useCreateEmployee } from '../../api/employees';
import type { Employee } from '../../../shared/api/types';
import { notifySuccess } from '../../../shared/components/notify';
import { EmployeeFields } from './EmployeeFields';
import { emptyEmployeeForm, formToCreateInput, validateEmployee, type EmployeeFormValues } from './employee-form';
import { FormErrorSummary, useServerForm } from '../../components/forms';

/** "Add employee" dialog; its submit button is "Create employee". */
export function AddEmployeeModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const create = useCreateEmployee();
  const form = useServerForm();
  const [values, setValues] = useState<EmployeeFormValues>(emptyEmployeeForm);
  const [submitted, setSubmitted] = useState(false);
  const errors = submitted ? validateEmployee(values) : {};

  useEffect(() => {
    if (opened) {
      setValues(emptyEmployeeForm);
      setSubmitted(false);
      form.clear();
    }
    // Reset only when the dialog opens.
  }, [opened]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validateEmployee(values)).length > 0) return;
    void form.submit(() => create.mutateAsync(formToCreateInput(values)), {
      onSuccess: (employee: Employee) => {
        notifySuccess(`${employee.displayName || employee.email} was added.`, 'Employee added');
        onClose();
      },
    });
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Add employee" size="lg" centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={form} title="Could not add the employee" />
          <EmployeeFields values={values} errors={errors} onChange={setValues} form={form} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={form.saving}>
              Cancel
            </Button>
            <Button type="submit" loading={form.saving}>
              Create employee
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
