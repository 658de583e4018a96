import { Alert, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState, type KeyboardEvent } from 'react';
import { errorMessage } from '../../../shared/api/client';
import { useSendTestMail } from '../../api/mail';

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/**
 * "Send test e-mail": sends at once with the saved SMTP settings and shows the SMTP server's
 * answer. It sits inside the settings form, so Enter here sends the test rather than saving.
 */
export function SmtpTestMail({ hasUnsavedSmtp }: { hasUnsavedSmtp: boolean }) {
  const send = useSendTestMail();
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [sentTo, setSentTo] = useState<string | null>(null);

  const sendTest = () => {
    const address = to.trim();
    if (!EMAIL.test(address)) return setError('Enter an e-mail address, e.g. you@example.com');
    setError(undefined);
    setSentTo(null);
    send.mutate(address, { onSuccess: () => setSentTo(address) });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    sendTest();
  };

  return (
    <Stack gap="xs" mt="md">
      <Group align="flex-end" gap="xs">
        <TextInput
          label="Test recipient"
          placeholder="you@example.com"
          type="email"
          value={to}
          onChange={(e) => setTo(e.currentTarget.value)}
          onKeyDown={onKeyDown}
          error={error}
          style={{ flex: 1, maxWidth: 420 }}
        />
        <Button type="button" variant="light" onClick={sendTest} loading={send.isPending}>
          Send test e-mail
        </Button>
      </Group>
      {hasUnsavedSmtp ? (
        <Text size="sm" c="dimmed">
          The test uses the saved settings: save your changes first.
        </Text>
      ) : null}
      {send.isError ? (
        <Alert color="red" title="The test e-mail was not sent">
          {errorMessage(send.error)}
        </Alert>
      ) : null}
      {sentTo && send.isSuccess ? (
        <Alert color="teal" title="Test e-mail sent" role="status">
          {`The SMTP server accepted a test e-mail to ${sentTo}. Check that it arrived.`}
        </Alert>
      ) : null}
    </Stack>
  );
}
