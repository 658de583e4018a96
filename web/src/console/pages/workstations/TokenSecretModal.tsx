import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import type { CreatedEnrolmentToken } from '../../../shared/api/types';
import { useLastDefined } from '../../../shared/components/use-last-defined';
import { oneTimeSecretStyles } from '../../components/secret-field';

/**
 * The command that enrols a computer with this token (agent/README.md), at the server's
 * PUBLIC_URL as the server answered it: the audience agents sign for, whichever address this
 * console was opened at. The secret is not in it: the command reads it at a silent prompt and
 * hands it over standard input, so that it lands neither in the shell's history nor in the
 * process list.
 */
export const enrolCommand = (created: CreatedEnrolmentToken) =>
  `read -rsp 'Enrolment token: ' TOKEN && echo && echo "$TOKEN" | sudo tessera-agent enroll --server ${created.serverUrl} --token-file -`;

function CopyAction({ value, label }: { value: string; label: string }) {
  return (
    <CopyButton value={value}>
      {({ copied, copy }) => (
        <Button variant="light" color={copied ? 'teal' : undefined} leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />} onClick={copy}>
          {copied ? 'Copied' : label}
        </Button>
      )}
    </CopyButton>
  );
}

/** Shows a new enrolment token's secret once, with the enrol command ("Copy", "Copy command", "Done"). */
export function TokenSecretModal({ created: current, onClose }: { created: CreatedEnrolmentToken | null; onClose: () => void }) {
  // Keep the content while the dialog fades out.
  const created = useLastDefined(current);
  const command = created ? enrolCommand(created) : '';
  return (
    <Modal
      opened={current !== null}
      onClose={onClose}
      title={created ? `Enrolment token “${created.token.name}” created` : ''}
      centered
      size="xl"
      closeOnClickOutside={false}
    >
      {created ? (
        <Stack>
          <Alert color="yellow" icon={<IconAlertTriangle />}>
            This token will not be shown again. Copy it now; anyone who has it can enrol a computer
            {created.token.autoApprove ? ', approved at once,' : ''} until it is used up, expires or is revoked.
          </Alert>
          <TextInput label="Enrolment token secret" value={created.secret} readOnly onFocus={(e) => e.currentTarget.select()} styles={oneTimeSecretStyles()} />
          <div>
            <Text size="sm" fw={500} mb={4} id="enrol-command-label">
              Enrol a computer
            </Text>
            <Text size="xs" c="dimmed" mb={6}>
              Run this on the computer where the Tessera agent is installed, and paste the secret at its prompt. For a rollout by GPO or MDM, put the secret in
              a file only root can read and run <Code>tessera-agent enroll --server … --token-file FILE</Code>.
            </Text>
            <Code block aria-labelledby="enrol-command-label" data-testid="enrol-command" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
              {command}
            </Code>
          </div>
          <Group justify="space-between">
            <Group gap="sm">
              <CopyAction value={created.secret} label="Copy" />
              <CopyAction value={command} label="Copy command" />
            </Group>
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}
