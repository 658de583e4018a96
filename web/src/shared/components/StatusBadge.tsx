import { Badge } from '@mantine/core';
import type { EmployeeStatus, Outcome } from '../api/types';

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

export function OutcomeBadge({ outcome }: { outcome: Outcome }) {
  return (
    <Badge color={outcome === 'success' ? 'teal' : 'red'} variant="light">
      {outcome}
    </Badge>
  );
}
