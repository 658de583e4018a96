import { Badge, Table, Text, VisuallyHidden } from '@mantine/core';
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
 */
export function CredentialsTable(props: {
  label: string;
  credentials: Credential[];
  showAttachment?: boolean;
  empty: ReactNode;
  actions?: (credential: Credential) => ReactNode;
}) {
  const { label, credentials, showAttachment = false, empty, actions } = props;
  const columns = 6 + (showAttachment ? 1 : 0) + (actions ? 1 : 0);
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
                <Badge variant="light" color={TYPE_COLOURS[credential.type]}>
                  {credentialTypeLabel(credential)}
                </Badge>
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
