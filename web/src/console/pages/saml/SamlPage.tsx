import { Badge, Button, Code, Group, Stack, Switch, Table, Tabs, Text } from '@mantine/core';
import { EmptyState } from '../../../shared/components/EmptyState';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useDeleteServiceProvider, useServiceProviders, useUpdateServiceProvider, type ServiceProvider, type SsoProtocol } from '../../api/saml';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { PageHeader } from '../../components/PageHeader';
import { ListTable } from '../../../shared/components/ListTable';
import { QueryState } from '../../../shared/components/QueryState';
import { useLastDefined } from '../../../shared/components/use-last-defined';
import { ServiceProviderModal } from './ServiceProviderModal';
import { SigningKeysCard } from './SigningKeysCard';
import { GiveApplicationModal } from './GiveApplicationModal';

/** Settings → SAML: service providers, WS-Fed relying parties, and the IdP's endpoints and signing keys. */
export function SamlPage() {
  const [tab, setTab] = useState<string | null>('saml');
  return (
    <>
      <PageHeader title="SAML & WS-Federation" description="Applications that sign employees in with SAML 2.0 or WS-Federation." />
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="saml">Service providers</Tabs.Tab>
          <Tabs.Tab value="wsfed">WS-Fed relying parties</Tabs.Tab>
          <Tabs.Tab value="idp">Identity provider</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="saml">
          <ProviderList protocol="saml" />
        </Tabs.Panel>
        <Tabs.Panel value="wsfed">
          <ProviderList protocol="wsfed" />
        </Tabs.Panel>
        <Tabs.Panel value="idp">
          <SigningKeysCard />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}

function ProviderList({ protocol }: { protocol: SsoProtocol }) {
  const list = useServiceProviders(protocol);
  const update = useUpdateServiceProvider(protocol);
  const remove = useDeleteServiceProvider(protocol);
  const [adding, { open, close }] = useDisclosure(false);
  const [editing, setEditing] = useState<ServiceProvider | null>(null);
  const shownEdit = useLastDefined(editing);
  const [deleting, setDeleting] = useState<ServiceProvider | null>(null);
  const [created, setCreated] = useState<ServiceProvider | null>(null);
  const shownDelete = useLastDefined(deleting);
  const isSaml = protocol === 'saml';
  const what = isSaml ? 'service provider' : 'relying party';

  const toggle = (sp: ServiceProvider, enabled: boolean) =>
    update.mutate(
      { id: sp.id, patch: { enabled } },
      {
        onError: (error) => notifyError(error, `Could not change ${sp.name}`),
      },
    );
  const confirmDelete = () => {
    if (!deleting) return;
    const sp = deleting;
    remove.mutate(sp.id, {
      onSuccess: () => notifySuccess(`Employees can no longer sign in to ${sp.name}.`, `${isSaml ? 'Service provider' : 'Relying party'} removed`),
      onError: (error) => notifyError(error, `Could not remove the ${what}`),
      onSettled: () => setDeleting(null),
    });
  };

  return (
    <Stack>
      <Group justify="flex-end">
        <Button leftSection={<IconPlus size={16} />} onClick={open}>
          {isSaml ? 'Add service provider' : 'Add relying party'}
        </Button>
      </Group>
      <QueryState query={list} />
      {list.data ? (
        <ListTable
          label={isSaml ? 'SAML service providers' : 'WS-Fed relying parties'}
          columns={['Name', isSaml ? 'Entity ID' : 'Realm', 'NameID', isSaml ? 'Signing' : 'Token', 'Enabled', 'Actions']}
          isEmpty={list.data.length === 0}
          empty={
            <EmptyState
              title={isSaml ? 'No service providers yet' : 'No relying parties yet'}
              hint={
                isSaml
                  ? 'Add each application that signs in with SAML 2.0, from its metadata URL or file.'
                  : 'Add each application that signs in with WS-Federation (Exchange OWA/ECP, older Microsoft applications).'
              }
              action={{ label: isSaml ? 'Add the first service provider' : 'Add the first relying party', onClick: open }}
            />
          }
        >
          {list.data.map((sp) => (
            <Table.Tr key={sp.id}>
              <Table.Td>
                <Text size="sm">{sp.name}</Text>
                {sp.source === 'config' ? (
                  <Text size="xs" c="dimmed">
                    from the configuration file
                  </Text>
                ) : null}
                {sp.preset ? (
                  <Badge variant="light" color="gray" size="xs">
                    {sp.preset}
                  </Badge>
                ) : null}
              </Table.Td>
              <Table.Td>
                <Code>{sp.entityId}</Code>
                <Text size="xs" c="dimmed">
                  {sp.acsEndpoints[0]?.url}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">
                  {sp.nameIdFormat}
                  {sp.nameIdFormat === 'transient' ? '' : ` (${sp.nameIdField})`}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">
                  {isSaml
                    ? [
                        sp.signResponse && 'response',
                        sp.signAssertion && 'assertion',
                        sp.encryptAssertion && 'encrypted',
                        sp.requireSignedRequests && 'signed requests',
                      ]
                        .filter(Boolean)
                        .join(', ')
                    : sp.tokenType === 'saml11'
                      ? 'SAML 1.1'
                      : 'SAML 2.0'}
                </Text>
              </Table.Td>
              <Table.Td>
                <Switch
                  aria-label={`${sp.name} enabled`}
                  checked={sp.enabled}
                  onChange={(e) => toggle(sp, e.currentTarget.checked)}
                  disabled={sp.source === 'config'}
                />
              </Table.Td>
              <Table.Td>
                {sp.source === 'config' ? null : (
                  <Group gap="xs" wrap="nowrap">
                    <Button size="compact-sm" variant="subtle" onClick={() => setEditing(sp)} aria-label={`Edit ${sp.name}`}>
                      Edit
                    </Button>
                    <Button size="compact-sm" variant="subtle" color="red" onClick={() => setDeleting(sp)}>
                      Remove
                    </Button>
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </ListTable>
      ) : null}
      <Text size="xs" c="dimmed">
        Entries from the configuration file (TESSERA_CONFIG) are changed there and shown read-only here.
      </Text>
      <ServiceProviderModal
        protocol={protocol}
        opened={adding}
        onClose={close}
        onSaved={(sp) => {
          close();
          notifySuccess(`${sp.name} can now sign employees in.`, `${isSaml ? 'Service provider' : 'Relying party'} added`);
          setCreated(sp);
        }}
      />
      <GiveApplicationModal saved={created} protocol={protocol} onClose={() => setCreated(null)} />
      <ServiceProviderModal
        protocol={protocol}
        opened={editing !== null}
        editing={shownEdit}
        onClose={() => setEditing(null)}
        onSaved={(sp) => {
          setEditing(null);
          notifySuccess(`${sp.name} was saved.`, 'Saved');
        }}
      />
      <ConfirmDialog
        opened={deleting !== null}
        title={`Remove ${what}`}
        confirmLabel="Remove"
        loading={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      >
        {`Remove ${shownDelete?.name ?? ''}? Employees can no longer sign in to it.`}
      </ConfirmDialog>
    </Stack>
  );
}
