import { Anchor, Button, Group, Paper, SimpleGrid, Stack } from '@mantine/core';
import { IconArrowLeft, IconTrash } from '@tabler/icons-react';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router-dom';
import { useDeleteEmployee, useEmployee, useUpdateEmployee } from '../../api/employees';
import type { Employee } from '../../../shared/api/types';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { formatDateTime } from '../../../shared/components/format';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { Fact } from '../../components/Fact';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../../shared/components/QueryState';
import { EmployeeStatusBadge } from '../../../shared/components/StatusBadge';
import { EmployeeFields } from './EmployeeFields';
import { InvitationsCard } from './InvitationsCard';
import { DirectoryCard } from './DirectoryCard';
import { GroupsCard } from './GroupsCard';
import { EmployeeKeysCard } from '../hardware-keys/EmployeeKeysCard';
import { SignInMethodsCard } from './SignInMethodsCard';
import { SsoCard } from './SsoCard';
import { VaultAccountsCard } from './VaultAccountsCard';
import { WorkstationsCard } from './WorkstationsCard';
import { employeeToForm, formToPatch, validateEmployee, type EmployeeFormValues } from './employee-form';
import { FormErrorSummary, SavedNote, useServerForm } from '../../components/forms';

function EmployeeEditor({ employee, listPath }: { employee: Employee; listPath: string }) {
  const navigate = useNavigate();
  const update = useUpdateEmployee(employee.id);
  const form = useServerForm();
  const remove = useDeleteEmployee();
  const initial = useMemo(() => employeeToForm(employee), [employee]);
  const [values, setValues] = useState<EmployeeFormValues>(initial);
  const [submitted, setSubmitted] = useState(false);
  const [confirmDisable, setConfirmDisable] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const errors = submitted ? validateEmployee(values) : {};
  const patch = formToPatch(initial, values);
  const dirty = Object.keys(patch).length > 0;

  // After a save the server's answer becomes the new starting point.
  useEffect(() => setValues(initial), [initial]);

  const save = () => {
    setConfirmDisable(false);
    void form.submit(() => update.mutateAsync(patch), { success: { title: 'Employee updated', message: 'Changes saved.' } });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validateEmployee(values)).length > 0 || !dirty) return;
    if (patch.status === 'disabled') setConfirmDisable(true);
    else save();
  };

  const deleteEmployee = () =>
    remove.mutate(employee.id, {
      onSuccess: () => {
        notifySuccess(`${employee.displayName || employee.email} was deleted.`, 'Employee deleted');
        navigate(listPath, { replace: true });
      },
      onError: (error) => {
        setConfirmDelete(false);
        notifyError(error, 'Could not delete the employee');
      },
    });

  return (
    <Stack>
      <Paper withBorder p="md" radius="md">
        <SimpleGrid cols={{ base: 2, sm: 5 }}>
          <Fact label="Display name">{employee.displayName || '—'}</Fact>
          <Fact label="Status">
            <EmployeeStatusBadge status={employee.status} />
          </Fact>
          <Fact label="Source">{employee.source}</Fact>
          <Fact label="Created">{formatDateTime(employee.createdAt)}</Fact>
          <Fact label="Updated">{formatDateTime(employee.updatedAt)}</Fact>
        </SimpleGrid>
      </Paper>
      <Paper withBorder p="md" radius="md">
        <form onSubmit={submit} noValidate>
          <Stack>
            <FormErrorSummary form={form} title="Could not save the employee" />
            <EmployeeFields values={values} errors={errors} onChange={setValues} form={form} />
            <Group justify="space-between">
              <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={() => setConfirmDelete(true)}>
                Delete
              </Button>
              <Group>
                {dirty ? null : <SavedNote form={form} />}
                <Button variant="default" onClick={() => setValues(initial)} disabled={!dirty || form.saving}>
                  Reset
                </Button>
                <Button type="submit" loading={form.saving} disabled={!dirty}>
                  Save
                </Button>
              </Group>
            </Group>
          </Stack>
        </form>
      </Paper>
      <SsoCard employee={employee} />
      <SignInMethodsCard employeeId={employee.id} employeeName={employee.displayName || employee.email} />
      <InvitationsCard employeeId={employee.id} employeeName={employee.displayName || employee.email} isActive={employee.status === 'active'} />
      <WorkstationsCard employeeId={employee.id} employeeName={employee.displayName || employee.email} />
      <DirectoryCard employeeId={employee.id} />
      <GroupsCard employeeId={employee.id} employeeName={employee.displayName || employee.email} groups={employee.groups} />
      <EmployeeKeysCard employeeId={employee.id} employeeName={employee.displayName || employee.email} />
      <VaultAccountsCard employeeId={employee.id} employeeName={employee.displayName || employee.email} />
      <ConfirmDialog
        opened={confirmDisable}
        title="Disable employee"
        confirmLabel="Disable employee"
        loading={form.saving}
        onConfirm={save}
        onClose={() => setConfirmDisable(false)}
      >
        Disabling ends all of this employee's sessions and tokens at once, and locks every computer where they are signed in; they can no longer unlock any
        workstation. Deactivating instead lets them keep unlocking workstations, unless the workstation's profile says otherwise.
      </ConfirmDialog>
      <ConfirmDialog
        opened={confirmDelete}
        title="Delete employee"
        confirmLabel="Delete"
        loading={remove.isPending}
        onConfirm={deleteEmployee}
        onClose={() => setConfirmDelete(false)}
      >
        {`Delete ${employee.displayName || employee.email}? This cannot be undone.`}
      </ConfirmDialog>
    </Stack>
  );
}

export function EmployeeEditPage() {
  const { id = '' } = useParams();
  const employee = useEmployee(id);
  const listSearch = (useLocation().state as { listSearch?: string } | null)?.listSearch ?? '';
  const listPath = `/employees${listSearch}`;
  const name = employee.data ? employee.data.displayName || `${employee.data.firstName} ${employee.data.lastName}` : 'Employee';

  return (
    <>
      <Anchor component={Link} to={listPath} size="sm" mb="sm" display="inline-flex" style={{ alignItems: 'center', gap: 4 }}>
        <IconArrowLeft size={14} /> Back to employees
      </Anchor>
      <PageHeader title={name} description={employee.data?.email} />
      <QueryState query={employee} />
      {employee.data ? <EmployeeEditor employee={employee.data} listPath={listPath} /> : null}
    </>
  );
}
