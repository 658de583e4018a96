import { Alert, Button, CopyButton, Group, Modal, Stack, TextInput } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import type { CreatedApiKey } from '../../../shared/api/types';
import { useLastDefined } from '../../../shared/components/use-last-defined';
import { oneTimeSecretStyles } from '../../components/secret-field';

/** Shows a new API key's secret once ("API key secret" field, "Copy" button, "Done"). */
export function SecretModal({ created: current, onClose }: { created: CreatedApiKey | null; onClose: () => void }) {
  // Keep the content while the dialog fades out.
  const created = useLastDefined(current);
  return (
    <Modal
      opened={current !== null}
      onClose={onClose}
      title={created ? `API key “${created.apiKey.name}” created` : ''}
      centered
      size="lg"
      closeOnClickOutside={false}
    >
      {created ? (
        <Stack>
          <Alert color="yellow" icon={<IconAlertTriangle />}>
            This key will not be shown again. Copy it now and store it somewhere safe.
          </Alert>
          <TextInput label="API key secret" value={created.secret} readOnly onFocus={(e) => e.currentTarget.select()} styles={oneTimeSecretStyles()} />
          <Group justify="space-between">
            <CopyButton value={created.secret}>
              {({ copied, copy }) => (
                <Button
                  variant="light"
                  color={copied ? 'teal' : undefined}
                  leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                  onClick={copy}
                >
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}
