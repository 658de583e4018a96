import { Alert, Button, CopyButton, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import { formatDateTime } from '../../../shared/components/format';
import { useLastDefined } from '../../../shared/components/use-last-defined';
import { oneTimeSecretStyles } from '../../components/secret-field';

export interface IssuedCode {
  code: string;
  serial: string;
  /** Who the key is for, as the console names them. */
  employee: string;
  expiresAt: string | null;
  mailed: boolean;
}

/** A new activation code, shown this once (the server keeps only its hash), with Copy and when it expires. */
export function ActivationCodeModal({ issued: current, onClose }: { issued: IssuedCode | null; onClose: () => void }) {
  const issued = useLastDefined(current);
  return (
    <Modal
      opened={current !== null}
      onClose={onClose}
      title={issued ? `Activation code for key ${issued.serial}` : ''}
      centered
      size="lg"
      closeOnClickOutside={false}
    >
      {issued ? (
        <Stack>
          <Alert color="yellow" icon={<IconAlertTriangle />}>
            This code will not be shown again. Give it to {issued.employee} in person or over a channel you trust; with it, their e-mail address and this key
            they activate the key at <strong>/enroll</strong>. It works for this key only, a few tries at most.
          </Alert>
          <TextInput
            label="Activation code"
            value={issued.code}
            readOnly
            onFocus={(e) => e.currentTarget.select()}
            data-testid="activation-code"
            styles={oneTimeSecretStyles({ fontSize: 18, letterSpacing: 1 })}
          />
          <Text size="sm">
            {issued.expiresAt ? `Valid until ${formatDateTime(issued.expiresAt)}.` : null}{' '}
            {issued.mailed ? `It was also e-mailed to ${issued.employee}.` : 'It was not e-mailed.'}
          </Text>
          <Group justify="space-between">
            <CopyButton value={issued.code}>
              {({ copied, copy }) => (
                <Button
                  variant="light"
                  color={copied ? 'teal' : undefined}
                  leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                  onClick={copy}
                >
                  {copied ? 'Copied' : 'Copy code'}
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
