import { Badge, Button, Code, Paper, Table, Text } from '@mantine/core';
import { EmptyState } from '../../../shared/components/EmptyState';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useApiKeys, useRevokeApiKey } from '../../api/api-keys';
import type { ApiKey, CreatedApiKey } from '../../../shared/api/types';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { formatDate, formatDateTime } from '../../../shared/components/format';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../../shared/components/QueryState';
import { useLastDefined } from '../../../shared/components/use-last-defined';
import { CreateApiKeyModal } from './CreateApiKeyModal';
import { SecretModal } from './SecretModal';

type KeyStatus = 'active' | 'expired' | 'revoked';

function keyStatus(key: ApiKey): KeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && new Date(key.expiresAt) <= new Date()) return 'expired';
  return 'active';
}

const statusColor: Record<KeyStatus, string> = { active: 'teal', expired: 'yellow', revoked: 'gray' };

export function ApiKeysPage() {
  const apiKeys = useApiKeys();
  const revoke = useRevokeApiKey();
  const [creating, { open, close }] = useDisclosure(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const shownRevoke = useLastDefined(revoking);

  const confirmRevoke = () => {
    if (!revoking) return;
    const key = revoking;
    revoke.mutate(key.id, {
      onSuccess: () => notifySuccess(`${key.name} can no longer be used.`, 'API key revoked'),
      onError: (error) => notifyError(error, 'Could not revoke the key'),
      onSettled: () => setRevoking(null),
    });
  };

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys for scripts and integrations that call the REST API."
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={open}>
            Create API key
          </Button>
        }
      />
      <QueryState query={apiKeys} />
      {apiKeys.data ? (
        <Paper withBorder radius="md" p="xs">
          <Table.ScrollContainer minWidth={900}>
            <Table highlightOnHover aria-label="API keys">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Scope</Table.Th>
                  <Table.Th>Prefix</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th>Expires</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {apiKeys.data.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={8}>
                      <EmptyState
                        title="No API keys yet"
                        hint="Create one for each script or integration that calls the REST API, with the narrowest scope it needs."
                        action={{ label: 'Create the first API key', onClick: open }}
                      />
                    </Table.Td>
                  </Table.Tr>
                ) : null}
                {apiKeys.data.map((key) => {
                  const status = keyStatus(key);
                  return (
                    <Table.Tr key={key.id}>
                      <Table.Td>
                        <Text size="sm">{key.name}</Text>
                        {key.createdBy ? (
                          <Text size="xs" c="dimmed">
                            by {key.createdBy}
                          </Text>
                        ) : null}
                      </Table.Td>
                      <Table.Td>{key.scope}</Table.Td>
                      <Table.Td>
                        <Code>{key.prefix}</Code>
                      </Table.Td>
                      <Table.Td>{formatDateTime(key.createdAt)}</Table.Td>
                      <Table.Td>{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : 'Never'}</Table.Td>
                      <Table.Td>{key.expiresAt ? formatDate(key.expiresAt) : 'Never'}</Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={statusColor[status]}>
                          {status}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        {status === 'revoked' ? null : (
                          <Button size="compact-sm" variant="subtle" color="red" onClick={() => setRevoking(key)}>
                            Revoke
                          </Button>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      ) : null}

      <CreateApiKeyModal
        opened={creating}
        onClose={close}
        onCreated={(result) => {
          close();
          setCreated(result);
        }}
      />
      <SecretModal created={created} onClose={() => setCreated(null)} />
      <ConfirmDialog
        opened={revoking !== null}
        title="Revoke API key"
        confirmLabel="Revoke"
        loading={revoke.isPending}
        onConfirm={confirmRevoke}
        onClose={() => setRevoking(null)}
      >
        {`Revoke ${shownRevoke?.name ?? ''}? Anything using it stops working immediately.`}
      </ConfirmDialog>
    </>
  );
}
