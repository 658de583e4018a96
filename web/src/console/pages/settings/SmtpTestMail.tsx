import { Alert, Button, Group, Stack, TextInput } from '@mantine/core';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { errorMessage } from '../../../shared/api/client';
import { useSendTestMail, type SmtpTestBody } from '../../api/mail';

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/**
 * "Send test e-mail": sends at once with the SMTP settings the form holds now, saved or not (a
 * blank password is the saved one), and shows the SMTP server's answer right under the button.
 * It sits inside the mail form, so Enter here sends the test rather than saving.
 */
export function SmtpTestMail({ smtp }: { smtp: () => SmtpTestBody['smtp'] | null }) {
  const send = useSendTestMail();
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const result = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (send.isSuccess || send.isError) result.current?.scrollIntoView?.({ block: 'nearest' });
  }, [send.isSuccess, send.isError]);

  const sendTest = () => {
    const address = to.trim();
    if (!EMAIL.test(address)) return setError('Enter an e-mail address, e.g. you@example.com');
    const settings = smtp();
    if (!settings) return setError('Correct the SMTP settings above first');
    setError(undefined);
    setSentTo(null);
    send.mutate({ to: address, smtp: settings }, { onSuccess: () => setSentTo(address) });
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
          description="The test uses the settings in this form, saved or not."
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
      <div ref={result}>
        {send.isError ? (
          <Alert color="red" title="The test e-mail was not sent" role="alert">
            {errorMessage(send.error)}
          </Alert>
        ) : null}
        {sentTo && send.isSuccess ? (
          <Alert color="teal" title="Test e-mail sent" role="status">
            {`The SMTP server accepted a test e-mail to ${sentTo}. Check that it arrived.`}
          </Alert>
        ) : null}
      </div>
    </Stack>
  );
}
