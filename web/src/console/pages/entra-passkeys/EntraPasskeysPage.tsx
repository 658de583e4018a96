import { Alert, Badge, Button, Code, Group, Paper, Select, Stack, Table, Tabs, Text, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconRefresh } from '@tabler/icons-react';
import { Fragment, useState } from 'react';
import {
  useDeleteEntraPasskey,
  useEntraDomains,
  usePairings,
  useRefreshPairings,
  type EntraPasskey,
  type Pairing,
  type PairingState,
} from '../../api/entra-passkeys';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { formatDateTime } from '../../../shared/components/format';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../../shared/components/QueryState';
import { useLastDefined } from '../../../shared/components/use-last-defined';

const tabs: { state: PairingState; label: string }[] = [
  { state: 'pending', label: 'Pending' },
  { state: 'paired_tessera', label: 'Paired with Tessera' },
  { state: 'paired_entra', label: 'Paired with Entra' },
];

/** Passkeys provisioned into Entra ID: users by pairing state, their passkeys, delete. */
export function EntraPasskeysPage() {
  const domains = useEntraDomains();
  const [picked, setPicked] = useState<string | null>(null);
  const domainId = picked ?? domains.data?.[0]?.id ?? null;
  const pairings = usePairings(domainId);
  const refresh = useRefreshPairings(domainId);
  const remove = useDeleteEntraPasskey(domainId);
  const [tab, setTab] = useState<PairingState>('pending');
  const [deleting, setDeleting] = useState<{ pairing: Pairing; passkey: EntraPasskey } | null>(null);
  const shown = useLastDefined(deleting);
  const domain = domains.data?.find((d) => d.id === domainId);

  const runRefresh = () =>
    refresh.mutate(undefined, {
      onSuccess: (s) =>
        notifySuccess(
          `${s.eligible} eligible: ${s.byState.pending} pending, ${s.byState.paired_tessera} paired with Tessera, ${s.byState.paired_entra} paired with Entra; ${s.missingInEntra} not found in Entra.`,
          'Pairings refreshed',
        ),
      onError: (error) => notifyError(error, 'Could not refresh from Entra'),
    });
  const confirmDelete = () => {
    if (!deleting) return;
    const { pairing, passkey } = deleting;
    remove.mutate(
      { employeeId: pairing.employeeId, passkeyId: passkey.id },
      {
        onSuccess: () => notifySuccess(`${passkey.displayName} was deleted in Entra ID.`, 'Passkey deleted'),
        onError: (error) => notifyError(error, 'Could not delete the passkey'),
        onSettled: () => setDeleting(null),
      },
    );
  };

  const rows = (pairings.data ?? []).filter((p) => p.state === tab);
  return (
    <>
      <PageHeader
        title="Entra passkeys"
        description="Passkeys Tessera provisions into Microsoft Entra ID, and each employee's pairing state (mirrored into the Entra groups Tessera Passkey Eligible / Paired / Paired with Entra)."
        actions={
          <Button
            leftSection={<IconRefresh size={16} />}
            onClick={runRefresh}
            loading={refresh.isPending}
            disabled={!domainId || domain?.settings.passkeys?.enabled === false}
          >
            Refresh from Entra
          </Button>
        }
      />
      <QueryState query={domains} />
      {domains.data && domains.data.length === 0 ? (
        <Alert color="blue" title="No Entra ID tenant yet">
          Add one under Settings → Domains (kind Entra ID) and turn on passkey provisioning.
        </Alert>
      ) : null}
      {domains.data && domains.data.length > 0 ? (
        <Stack gap="md">
          <Group>
            <Select
              label="Tenant"
              aria-label="Tenant"
              data={domains.data.map((d) => ({ value: d.id, label: d.name }))}
              value={domainId}
              onChange={setPicked}
              allowDeselect={false}
              w={320}
            />
            {domain?.settings.passkeys?.enabled === false ? (
              <Badge color="gray" mt="lg">
                Provisioning turned off
              </Badge>
            ) : null}
          </Group>
          <QueryState query={pairings} />
          <Tabs value={tab} onChange={(v) => setTab((v as PairingState) ?? 'pending')}>
            <Tabs.List>
              {tabs.map((t) => (
                <Tabs.Tab key={t.state} value={t.state}>
                  {t.label} ({(pairings.data ?? []).filter((p) => p.state === t.state).length})
                </Tabs.Tab>
              ))}
            </Tabs.List>
          </Tabs>
          <Paper withBorder radius="md" p="xs">
            <Table.ScrollContainer minWidth={900}>
              <Table aria-label="Pairings">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>E-mail</Table.Th>
                    <Table.Th>Passkeys</Table.Th>
                    <Table.Th>Last active</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.length === 0 ? (
                    <Table.Tr>
                      <Table.Td colSpan={4}>
                        <Text c="dimmed" py="md">
                          Nobody in this state
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ) : null}
                  {rows.map((p) => (
                    <Fragment key={p.employeeId}>
                      <Table.Tr data-testid={`pairing-${p.email}`}>
                        <Table.Td>
                          <Group gap={6} wrap="nowrap">
                            <Text size="sm">{p.name}</Text>
                            {p.isMissingInEntra ? (
                              <Badge color="red" variant="light">
                                Not found in Entra
                              </Badge>
                            ) : null}
                            {p.unpairedAt ? (
                              <Tooltip label={`Unpaired on ${formatDateTime(p.unpairedAt)}`}>
                                <IconAlertTriangle size={16} color="orange" aria-label="This user unpaired" />
                              </Tooltip>
                            ) : null}
                          </Group>
                        </Table.Td>
                        <Table.Td>{p.email}</Table.Td>
                        <Table.Td>{p.passkeys.length}</Table.Td>
                        <Table.Td>{p.lastUsedAt ? formatDateTime(p.lastUsedAt) : 'Never'}</Table.Td>
                      </Table.Tr>
                      {p.passkeys.map((k) => (
                        <Table.Tr key={k.id} bg="var(--mantine-color-gray-light)">
                          <Table.Td pl="xl">
                            <Text size="sm">{k.displayName}</Text>
                          </Table.Td>
                          <Table.Td>
                            <Text size="sm">{k.model ?? 'Unknown model'}</Text>
                            <Code fz="xs">{k.aaguid ?? '—'}</Code>
                          </Table.Td>
                          <Table.Td>
                            <Text size="xs">Created {formatDateTime(k.createdAt)}</Text>
                          </Table.Td>
                          <Table.Td>
                            <Group justify="space-between" wrap="nowrap">
                              <Text size="xs">Last used {k.lastUsedAt ? formatDateTime(k.lastUsedAt) : 'never'}</Text>
                              <Button
                                size="compact-sm"
                                variant="subtle"
                                color="red"
                                onClick={() => setDeleting({ pairing: p, passkey: k })}
                                aria-label={`Delete ${k.displayName}`}
                              >
                                Delete
                              </Button>
                            </Group>
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Fragment>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
        </Stack>
      ) : null}
      <ConfirmDialog
        opened={deleting !== null}
        title="Delete passkey"
        confirmLabel="Delete"
        loading={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      >
        {`Delete ${shown?.passkey.displayName ?? ''} of ${shown?.pairing.name ?? ''}? It is deleted in Entra ID too: it no longer signs in there.`}
      </ConfirmDialog>
    </>
  );
}
