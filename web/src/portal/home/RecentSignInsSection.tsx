import { Box, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useSignIns } from '../api/portal';
import { formatTimestamp } from '../../shared/components/format';
import { QueryState } from '../../shared/components/QueryState';
import { OutcomeBadge } from '../../shared/components/StatusBadge';

const METHOD_LABELS: Record<string, string> = {
  passkey: 'Passkey',
  password: 'Password',
  'password+totp': 'Password and authenticator app',
  'password+passkey': 'Password and security key',
  security_key: 'Security key',
  'invitation+passkey': 'Invitation (passkey)',
  'invitation+security_key': 'Invitation (security key)',
  'invitation+password+totp': 'Invitation (password and authenticator app)',
};

/** A method name from the audit log ("password+totp") in words; null for attempts that never got that far. */
export const methodLabel = (method: string | null) =>
  method === null ? '—' : (METHOD_LABELS[method] ?? method.replace(/[_.+-]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase()));

/** "Recent sign-ins": time, method, outcome and IP address of the last sign-ins. */
export function RecentSignInsSection() {
  const signIns = useSignIns();
  const items = signIns.data?.items ?? [];
  // Two sign-ins can share a timestamp; the list is replaced whole, never reordered.
  const keys = items.map((event, index) => `${event.at}-${index}`);
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="signins-title">
      <Title order={2} size="h3" id="signins-title" mb="md">
        Recent sign-ins
      </Title>
      <QueryState query={signIns} />
      {signIns.data && items.length === 0 ? (
        <Text c="dimmed" size="sm" hiddenFrom="sm">
          No sign-ins yet
        </Text>
      ) : null}
      {signIns.data && items.length > 0 ? (
        // A phone: one line a sign-in, wrapped, never a table that scrolls sideways.
        <Box hiddenFrom="sm">
          <Stack component="ul" gap={0} aria-label="Recent sign-ins" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {items.map((event, index) => (
              <Box component="li" key={keys[index]} py="xs" style={{ borderTop: index ? '1px solid var(--mantine-color-default-border)' : undefined }}>
                <Group justify="space-between" gap="xs" wrap="wrap">
                  <Text size="sm" fw={500}>
                    {methodLabel(event.method)}
                  </Text>
                  <OutcomeBadge outcome={event.outcome} />
                </Group>
                <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                  {formatTimestamp(event.at)} · {event.ip ?? 'no IP address'}
                </Text>
              </Box>
            ))}
          </Stack>
        </Box>
      ) : null}
      {signIns.data ? (
        <Table.ScrollContainer minWidth={560} visibleFrom="sm">
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
