import { Badge, Table, Text } from '@mantine/core';
import type { WorkstationEvent } from '../../../shared/api/types';
import { formatTimestamp } from '../../../shared/components/format';
import { EmployeeLink, WorkstationLink } from './ActivityLinks';
import { EVENT_TYPE_LABELS, METHOD_LABELS } from './workstation-format';

/** What agents reported, newest first: time, workstation, type, who, method, OS session, remote address. */
export function EventsTable({ events, hideWorkstation = false }: { events: WorkstationEvent[]; hideWorkstation?: boolean }) {
  const columns = hideWorkstation ? 6 : 7;
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table highlightOnHover striped aria-label="Workstation events" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time</Table.Th>
            {hideWorkstation ? null : <Table.Th>Workstation</Table.Th>}
            <Table.Th>Event</Table.Th>
            <Table.Th>Who</Table.Th>
            <Table.Th>Method</Table.Th>
            <Table.Th>OS session</Table.Th>
            <Table.Th>Remote address</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={columns}>
                <Text c="dimmed" py="md" size="sm">
                  No events
                </Text>
              </Table.Td>
            </Table.Tr>
          ) : null}
          {events.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatTimestamp(e.occurredAt)}</Table.Td>
              {hideWorkstation ? null : (
                <Table.Td>
                  <WorkstationLink workstation={e.workstation} />
                </Table.Td>
              )}
              <Table.Td>
                <Badge variant="light" color={e.type === 'lock' || e.type === 'logoff' ? 'gray' : 'blue'}>
                  {EVENT_TYPE_LABELS[e.type] ?? e.type}
                </Badge>
              </Table.Td>
              <Table.Td>
                {e.employee ? <EmployeeLink employee={e.employee} /> : null}
                <Text size={e.employee ? 'xs' : 'sm'} c={e.employee ? 'dimmed' : undefined}>
                  {e.account ?? '—'}
                </Text>
              </Table.Td>
              <Table.Td>{e.method ? (METHOD_LABELS[e.method] ?? e.method) : '—'}</Table.Td>
              <Table.Td>{e.sessionId ?? '—'}</Table.Td>
              <Table.Td>{e.remoteAddress ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
