import { Badge, Button, Group, Modal, Paper, PasswordInput, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { FormErrorSummary, useServerForm } from '../../components/forms';
import { useDirectoryAccounts, useSetDomainPassword, type DirectoryAccount } from '../../api/directory';
import { formatDateTime } from '../../../shared/components/format';

/** Admin sets a domain password, or has one generated that nobody sees (it is kept sealed for the employee's key). */
function PasswordDialog({ employeeId, account, onClose }: { employeeId: string; account: DirectoryAccount; onClose: () => void }) {
  const set = useSetDomainPassword(employeeId);
  const [password, setPassword] = useState('');
  const form = useServerForm();
  const run = (body: { password: string } | { generate: true }) =>
    void form.submit(() => set.mutateAsync({ accountId: account.id, body }), {
      success: { title: 'Password changed', message: `The domain password of ${account.username} was changed.` },
      onSuccess: onClose,
    });
  return (
    <Modal opened onClose={onClose} title={`Domain password of ${account.upn ?? account.username}`}>
      <Stack>
        <FormErrorSummary form={form} title="Password not changed" />
        <PasswordInput
          label="New password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          autoComplete="new-password"
          {...form.field('password')}
        />
        <Group justify="space-between">
          <Button variant="light" onClick={() => run({ generate: true })} loading={form.saving}>
            Generate a strong password
          </Button>
          <Button onClick={() => run({ password })} disabled={!password} loading={form.saving}>
            Set this password
          </Button>
        </Group>
        <Text size="xs" c="dimmed">
          A generated password is written to the domain and kept sealed for the employee's key: nobody, admins included, can read it.
        </Text>
      </Stack>
    </Modal>
  );
}

/** The employee's domain accounts (their hardware keys, which make a rotation-group member eligible for rotation, have their own card). */
export function DirectoryCard({ employeeId }: { employeeId: string }) {
  const accounts = useDirectoryAccounts(employeeId);
  const [changing, setChanging] = useState<DirectoryAccount | null>(null);

  return (
    <Paper withBorder radius="md" p="md" mt="md">
      <Title order={4} mb="xs">
        Domain accounts
      </Title>
      <Table aria-label="Domain accounts">
        <Table.Tbody>
          {(accounts.data ?? []).length === 0 ? (
            <Table.Tr>
              <Table.Td>
                <Text c="dimmed" size="sm">
                  Not linked to a domain
                </Text>
              </Table.Td>
            </Table.Tr>
          ) : null}
          {(accounts.data ?? []).map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td>
                <Text size="sm" fw={500}>
                  {a.upn ?? a.username}
                </Text>
                <Text size="xs" c="dimmed">
                  {a.domainName}
                </Text>
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {!a.isEnabled ? (
                    <Badge size="xs" color="red">
                      disabled in the domain
                    </Badge>
                  ) : null}
                  {!a.isMember ? (
                    <Badge size="xs" color="gray">
                      left the sync group
                    </Badge>
                  ) : null}
                  {a.isRotationMember ? (
                    <Badge size="xs" variant="light">
                      password rotation
                    </Badge>
                  ) : null}
                  {a.hasManagedPassword ? (
                    <Badge size="xs" color="teal" variant="light">
                      password managed
                    </Badge>
                  ) : null}
                  {a.hasPendingPassword ? (
                    <Badge size="xs" color="orange">
                      change pending
                    </Badge>
                  ) : null}
                </Group>
              </Table.Td>
              <Table.Td>
                <Text size="xs" c="dimmed">
                  {a.passwordChangedAt ? `changed ${formatDateTime(a.passwordChangedAt)}` : ''}
                </Text>
              </Table.Td>
              <Table.Td>
                <Button size="compact-sm" variant="subtle" onClick={() => setChanging(a)}>
                  Change password
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {changing ? <PasswordDialog employeeId={employeeId} account={changing} onClose={() => setChanging(null)} /> : null}
    </Paper>
  );
}
