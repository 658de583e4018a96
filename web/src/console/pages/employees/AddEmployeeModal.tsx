import { Alert, Button, Group, Modal, Stack } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { errorMessage } from '../../../shared/api/client';
import { useCreateEmployee } from '../../api/employees';
import type { Employee } from '../../../shared/api/types';
import { notifySuccess } from '../../../shared/components/notify';
import { EmployeeFields } from './EmployeeFields';
import { emptyEmployeeForm, formToCreateInput, validateEmployee, type EmployeeFormValues } from './employee-form';

/** "Add employee" dialog; its submit button is "Create employee". */
export function AddEmployeeModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const create = useCreateEmployee();
  const [values, setValues] = useState<EmployeeFormValues>(emptyEmployeeForm);
  const [submitted, setSubmitted] = useState(false);
  const errors = submitted ? validateEmployee(values) : {};

  useEffect(() => {
    if (opened) {
      setValues(emptyEmployeeForm);
      setSubmitted(false);
      create.reset();
    }
    // Reset only when the dialog opens.
  }, [opened]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validateEmployee(values)).length > 0) return;
    create.mutate(formToCreateInput(values), {
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
          {create.isError ? (
            <Alert color="red" title="Could not add the employee">
              {errorMessage(create.error)}
            </Alert>
          ) : null}
          <EmployeeFields values={values} errors={errors} onChange={setValues} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={create.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create employee
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
