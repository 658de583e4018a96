import type { Employee, EmployeeInput, EmployeeStatus } from '../../../shared/api/types';
import { blankToNull } from '../../../shared/components/format';

export interface EmployeeFormValues {
  email: string;
  firstName: string;
  lastName: string;
  phone: string;
  companyId: string;
  departmentId: string;
  positionId: string;
  status: EmployeeStatus;
}

export type EmployeeFormErrors = Partial<Record<keyof EmployeeFormValues, string>>;

export const emptyEmployeeForm: EmployeeFormValues = {
  email: '',
  firstName: '',
  lastName: '',
  phone: '',
  companyId: '',
  departmentId: '',
  positionId: '',
  status: 'active',
};

export function employeeToForm(employee: Employee): EmployeeFormValues {
  return {
    email: employee.email,
    firstName: employee.firstName,
    lastName: employee.lastName,
    phone: employee.phone ?? '',
    companyId: employee.companyId ?? '',
    departmentId: employee.departmentId ?? '',
    positionId: employee.positionId ?? '',
    status: employee.status,
  };
}

export function validateEmployee(values: EmployeeFormValues): EmployeeFormErrors {
  const errors: EmployeeFormErrors = {};
  if (!/^\S+@\S+\.\S+$/.test(values.email.trim())) errors.email = 'Enter a valid e-mail address';
  if (!values.firstName.trim()) errors.firstName = 'Enter a first name';
  if (!values.lastName.trim()) errors.lastName = 'Enter a last name';
  return errors;
}

/** Body for POST /api/employees: optional fields are left out when empty. */
export function formToCreateInput(values: EmployeeFormValues): EmployeeInput {
  const input: EmployeeInput = {
    email: values.email.trim(),
    firstName: values.firstName.trim(),
    lastName: values.lastName.trim(),
    status: values.status,
  };
  if (values.phone.trim()) input.phone = values.phone.trim();
  if (values.companyId) input.companyId = values.companyId;
  if (values.departmentId) input.departmentId = values.departmentId;
  if (values.positionId) input.positionId = values.positionId;
  return input;
}

/** Body for PATCH /api/employees/:id: only what changed; emptied optional fields become null. */
export function formToPatch(initial: EmployeeFormValues, values: EmployeeFormValues): Partial<EmployeeInput> {
  const patch: Partial<EmployeeInput> = {};
  if (values.email.trim() !== initial.email) patch.email = values.email.trim();
  if (values.firstName.trim() !== initial.firstName) patch.firstName = values.firstName.trim();
  if (values.lastName.trim() !== initial.lastName) patch.lastName = values.lastName.trim();
  if (values.phone.trim() !== initial.phone) patch.phone = blankToNull(values.phone);
  if (values.companyId !== initial.companyId) patch.companyId = values.companyId || null;
  if (values.departmentId !== initial.departmentId) patch.departmentId = values.departmentId || null;
  if (values.positionId !== initial.positionId) patch.positionId = values.positionId || null;
  if (values.status !== initial.status) patch.status = values.status;
  return patch;
}
