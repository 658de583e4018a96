import { Anchor, Badge, Group, Paper, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import type { VaultAccountKind } from '../../../shared/api/vault-types';
import { formatDateTime } from '../../../shared/components/format';
import { ListTable } from '../../../shared/components/ListTable';
import { QueryState } from '../../../shared/components/QueryState';
import { useEmployeeVaultAccounts } from '../../api/vault';
import { storedText } from '../vault/SharedAccountsTab';

const KIND: Record<VaultAccountKind, { label: string; color: string }> = {
  directory: { label: 'Directory', color: 'blue' },
  shared: { label: 'Shared', color: 'grape' },
  personal: { label: 'Personal', color: 'gray' },
};

/** "Accounts" of one employee: their directory, shared and personal vault accounts, by name only (secrets are theirs to reveal in the portal). */
export function VaultAccountsCard({ employeeId, employeeName }: { employeeId: string; employeeName: string }) {
  const accounts = useEmployeeVaultAccounts(employeeId);
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="employee-vault-title">
      <Title order={2} size="h4" id="employee-vault-title">
        Accounts
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        What {employeeName} has in the vault. Secrets are never shown here: the employee reveals them in their portal after a passkey check.{' '}
        <Anchor component={Link} to="/vault" size="sm">
          Manage shared accounts
        </Anchor>
      </Text>
      <QueryState query={accounts} />
      {accounts.data ? (
        <ListTable
          label="Vault accounts"
          columns={['Name', 'Kind', 'Login', 'Stored', 'Workstation logon', 'Password changed']}
          isEmpty={accounts.data.length === 0}
          empty="No accounts"
          minWidth={800}
        >
          {accounts.data.map((a) => (
            <Table.Tr key={`${a.kind}-${a.id}`}>
              <Table.Td>
                <Text size="sm" fw={500}>
                  {a.name}
                </Text>
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  <Badge size="sm" variant="light" color={KIND[a.kind].color}>
                    {KIND[a.kind].label}
                  </Badge>
                </Group>
              </Table.Td>
              <Table.Td>{a.login || '—'}</Table.Td>
              <Table.Td>{a.kind === 'directory' ? (a.hasPassword ? 'password rotated by Tessera' : 'not managed') : storedText(a)}</Table.Td>
              <Table.Td>{a.workstationUse ? 'Yes' : 'No'}</Table.Td>
              <Table.Td>{a.passwordChangedAt ? formatDateTime(a.passwordChangedAt) : '—'}</Table.Td>
            </Table.Tr>
          ))}
        </ListTable>
      ) : null}
    </Paper>
  );
}
