import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useIdpInfo, type ServiceProvider, type SsoProtocol } from '../../api/saml';
import { QueryState } from '../../../shared/components/QueryState';
import { useLastDefined } from '../../../shared/components/use-last-defined';
import { IdpValues } from './IdpValues';

/** After a new SP / RP is saved: the values to enter on the application's side, each with copy. */
export function GiveApplicationModal({ saved: current, protocol, onClose }: { saved: ServiceProvider | null; protocol: SsoProtocol; onClose: () => void }) {
  const saved = useLastDefined(current);
  const info = useIdpInfo();
  return (
    <Modal opened={current !== null} onClose={onClose} title={saved ? `Give ${saved.name} these values` : ''} centered size="lg">
      <Stack>
        <Text size="sm">
          {protocol === 'saml'
            ? 'Enter these in the service provider’s SAML settings. If it can read metadata from a URL, the metadata URL alone is enough.'
            : 'Enter these in the relying party’s WS-Federation settings. If it can read federation metadata from a URL, that URL alone is enough.'}
        </Text>
        <QueryState query={info} />
        {info.data ? <IdpValues info={info.data} protocol={protocol} /> : null}
        <Group justify="flex-end">
          <Button onClick={onClose}>Done</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
