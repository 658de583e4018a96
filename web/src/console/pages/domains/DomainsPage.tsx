import { Alert, Badge, Button, Group, List, Table, Text } from '@mantine/core';
import { EmptyState } from '../../../shared/components/EmptyState';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useDeleteDomain, useDomains, useStartSync, useTestDomain, type ConnectionTest, type Domain } from '../../api/directory';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { formatDateTime } from '../../../shared/components/format';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { PageHeader } from '../../components/PageHeader';
import { ListTable } from '../../../shared/components/ListTable';
import { QueryState } from '../../../shared/components/QueryState';
import { DomainModal } from './DomainModal';
import { EntraDomainModal } from './EntraDomainModal';
import { SyncRunsCard } from './SyncRunsCard';
import { OUTCOME_TEXT } from './connection-test';

const REMOVAL_LABEL = { keep: 'Keep', deactivate: 'Deactivate', delete: 'Delete' } as const;

/** Settings → Domains: Active Directory domains (and other directories), each managed on its own. */
export function DomainsPage() {
  const domains = useDomains();
  const test = useTestDomain();
  const sync = useStartSync();
  const remove = useDeleteDomain();
  const [editing, setEditing] = useState<Domain | null | undefined>(undefined);
  const [editingEntra, setEditingEntra] = useState<Domain | null | undefined>(undefined);
  // ?domain=<id> (the dashboard's "Review and confirm" link) opens that domain's sync history.
  const [params] = useSearchParams();
  const [selected, setSelected] = useState<string | null>(params.get('domain'));
  const [deleting, setDeleting] = useState<Domain | null>(null);
  const [result, setResult] = useState<{ domain: string; test: ConnectionTest } | null>(null);
  const current = domains.data?.find((d) => d.id === selected) ?? domains.data?.[0] ?? null;

  const runTest = (d: Domain) =>
    test.mutate(d.id, {
      onSuccess: (r) => setResult({ domain: d.name, test: r }),
      onError: (e) => notifyError(e, 'Test failed'),
    });
  const startSync = (d: Domain, dryRun: boolean) => {
    setSelected(d.id);
    sync.mutate(
      { id: d.id, dryRun },
      {
        onSuccess: () => notifySuccess(dryRun ? 'Dry run started: nothing will change.' : 'Sync started.', d.name),
        onError: (e) => notifyError(e, 'Could not start the sync'),
      },
    );
  };

  return (
    <>
      <PageHeader
        title="Domains"
        description="Directories employees are imported from, by group, with password rotation."
        actions={
          <>
            <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing(null)}>
              Add domain
            </Button>
            <Button variant="light" leftSection={<IconPlus size={16} />} onClick={() => setEditingEntra(null)}>
              Add Entra ID tenant
            </Button>
          </>
        }
      />
      <QueryState query={domains} />
      {result ? (
        <Alert
          mb="md"
          color={result.test.outcome === 'ok' ? 'teal' : 'red'}
          title={`Test connection, ${result.domain}: ${result.test.outcome}`}
          withCloseButton
          onClose={() => setResult(null)}
          role="status"
        >
          <Text size="sm">
            {OUTCOME_TEXT[result.test.outcome] ?? ''} {result.test.message}
          </Text>
          <List size="sm" mt="xs">
            {result.test.steps.map((s) => (
              <List.Item key={s.step}>
                {s.ok ? '✓' : '✗'} {s.message}
              </List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
      {domains.data ? (
        <ListTable
          label="Domains"
          columns={['Domain', 'Groups', 'Leavers', 'Rotation', 'Last sync', 'Actions']}
          isEmpty={domains.data.length === 0}
          empty={
            <EmptyState
              title="No domain yet"
              hint="Connect Active Directory or an Entra ID tenant to import employees by group membership; until then employees are added by hand."
              action={{ label: 'Add the first domain', onClick: () => setEditing(null) }}
            />
          }
        >
          {domains.data.map((d) => (
            <Table.Tr key={d.id} onClick={() => setSelected(d.id)} style={{ cursor: 'pointer' }}>
              <Table.Td>
                <Text size="sm" fw={500}>
                  {d.name}
                </Text>
                <Group gap={4}>
                  <Badge size="xs" variant="light">
                    {d.kind === 'ad' ? 'Active Directory' : d.kind === 'entra' ? 'Entra ID' : d.kind}
                  </Badge>
                  {d.settings.skipTlsVerify ? (
                    <Badge size="xs" color="red">
                      TLS not verified
                    </Badge>
                  ) : null}
                  {!d.isSyncEnabled ? (
                    <Badge size="xs" color="red" title="Without the bind password every sync scenario of this domain is stopped">
                      No credentials: sync stopped
                    </Badge>
                  ) : null}
                </Group>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{d.syncGroup}</Text>
                <Text size="xs" c="dimmed">
                  {d.rotationGroup}
                </Text>
              </Table.Td>
              <Table.Td>
                {REMOVAL_LABEL[d.removalBehaviour]}{' '}
                <Text size="xs" c="dimmed">
                  stop above {d.removalThresholdPercent}%
                </Text>
              </Table.Td>
              <Table.Td>{d.passwordChangeDays > 0 ? `every ${d.passwordChangeDays} days` : 'off'}</Table.Td>
              <Table.Td>{d.lastSyncAt ? formatDateTime(d.lastSyncAt) : 'Never'}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Button
                    size="compact-sm"
                    variant="light"
                    onClick={(e) => {
                      e.stopPropagation();
                      runTest(d);
                    }}
                    loading={test.isPending && test.variables === d.id}
                  >
                    Test connection
                  </Button>
                  <Button
                    size="compact-sm"
                    variant="light"
                    disabled={!d.isSyncEnabled}
                    onClick={(e) => {
                      e.stopPropagation();
                      startSync(d, true);
                    }}
                  >
                    Dry run
                  </Button>
                  <Button
                    size="compact-sm"
                    disabled={!d.isSyncEnabled}
                    onClick={(e) => {
                      e.stopPropagation();
                      startSync(d, false);
                    }}
                  >
                    Sync now
                  </Button>
                  {d.kind === 'ad' || d.kind === 'entra' ? (
                    <Button
                      size="compact-sm"
                      variant="subtle"
                      onClick={(e) => {
                        e.stopPropagation();
                        if (d.kind === 'entra') setEditingEntra(d);
                        else setEditing(d);
                      }}
                    >
                      Edit
                    </Button>
                  ) : null}
                  <Button
                    size="compact-sm"
                    variant="subtle"
                    color="red"
                    onClick={(e) => {
                      e.stopPropagation();
                      setDeleting(d);
                    }}
                  >
                    Delete
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </ListTable>
      ) : null}
      {current ? <SyncRunsCard key={current.id} domain={current} /> : null}
      {editing !== undefined ? <DomainModal key={editing?.id ?? 'new'} domain={editing} opened onClose={() => setEditing(undefined)} /> : null}
      {editingEntra !== undefined ? (
        <EntraDomainModal key={editingEntra?.id ?? 'new-entra'} domain={editingEntra} opened onClose={() => setEditingEntra(undefined)} />
      ) : null}
      <ConfirmDialog
        opened={!!deleting}
        title={`Delete ${deleting?.name ?? ''}?`}
        confirmLabel="Delete domain"
        loading={remove.isPending}
        onClose={() => setDeleting(null)}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.id, { onSuccess: () => notifySuccess('Domain deleted'), onError: (e) => notifyError(e), onSettled: () => setDeleting(null) })
        }
      >
        Its employees stay, unlinked from this domain; its sync history and saved domain passwords go.
      </ConfirmDialog>
    </>
  );
}
