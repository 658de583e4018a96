import { Paper, Table, Text, Title } from '@mantine/core';
import { useSignIns } from '../api/portal';
import { formatTimestamp } from '../../shared/components/format';
import { QueryState } from '../../shared/components/QueryState';
import { OutcomeBadge } from '../../shared/components/StatusBadge';

const METHOD_LABELS: Record<string, string> = {
  passkey: 'Passkey',
  password: 'Password',
  'password+totp': 'Password and authenticator app',
  'password+passkey': 'Password and security key',
  'invitation+passkey': 'Invitation (passkey)',
  'invitation+password+totp': 'Invitation (password and authenticator app)',
};

/** A method name from the audit log ("password+totp") in words; null for attempts that never got that far. */
export const methodLabel = (method: string | null) =>
  method === null ? '—' : (METHOD_LABELS[method] ?? method.replace(/[_.+-]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase()));

/** "Recent sign-ins": time, method, outcome and IP address of the last sign-ins. */
export function RecentSignInsSection() {
  const signIns = useSignIns();
  const items = signIns.data?.items ?? [];
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="signins-title">
      <Title order={2} size="h3" id="signins-title" mb="md">
        Recent sign-ins
      </Title>
      <QueryState query={signIns} />
      {signIns.data ? (
        <Table.ScrollContainer minWidth={560}>
          <Table aria-label="Recent sign-ins" verticalSpacing="xs" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Time</Table.Th>
                <Table.Th>Method</Table.Th>
                <Table.Th>Outcome</Table.Th>
                <Table.Th>IP address</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.length === 0 ? (
                <Table.Tr>
                  <Table.Td colSpan={4}>
                    <Text c="dimmed" size="sm">
                      No sign-ins yet
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ) : null}
              {items.map((event, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: two sign-ins can share a timestamp; the list is replaced whole, never reordered
                <Table.Tr key={`${event.at}-${index}`}>
                  <Table.Td>{formatTimestamp(event.at)}</Table.Td>
                  <Table.Td>{methodLabel(event.method)}</Table.Td>
                  <Table.Td>
                    <OutcomeBadge outcome={event.outcome} />
                  </Table.Td>
                  <Table.Td title={event.userAgent ?? undefined}>{event.ip ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
    </Paper>
  );
}
