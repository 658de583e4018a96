import { Alert, Badge, Button, Code, CopyButton, Group, Modal, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { EmptyState } from '../../../shared/components/EmptyState';
import { CopyField, CopyValueButton } from '../../components/CopyField';
import { useDisclosure } from '@mantine/hooks';
import { IconAlertTriangle, IconCheck, IconCopy, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import {
  useDeleteOidcClient,
  useOidcClients,
  useOidcInfo,
  useRotateOidcSecret,
  type OidcClient,
  type OidcClientWithSecret,
  type OidcInfo,
} from '../../api/oidc-clients';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { PageHeader } from '../../components/PageHeader';
import { ListTable } from '../../../shared/components/ListTable';
import { QueryState } from '../../../shared/components/QueryState';
import { useLastDefined } from '../../../shared/components/use-last-defined';
import { RegisterOidcClientModal } from './RegisterOidcClientModal';
import { oneTimeSecretStyles } from '../../components/secret-field';

/** Settings → OIDC clients: the relying parties and Entra EAM apps that sign employees in with Tessera. */
export function OidcClientsPage() {
  const clients = useOidcClients();
  const info = useOidcInfo();
  const rotate = useRotateOidcSecret();
  const remove = useDeleteOidcClient();
  const [registering, { open, close }] = useDisclosure(false);
  const [shown, setShown] = useState<OidcClientWithSecret | null>(null);
  const [deleting, setDeleting] = useState<OidcClient | null>(null);
  const [editing, setEditing] = useState<OidcClient | null>(null);
  const shownDelete = useLastDefined(deleting);

  const rotateSecret = (client: OidcClient) =>
    rotate.mutate(client.id, {
      onSuccess: (result) => setShown(result),
      onError: (error) => notifyError(error, 'Could not replace the secret'),
    });
  const confirmDelete = () => {
    if (!deleting) return;
    const client = deleting;
    remove.mutate(client.id, {
      onSuccess: () => notifySuccess(`${client.name} can no longer sign employees in.`, 'Client removed'),
      onError: (error) => notifyError(error, 'Could not remove the client'),
      onSettled: () => setDeleting(null),
    });
  };

  return (
    <>
      <PageHeader
        title="OIDC clients"
        description={
          info.data ? (
            <Group gap="xs" component="span" wrap="nowrap">
              Discovery: <Code>{info.data.discoveryUrl}</Code>
              <CopyValueButton value={info.data.discoveryUrl} label="discovery URL" />
            </Group>
          ) : (
            'Applications that sign employees in with OpenID Connect.'
          )
        }
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={open}>
            Register client
          </Button>
        }
      />
      <QueryState query={clients} />
      {clients.data ? (
        <ListTable
          label="OIDC clients"
          columns={['Name', 'Client ID', 'Kind', 'Grants', 'Authentication', 'Secret', 'Actions']}
          isEmpty={clients.data.length === 0}
          empty={
            <EmptyState
              title="No OIDC clients yet"
              hint="Register each application that signs in with OpenID Connect; Tessera gives it a client id and secret."
              action={{ label: 'Register the first client', onClick: open }}
            />
          }
        >
          {clients.data.map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td>
                <Text size="sm">{c.name}</Text>
                {c.source === 'config' ? (
                  <Text size="xs" c="dimmed">
                    from the configuration file
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Code>{c.clientId}</Code>
                  <CopyValueButton value={c.clientId} label={`client ID of ${c.name}`} />
                </Group>
              </Table.Td>
              <Table.Td>
                {c.kind === 'eam' ? (
                  <Badge variant="light" color="grape">
                    Entra EAM
                  </Badge>
                ) : (
                  <Badge variant="light">Web</Badge>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{c.grantTypes.join(', ')}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{c.tokenEndpointAuthMethod}</Text>
              </Table.Td>
              <Table.Td>{c.clientSecret.set ? 'Set' : '—'}</Table.Td>
              <Table.Td>
                {c.source === 'config' ? null : (
                  <Group gap="xs" wrap="nowrap">
                    <Button size="compact-sm" variant="subtle" onClick={() => setEditing(c)}>
                      Edit
                    </Button>
                    {c.clientSecret.set ? (
                      <Button size="compact-sm" variant="subtle" onClick={() => rotateSecret(c)} loading={rotate.isPending && rotate.variables === c.id}>
                        New secret
                      </Button>
                    ) : null}
                    <Button size="compact-sm" variant="subtle" color="red" onClick={() => setDeleting(c)}>
                      Remove
                    </Button>
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </ListTable>
      ) : null}

      <RegisterOidcClientModal
        opened={registering}
        onClose={close}
        onCreated={(result) => {
          close();
          setShown(result);
        }}
      />
      <RegisterOidcClientModal
        opened={editing !== null}
        editing={editing}
        onClose={() => setEditing(null)}
        onCreated={(result) => {
          setEditing(null);
          if (result.clientSecret) setShown(result);
          else notifySuccess(`${result.client.name} saved.`, 'Client saved');
        }}
      />
      <ClientSecretModal shown={shown} info={info.data} onClose={() => setShown(null)} />
      {info.data ? <ProviderEndpoints info={info.data} /> : null}
      <ConfirmDialog
        opened={deleting !== null}
        title="Remove OIDC client"
        confirmLabel="Remove"
        loading={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      >
        {`Remove ${shownDelete?.name ?? ''}? Employees can no longer sign in to it.`}
      </ConfirmDialog>
    </>
  );
}

/** The provider's values for applications configured by hand, each with copy (discovery is in the header). */
function ProviderEndpoints({ info }: { info: OidcInfo }) {
  return (
    <Paper withBorder radius="md" p="md" mt="lg">
      <Title order={2} size="h4" mb="sm">
        Provider endpoints
      </Title>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs">
        <CopyField label="Issuer" value={info.issuer} />
        <CopyField label="Authorization endpoint" value={info.endpoints.authorization} />
        <CopyField label="Token endpoint" value={info.endpoints.token} />
        <CopyField label="Userinfo endpoint" value={info.endpoints.userinfo} />
        <CopyField label="JWKS URI" value={info.endpoints.jwks} />
        <CopyField label="End-session endpoint" value={info.endpoints.endSession} />
      </SimpleGrid>
    </Paper>
  );
}

/**
 * What to give the application, after registration or a new secret: the issuer and discovery URL,
 * the client id, and the secret — once, here, as the server returns it only in this answer.
 */
function ClientSecretModal({ shown: current, info, onClose }: { shown: OidcClientWithSecret | null; info: OidcInfo | undefined; onClose: () => void }) {
  const shown = useLastDefined(current);
  return (
    <Modal opened={current !== null} onClose={onClose} title={shown ? `OIDC client “${shown.client.name}”` : ''} centered size="lg" closeOnClickOutside={false}>
      {shown ? (
        <Stack>
          <Text size="sm">Give the application these values. If it reads discovery, the discovery URL, client ID and secret are enough.</Text>
          {info ? (
            <>
              <CopyField label="Issuer" value={info.issuer} />
              <CopyField label="Discovery URL" value={info.discoveryUrl} />
            </>
          ) : null}
          <TextInput
            label="Client ID"
            value={shown.client.clientId}
            readOnly
            rightSectionWidth={90}
            rightSection={<CopyValueButton value={shown.client.clientId} label="client ID" />}
          />
          {shown.clientSecret ? (
            <>
              <Alert color="yellow" icon={<IconAlertTriangle />}>
                This secret will not be shown again. Copy it now into the application's settings.
              </Alert>
              <TextInput label="Client secret" value={shown.clientSecret} readOnly onFocus={(e) => e.currentTarget.select()} styles={oneTimeSecretStyles()} />
            </>
          ) : null}
          <Group justify="space-between">
            {shown.clientSecret ? (
              <CopyButton value={shown.clientSecret}>
                {({ copied, copy }) => (
                  <Button
                    variant="light"
                    color={copied ? 'teal' : undefined}
                    leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                    onClick={copy}
                  >
                    {copied ? 'Copied' : 'Copy secret'}
                  </Button>
                )}
              </CopyButton>
            ) : (
              <span />
            )}
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}
