import { Anchor } from '@mantine/core';
import { Link } from 'react-router-dom';

/** The workstation a session or event belongs to, linked to its page; '—' when the workstation is gone. */
export function WorkstationLink({ workstation }: { workstation: { id: string; name: string } | null }) {
  if (!workstation) return '—';
  return (
    <Anchor component={Link} to={`/workstations/${workstation.id}`} size="sm">
      {workstation.name}
    </Anchor>
  );
}

/** The employee a session or event was matched to, linked to their page. */
export function EmployeeLink({ employee }: { employee: { id: string; name: string } }) {
  return (
    <Anchor component={Link} to={`/employees/${employee.id}`} size="sm">
      {employee.name}
    </Anchor>
  );
}
