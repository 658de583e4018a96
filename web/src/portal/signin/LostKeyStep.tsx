import { Alert, Anchor, Button, Group, List, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ceremonyErrorMessage } from '../../shared/api/webauthn';
import { reportLostKey } from '../api/employee-sign-in';

/**
 * "Lost your key?": what to do (another registered key or passkey signs in; otherwise IT), and a
 * report to the admins by e-mail address. The server answers the same for every address, so the
 * page does too: it never says whether the address has an account.
 */
export function LostKeyStep({ keyNoun, email, onBack }: { keyNoun: 'passkey' | 'security key'; email: string; onBack: () => void }) {
  const [address, setAddress] = useState(email);
  const [submitted, setSubmitted] = useState(false);
  const report = useMutation({ mutationFn: reportLostKey });
  const trimmed = address.trim();
  const other = keyNoun === 'passkey' ? 'another security key or passkey' : 'another security key';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (trimmed) report.mutate(trimmed);
  };

  return (
    <Stack>
      <List size="sm" spacing="xs">
        <List.Item>
          If you have {other} registered, sign in with it, then remove the lost one under <em>My sign-in methods</em>.
        </List.Item>
        <List.Item>Otherwise contact your IT team: they can block the lost key and give you a new way to sign in.</List.Item>
      </List>
      {report.isSuccess ? (
        <Alert color="teal" title="Report sent" role="status">
          Thank you. If {trimmed} belongs to an account here, your IT team has been told. Nothing was blocked yet: contact them too if you need to sign in soon.
        </Alert>
      ) : (
        <form onSubmit={submit} noValidate aria-label="Report a lost key">
          <Stack>
            <Text size="sm">Tell IT from here: enter your work e-mail address.</Text>
            {report.isError ? (
              <Alert color="red" title="Could not send the report">
                {ceremonyErrorMessage(report.error)}
              </Alert>
            ) : null}
            <TextInput
              label="Work e-mail address"
              type="email"
              autoComplete="username"
              maxLength={254}
              value={address}
              onChange={(e) => setAddress(e.currentTarget.value)}
              error={submitted && !trimmed ? 'Enter your e-mail address' : undefined}
            />
            <Button type="submit" fullWidth loading={report.isPending}>
              Report my lost key
            </Button>
          </Stack>
        </form>
      )}
      <Group justify="center">
        <Anchor component="button" type="button" size="sm" onClick={onBack}>
          Back to sign-in
        </Anchor>
      </Group>
    </Stack>
  );
}
