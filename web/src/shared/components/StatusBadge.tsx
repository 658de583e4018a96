import { Badge } from '@mantine/core';
import type { EmployeeStatus, EnrolmentMethod, EnrolmentState, Outcome } from '../api/types';

const statusColors: Record<EmployeeStatus, string> = {
  active: 'teal',
  deactivated: 'yellow',
  disabled: 'red',
};

export function EmployeeStatusBadge({ status }: { status: EmployeeStatus }) {
  return (
    <Badge color={statusColors[status] ?? 'gray'} variant="light">
      {status}
    </Badge>
  );
}

const enrolment: Record<EnrolmentState, { color: string; label: string }> = {
  enrolled: { color: 'teal', label: 'enrolled' },
  invited: { color: 'blue', label: 'invited' },
  invitation_expired: { color: 'orange', label: 'invitation expired' },
  never_invited: { color: 'gray', label: 'never invited' },
};
export const enrolmentMethodLabels: Record<EnrolmentMethod, string> = {
  passkey: 'passkey',
  security_key: 'security key',
  second_factor_key: 'second-factor key',
  totp: 'TOTP',
};

/** Where the employee stands in the rollout (GET /api/employees `enrolment.state`). */
export function EnrolmentBadge({ state }: { state: EnrolmentState }) {
  const e = enrolment[state] ?? { color: 'gray', label: state };
  return (
    <Badge color={e.color} variant="light">
      {e.label}
    </Badge>
  );
}

export function OutcomeBadge({ outcome }: { outcome: Outcome }) {
  return (
    <Badge color={outcome === 'success' ? 'teal' : 'red'} variant="light">
      {outcome}
    </Badge>
  );
}
