import { NativeSelect, SimpleGrid, TextInput } from '@mantine/core';
import { useCompanies, usePositions } from '../../api/organisation';
import { EMPLOYEE_STATUSES, type EmployeeStatus } from '../../../shared/api/types';
import { companyOptions, departmentOptions, positionOptions } from '../../components/org-options';
import type { ServerForm } from '../../components/forms';
import type { EmployeeFormErrors, EmployeeFormValues } from './employee-form';

const statusLabels: Record<EmployeeStatus, string> = {
  active: 'Active',
  deactivated: 'Deactivated',
  disabled: 'Disabled',
};

export interface EmployeeFieldsProps {
  values: EmployeeFormValues;
  errors: EmployeeFormErrors;
  onChange: (values: EmployeeFormValues) => void;
  /** Marks the fields the server refused (useServerForm). */
  form?: ServerForm;
}

/**
 * The employee form fields shared by "Add employee" and the employee page: Email, First name,
 * Last name, Phone, Company, Department, Position, Status.
 */
export function EmployeeFields({ values, errors, onChange, form }: EmployeeFieldsProps) {
  const f = (name: string, clientError?: string) => form?.field(name, clientError) ?? { error: clientError };
  const companies = useCompanies();
  const positions = usePositions();
  const set = <K extends keyof EmployeeFormValues>(key: K, value: EmployeeFormValues[K]) => onChange({ ...values, [key]: value });

  const changeCompany = (companyId: string) => {
    const company = companies.data?.find((c) => c.id === companyId);
    const keepDepartment = company?.departments.some((d) => d.id === values.departmentId) ?? false;
    onChange({ ...values, companyId, departmentId: keepDepartment ? values.departmentId : '' });
  };

  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }}>
      <TextInput
        label="Email"
        type="email"
        value={values.email}
        onChange={(e) => set('email', e.currentTarget.value)}
        {...f('email', errors.email)}
        data-autofocus
      />
      <TextInput label="Phone" {...f('phone')} type="tel" value={values.phone} onChange={(e) => set('phone', e.currentTarget.value)} />
      <TextInput label="First name" value={values.firstName} onChange={(e) => set('firstName', e.currentTarget.value)} {...f('firstName', errors.firstName)} />
      <TextInput label="Last name" value={values.lastName} onChange={(e) => set('lastName', e.currentTarget.value)} {...f('lastName', errors.lastName)} />
      <NativeSelect
        label="Company"
        {...f('companyId')}
        data={companyOptions(companies.data, 'No company')}
        value={values.companyId}
        onChange={(e) => changeCompany(e.currentTarget.value)}
      />
      <NativeSelect
        label="Department"
        {...f('departmentId')}
        data={values.companyId ? departmentOptions(companies.data, values.companyId, 'No department') : [{ value: '', label: 'Choose a company first' }]}
        value={values.departmentId}
        onChange={(e) => set('departmentId', e.currentTarget.value)}
        disabled={!values.companyId}
      />
      <NativeSelect
        label="Position"
        {...f('positionId')}
        data={positionOptions(positions.data, 'No position')}
        value={values.positionId}
        onChange={(e) => set('positionId', e.currentTarget.value)}
      />
      <NativeSelect
        label="Status"
        {...f('status')}
        data={EMPLOYEE_STATUSES.map((s) => ({ value: s, label: statusLabels[s] }))}
        value={values.status}
        onChange={(e) => set('status', e.currentTarget.value as EmployeeStatus)}
        error={errors.status}
      />
    </SimpleGrid>
  );
}
