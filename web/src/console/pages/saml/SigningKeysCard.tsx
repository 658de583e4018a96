import { Badge, Button, Code, Group, NumberInput, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useIdpInfo, useRolloverKeys } from '../../api/saml';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { QueryState } from '../../../shared/components/QueryState';
import { RolloverNotice } from './RolloverNotice';

const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString() : '—');

/** The IdP's endpoints to give SPs, and its signing certificates with the rollover control. */
export function SigningKeysCard() {
  const info = useIdpInfo();
  const rollover = useRolloverKeys();
  const [lead, setLead] = useState<number | string>(14);
  const [overlap, setOverlap] = useState<number | string>(7);
  const start = () =>
    rollover.mutate(
      { leadDays: Number(lead), overlapDays: Number(overlap) },
      {
        onSuccess: () => notifySuccess('The next certificate is in the metadata now; it signs when its date comes.', 'Rollover started'),
        onError: (error) => notifyError(error, 'Could not start the rollover'),
      },
    );
  return (
    <Stack>
      <QueryState query={info} />
      {info.data ? (
        <>
          <Paper withBorder radius="md" p="md">
            <Title order={2} size="h4" mb="sm">
              Endpoints
            </Title>
            <Stack gap={4}>
              <Text size="sm">
                SAML metadata (entity ID): <Code>{info.data.metadataUrl}</Code>
              </Text>
              <Text size="sm">
                Single sign-on: <Code>{info.data.ssoUrl}</Code> — single logout: <Code>{info.data.sloUrl}</Code>
              </Text>
              <Text size="sm">
                WS-Federation: <Code>{info.data.wsfedUrl}</Code> — federation metadata: <Code>{info.data.federationMetadataUrl}</Code>
              </Text>
            </Stack>
          </Paper>
          <Paper withBorder radius="md" p="md">
            <Title order={2} size="h4" mb="sm">
              Signing certificates
            </Title>
            <RolloverNotice rollover={info.data.rollover} />
            <Table aria-label="Signing certificates">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>SHA-256 fingerprint</Table.Th>
                  <Table.Th>Published</Table.Th>
                  <Table.Th>Signs from</Table.Th>
                  <Table.Th>Published until</Table.Th>
                  <Table.Th>Expires</Table.Th>
                  <Table.Th>State</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {info.data.keys.map((k) => (
                  <Table.Tr key={k.id}>
                    <Table.Td>
                      <Code fz="xs">{k.fingerprint}</Code>
                    </Table.Td>
                    <Table.Td>{day(k.publishedAt)}</Table.Td>
                    <Table.Td>{day(k.activatesAt)}</Table.Td>
                    <Table.Td>{day(k.retiresAt)}</Table.Td>
                    <Table.Td>{day(k.notAfter)}</Table.Td>
                    <Table.Td>
                      {k.isActive ? (
                        <Badge color="green" variant="light">
                          Signing
                        </Badge>
                      ) : new Date(k.activatesAt) > new Date() ? (
                        <Badge variant="light">Next</Badge>
                      ) : (
                        <Badge color="gray" variant="light">
                          Retiring
                        </Badge>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            <Group mt="md" align="flex-end">
              <NumberInput label="Next key signs in (days)" min={0} max={90} value={lead} onChange={setLead} w={200} />
              <NumberInput label="Old key stays published (days)" min={0} max={90} value={overlap} onChange={setOverlap} w={220} />
              <Button variant="light" onClick={start} loading={rollover.isPending}>
                Start rollover
              </Button>
            </Group>
          </Paper>
        </>
      ) : null}
    </Stack>
  );
}
