import { Badge, Box, Group, Paper, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Credential } from '../api/sign-in-types';
import { formatDateTime } from './format';

const TYPE_LABELS: Record<Credential['type'], string> = {
  passkey: 'Passkey',
  security_key: 'Security key',
  second_factor_key: 'Security key (second factor)',
};
const TYPE_COLOURS: Record<Credential['type'], string> = { passkey: 'blue', security_key: 'grape', second_factor_key: 'orange' };
export const credentialTypeLabel = (credential: Credential) => TYPE_LABELS[credential.type];
export const attachmentLabel = (credential: Credential) => (credential.attachment === 'platform' ? 'Platform' : 'Cross-platform');

/**
 * WebAuthn credentials: name, type, model, backed up, created, last used (and, for admins, whether
 * the authenticator is built into a device or roams). `actions` renders the last cell of a row.
 * Below the `sm` breakpoint (a phone) the same credentials are a list of cards instead, so that
 * nothing scrolls sideways and each card's actions are in reach; only one of the two is displayed.
 */
export function CredentialsTable(props: {
  label: string;
  credentials: Credential[];
  showAttachment?: boolean;
  empty: ReactNode;
  actions?: (credential: Credential) => ReactNode;
}) {
  const { showAttachment = false, actions } = props;
  const columns = 6 + (showAttachment ? 1 : 0) + (actions ? 1 : 0);
  return (
    <>
      <Box hiddenFrom="sm">
        <CredentialCards {...props} />
      </Box>
      <Box visibleFrom="sm">
        <CredentialRows {...props} columns={columns} />
      </Box>
    </>
  );
}

type CredentialsTableProps = Parameters<typeof CredentialsTable>[0];

/** The phone layout: one card a credential, its type badge whole, its actions below. */
function CredentialCards({ label, credentials, showAttachment = false, empty, actions }: CredentialsTableProps) {
  if (credentials.length === 0)
    return (
      <Text c="dimmed" size="sm" py="sm">
        {empty}
      </Text>
    );
  return (
    <Stack component="ul" gap="xs" aria-label={label} style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {credentials.map((credential) => (
        <Paper component="li" key={credential.id} withBorder radius="md" p="sm">
          <Stack gap={6}>
            <Group justify="space-between" gap="xs" wrap="wrap">
              <Text fw={500} style={{ overflowWrap: 'anywhere' }}>
                {credential.name}
              </Text>
              <TypeBadge credential={credential} />
            </Group>
            <Text size="sm" c="dimmed">
              {credential.model ?? 'Unknown model'}
              {showAttachment ? ` · ${attachmentLabel(credential)}` : ''} · Backed up: {credential.isBackedUp ? 'yes' : 'no'}
            </Text>
            <Text size="sm" c="dimmed">
              Created {formatDateTime(credential.createdAt)} · Last used {credential.lastUsedAt ? formatDateTime(credential.lastUsedAt) : 'never'}
            </Text>
            {actions ? <div>{actions(credential)}</div> : null}
          </Stack>
        </Paper>
      ))}
    </Stack>
  );
}

/** A credential's type in full: the badge never shrinks to an ellipsis. */
function TypeBadge({ credential }: { credential: Credential }) {
  return (
    <Badge variant="light" color={TYPE_COLOURS[credential.type]} style={{ flexShrink: 0, maxWidth: 'none', overflow: 'visible' }} data-testid="credential-type">
      {credentialTypeLabel(credential)}
    </Badge>
  );
}

function CredentialRows({ label, credentials, showAttachment = false, empty, actions, columns }: CredentialsTableProps & { columns: number }) {
  return (
    <Table.ScrollContainer minWidth={700}>
      <Table aria-label={label} verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th>Model</Table.Th>
            {showAttachment ? <Table.Th>Authenticator</Table.Th> : null}
            <Table.Th>Backed up</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>Last used</Table.Th>
            {actions ? (
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            ) : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {credentials.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={columns}>
                <Text c="dimmed" size="sm" py="sm">
                  {empty}
                </Text>
              </Table.Td>
            </Table.Tr>
          ) : null}
          {credentials.map((credential) => (
            <Table.Tr key={credential.id}>
              <Table.Td fw={500}>{credential.name}</Table.Td>
              <Table.Td>
                <TypeBadge credential={credential} />
              </Table.Td>
              <Table.Td>{credential.model ?? 'Unknown model'}</Table.Td>
              {showAttachment ? <Table.Td>{attachmentLabel(credential)}</Table.Td> : null}
              <Table.Td>{credential.isBackedUp ? 'Yes' : 'No'}</Table.Td>
              <Table.Td>{formatDateTime(credential.createdAt)}</Table.Td>
              <Table.Td>{credential.lastUsedAt ? formatDateTime(credential.lastUsedAt) : 'Never'}</Table.Td>
              {actions ? <Table.Td ta="right">{actions(credential)}</Table.Td> : null}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
