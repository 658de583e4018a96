import { Code, Table, Text } from '@mantine/core';
import type { WorkstationCommand } from '../../../shared/api/types';
import { formatTimestamp } from '../../../shared/components/format';
import { COMMAND_LABELS } from './workstation-format';
import { CommandStateBadge } from './WorkstationBadges';

/** A workstation's commands, newest first: kind, state, attempts, and when it was issued, sent and acknowledged. */
export function CommandsTable({ commands }: { commands: WorkstationCommand[] }) {
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table highlightOnHover striped aria-label="Commands" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Command</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Reason</Table.Th>
            <Table.Th>Issued</Table.Th>
            <Table.Th>Attempts</Table.Th>
            <Table.Th>Sent</Table.Th>
            <Table.Th>Acknowledged</Table.Th>
            <Table.Th>Result</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {commands.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={8}>
                <Text c="dimmed" py="md" size="sm">
                  No commands yet
                </Text>
              </Table.Td>
            </Table.Tr>
          ) : null}
          {commands.map((c) => (
            <Table.Tr key={c.id} data-testid="command-row" data-kind={c.kind} data-state={c.state}>
              <Table.Td>{COMMAND_LABELS[c.kind] ?? c.kind}</Table.Td>
              <Table.Td>
                <CommandStateBadge state={c.state} />
              </Table.Td>
              <Table.Td>{c.reason ?? '—'}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                {formatTimestamp(c.createdAt)}
                {c.issuedBy ? (
                  <Text size="xs" c="dimmed">
                    by {c.issuedBy}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>{c.attempts}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatTimestamp(c.sentAt)}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                {formatTimestamp(c.acknowledgedAt)}
                {c.state === 'queued' || c.state === 'sent' ? (
                  <Text size="xs" c="dimmed">
                    expires {formatTimestamp(c.expiresAt)}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>{c.result ? <Code>{c.result}</Code> : '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
