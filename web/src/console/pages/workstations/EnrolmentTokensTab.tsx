import { Badge, Button, Code, Group, Table, Text } from '@mantine/core';
import { EmptyState } from '../../../shared/components/EmptyState';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import type { CreatedEnrolmentToken, EnrolmentToken } from '../../../shared/api/types';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { formatDateTime } from '../../../shared/components/format';
import { ListTable } from '../../../shared/components/ListTable';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { QueryState } from '../../../shared/components/QueryState';
import { useLastDefined } from '../../../shared/components/use-last-defined';
import { useEnrolmentTokens, useRevokeEnrolmentToken } from '../../api/workstation-setup';
import { CreateTokenModal } from './CreateTokenModal';
import { TokenSecretModal } from './TokenSecretModal';
import { useLookups } from './use-lookups';
import { TokenStateBadge } from './WorkstationBadges';

/** Enrolment tokens: what an agent enrols with (`tessera-agent enroll --token-file`), one-time or for a rollout. */
export function EnrolmentTokensTab() {
  const tokens = useEnrolmentTokens();
  const revoke = useRevokeEnrolmentToken();
  const lookups = useLookups();
  const [creating, { open, close }] = useDisclosure(false);
  const [created, setCreated] = useState<CreatedEnrolmentToken | null>(null);
  const [revoking, setRevoking] = useState<EnrolmentToken | null>(null);
  const shownRevoke = useLastDefined(revoking);

  const confirmRevoke = () => {
    if (!revoking) return;
    const token = revoking;
    revoke.mutate(token.id, {
      onSuccess: () => notifySuccess(`${token.name} can no longer enrol computers.`, 'Enrolment token revoked'),
      onError: (error) => notifyError(error, 'Could not revoke the token'),
      onSettled: () => setRevoking(null),
    });
  };

  return (
    <>
      <Group justify="space-between" mb="md">
        <Text size="sm" c="dimmed">
          An agent enrols with a token once; afterwards it signs every request with its own key. Revoking a token does not affect workstations that already
          enrolled.
        </Text>
        <Button leftSection={<IconPlus size={16} />} onClick={open}>
          Create enrolment token
        </Button>
      </Group>
      <QueryState query={tokens} />
      {tokens.data ? (
        <ListTable
          label="Enrolment tokens"
          columns={['Name', 'Prefix', 'Uses', 'Expires', 'Approval', 'Assigns', 'Last used', 'State', 'Actions']}
          isEmpty={tokens.data.length === 0}
          empty={
            <EmptyState
              title="No enrolment tokens yet"
              hint="Create a token, then run tessera-agent enroll with it on each computer (or hand it to your GPO or MDM rollout)."
              action={{ label: 'Create the first enrolment token', onClick: open }}
            />
          }
          minWidth={1100}
        >
          {tokens.data.map((t) => (
            <Table.Tr key={t.id}>
              <Table.Td>
                <Text size="sm">{t.name}</Text>
                <Text size="xs" c="dimmed">
                  {t.createdBy ? `by ${t.createdBy}, ` : ''}
                  {formatDateTime(t.createdAt)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Code>{t.prefix}</Code>
              </Table.Td>
              <Table.Td>{t.maxUses === 1 ? (t.uses === 1 ? 'used (one-time)' : 'one-time') : `${t.uses} of ${t.maxUses}`}</Table.Td>
              <Table.Td>{formatDateTime(t.expiresAt)}</Table.Td>
              <Table.Td>
                {t.autoApprove ? (
                  <Badge variant="light" color="orange">
                    automatic
                  </Badge>
                ) : (
                  'by an admin'
                )}
              </Table.Td>
              <Table.Td>
                {t.departmentId || t.profileId ? (
                  <>
                    {t.departmentId ? <Text size="sm">{lookups.departmentName(t.departmentId)}</Text> : null}
                    {t.profileId ? (
                      <Text size="xs" c="dimmed">
                        profile {lookups.profileName(t.profileId)}
                      </Text>
                    ) : null}
                  </>
                ) : (
                  '—'
                )}
              </Table.Td>
              <Table.Td>{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'Never'}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <TokenStateBadge state={t.state} />
              </Table.Td>
              <Table.Td>
                {t.state === 'usable' ? (
                  <Button size="compact-sm" variant="subtle" color="red" onClick={() => setRevoking(t)}>
                    Revoke
                  </Button>
                ) : null}
              </Table.Td>
            </Table.Tr>
          ))}
        </ListTable>
      ) : null}
      <CreateTokenModal
        opened={creating}
        onClose={close}
        lookups={lookups}
        onCreated={(result) => {
          close();
          setCreated(result);
        }}
      />
      <TokenSecretModal created={created} onClose={() => setCreated(null)} />
      <ConfirmDialog
        opened={revoking !== null}
        title="Revoke enrolment token"
        confirmLabel="Revoke"
        loading={revoke.isPending}
        onConfirm={confirmRevoke}
        onClose={() => setRevoking(null)}
      >
        {`Revoke ${shownRevoke?.name ?? ''}? Computers can no longer enrol with it; those that did stay enrolled.`}
      </ConfirmDialog>
    </>
  );
}
