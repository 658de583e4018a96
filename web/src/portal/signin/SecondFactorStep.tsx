import { Anchor, Button, Divider, Group, Stack, Text } from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import type { SecondFactor } from '../../shared/api/sign-in-types';
import { CodeInput, isSixDigits } from '../../shared/components/CodeInput';

export interface SecondFactorStepProps {
  methods: SecondFactor[];
  busy: 'totp' | 'key' | null;
  onCode: (code: string) => void;
  onSecurityKey: () => void;
  onBack: () => void;
}

/** After a correct password: a code from the authenticator app ("Verify") or a security key. */
export function SecondFactorStep({ methods, busy, onCode, onSecurityKey, onBack }: SecondFactorStepProps) {
  const [code, setCode] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const hasTotp = methods.includes('totp');
  const hasKey = methods.includes('passkey');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (isSixDigits(code)) onCode(code);
  };

  return (
    <Stack>
      {hasTotp ? (
        <form onSubmit={submit} noValidate>
          <Stack>
            <CodeInput value={code} onChange={setCode} error={submitted && !isSixDigits(code) ? 'Enter the 6-digit code' : undefined} />
            <Button type="submit" fullWidth loading={busy === 'totp'} disabled={busy === 'key'}>
              Verify
            </Button>
          </Stack>
        </form>
      ) : null}
      {hasTotp && hasKey ? <Divider label="or" labelPosition="center" /> : null}
      {hasKey ? (
        <Stack gap={4}>
          {!hasTotp ? <Text size="sm">Confirm it is you with your security key or passkey.</Text> : null}
          <Button
            variant={hasTotp ? 'default' : 'filled'}
            fullWidth
            leftSection={<IconKey size={18} />}
            onClick={onSecurityKey}
            loading={busy === 'key'}
            disabled={busy === 'totp'}
          >
            Use my security key
          </Button>
        </Stack>
      ) : null}
      <Group justify="center">
        <Anchor component="button" type="button" size="sm" onClick={onBack}>
          Use a different account
        </Anchor>
      </Group>
    </Stack>
  );
}
