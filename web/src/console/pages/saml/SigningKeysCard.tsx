import { Badge, Button, Code, Group, NumberInput, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { CopyValueButton } from '../../components/CopyField';
import { IdpValues } from './IdpValues';
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
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
              <Stack gap="xs">
                <Text size="sm" fw={600}>
                  SAML 2.0
                </Text>
                <IdpValues info={info.data} protocol="saml" />
              </Stack>
              <Stack gap="xs">
                <Text size="sm" fw={600}>
                  WS-Federation
                </Text>
                <IdpValues info={info.data} protocol="wsfed" />
              </Stack>
            </SimpleGrid>
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
                      <Group gap={4} wrap="nowrap" align="center">
                        <Code fz="xs" style={{ wordBreak: 'break-all' }}>
                          {k.fingerprint}
                        </Code>
                        <CopyValueButton
                          value={k.fingerprint}
                          label={`SHA-256 fingerprint of the ${k.isActive ? 'signing' : new Date(k.activatesAt) > new Date() ? 'next' : 'retiring'} certificate`}
                        />
                      </Group>
                    </Table.Td>
                    <Table.Td>{day(k.publishedAt)}</Table.Td>
                    <Table.Td>{day(k.activatesAt)}</Table.Td>
                    <Table.Td>{day(k.retiresAt)}</Table.Td>
                    <Table.Td>{day(k.notAfter)}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <KeyStateBadge isActive={k.isActive} activatesAt={k.activatesAt} />
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

/**
 * The key's state. A Badge ellipsises its label when the column is narrow (it read "SIGN…" beside
 * the long fingerprint), so it keeps its full width: the fingerprint is the one that wraps.
 */
function KeyStateBadge({ isActive, activatesAt }: { isActive: boolean; activatesAt: string }) {
  const [color, label] = isActive ? ['green', 'Signing'] : new Date(activatesAt) > new Date() ? ['blue', 'Next'] : ['gray', 'Retiring'];
  return (
    <Badge color={color} variant="light" style={{ minWidth: 'max-content', overflow: 'visible' }}>
      {label}
    </Badge>
  );
}
