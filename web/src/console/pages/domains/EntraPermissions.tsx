import { Button, CopyButton, Group, Paper, Table, Text, Title } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useEntraPermissions, type EntraPermission } from '../../api/directory';

/** Whether the form's settings use the feature a permission is for. */
function isNeeded(p: EntraPermission, use: { rotation: boolean; passkeys: boolean }): boolean {
  if (p.feature === 'rotation') return use.rotation;
  if (p.feature === 'passkeys' || p.feature === 'pairingGroups') return use.passkeys;
  return true;
}

/**
 * The Microsoft Graph application permissions the app registration needs for what this form turns
 * on (the list the connector's Test connection checks), each with why, and a copy button.
 */
export function EntraPermissions({ rotation, passkeys }: { rotation: boolean; passkeys: boolean }) {
  const permissions = useEntraPermissions();
  if (!permissions.data) return null;
  const needed = permissions.data.filter((p) => isNeeded(p, { rotation, passkeys }));
  const names = [...new Set(needed.map((p) => p.permission))];
  return (
    <Paper withBorder p="sm" radius="md" component="section" aria-labelledby="entra-permissions-title">
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <div>
          <Title order={3} size="h5" id="entra-permissions-title">
            Graph permissions the app registration needs
          </Title>
          <Text size="xs" c="dimmed">
            In Entra ID: App registrations → your app → API permissions → Add a permission → Microsoft Graph → Application permissions; then Grant admin
            consent.
          </Text>
        </div>
        <CopyButton value={names.join('\n')}>
          {({ copied, copy }) => (
            <Button size="compact-sm" variant="light" onClick={copy} leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />}>
              {copied ? 'Copied' : 'Copy permissions'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Table.ScrollContainer minWidth={360}>
        <Table aria-label="Graph permissions" verticalSpacing={4} fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Permission</Table.Th>
              <Table.Th>Why</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {needed.map((p) => (
              <Table.Tr key={p.feature}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <Text size="sm" ff="monospace">
                    {p.permission}
                  </Text>
                  {p.when !== 'always' ? (
                    <Text size="xs" c="dimmed">
                      {p.when}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  {p.why}
                  {p.alternatives.length > 0 ? <Text size="xs" c="dimmed">{`Also enough: ${p.alternatives.join(', ')}`}</Text> : null}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}
