import { Badge, Group, Table, Text } from '@mantine/core';
import type { WorkstationSession } from '../../../shared/api/types';
import { formatDateTime } from '../../../shared/components/format';
import { EmployeeLink, WorkstationLink } from './ActivityLinks';
import { formatDuration, METHOD_LABELS, methodsText } from './workstation-format';

/**
 * Workstation sessions: who was signed in where, from when to when, for how long and how long
 * locked, with which methods. `hide` leaves out the column the page is already about.
 */
export function SessionsTable({
  sessions,
  hide,
  label = 'Workstation sessions',
}: {
  sessions: WorkstationSession[];
  hide?: 'workstation' | 'employee';
  label?: string;
}) {
  const columns = 8 - (hide ? 1 : 0);
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table highlightOnHover striped aria-label={label} verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Started</Table.Th>
            <Table.Th>Ended</Table.Th>
            {hide === 'workstation' ? null : <Table.Th>Workstation</Table.Th>}
            {hide === 'employee' ? null : <Table.Th>Employee</Table.Th>}
            <Table.Th>Account</Table.Th>
            <Table.Th>Methods</Table.Th>
            <Table.Th>Duration</Table.Th>
            <Table.Th>Locked</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sessions.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={columns}>
                <Text c="dimmed" py="md" size="sm">
                  No sessions
                </Text>
              </Table.Td>
            </Table.Tr>
          ) : null}
          {sessions.map((s) => (
            <Table.Tr key={s.id} data-testid="session-row">
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(s.startedAt)}</Table.Td>
              <Table.Td>
                {s.endedAt ? (
                  formatDateTime(s.endedAt)
                ) : (
                  <Group gap={4} wrap="nowrap">
                    <Badge variant="light" color="teal">
                      open
                    </Badge>
                    {s.isLocked ? (
                      <Badge variant="light" color="gray">
                        locked
                      </Badge>
                    ) : null}
                  </Group>
                )}
              </Table.Td>
              {hide === 'workstation' ? null : (
                <Table.Td>
                  <WorkstationLink workstation={s.workstation} />
                </Table.Td>
              )}
              {hide === 'employee' ? null : (
                <Table.Td>
                  {s.employee ? (
                    <EmployeeLink employee={s.employee} />
                  ) : (
                    <Text size="sm" c="dimmed">
                      Unknown
                    </Text>
                  )}
                </Table.Td>
              )}
              <Table.Td>
                <Text size="sm">{s.account}</Text>
                {s.remote ? (
                  <Badge size="xs" variant="outline">
                    remote
                  </Badge>
                ) : null}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{METHOD_LABELS[s.method] ?? s.method}</Text>
                {s.methods.length > 1 ? (
                  <Text size="xs" c="dimmed">
                    then {methodsText(s.methods.filter((m) => m !== s.method))}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>{formatDuration(s.durationSeconds)}</Table.Td>
              <Table.Td>
                {formatDuration(s.lockedSeconds)}
                {s.lockCount > 0 ? (
                  <Text size="xs" c="dimmed">
                    {s.lockCount} {s.lockCount === 1 ? 'lock' : 'locks'}
                  </Text>
                ) : null}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
