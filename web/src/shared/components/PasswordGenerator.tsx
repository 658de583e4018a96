import { Alert, Button, Checkbox, Group, NumberInput, Paper, Stack, Text } from '@mantine/core';
import { IconWand } from '@tabler/icons-react';
import { useState } from 'react';
import { errorMessage } from '../api/client';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../api/vault-types';

const CLASSES = [
  { key: 'upper', label: 'Capital letters (A–Z)' },
  { key: 'lower', label: 'Small letters (a–z)' },
  { key: 'digits', label: 'Digits (0–9)' },
  { key: 'symbols', label: 'Symbols (!#$%…)' },
] as const;

/**
 * The password generator of an account form: a policy (length, kinds of character) and a button
 * that asks the server for a password (a CSPRNG there, at least one of each kind chosen) and puts
 * it into the password field.
 */
export function PasswordGenerator({
  generate,
  onGenerated,
}: {
  generate: (policy: PasswordPolicy) => Promise<string>;
  onGenerated: (password: string) => void;
}) {
  const [policy, setPolicy] = useState<PasswordPolicy>(DEFAULT_PASSWORD_POLICY);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const chosen = CLASSES.filter((c) => policy[c.key]).length;
  const problem =
    chosen === 0
      ? 'Choose at least one kind of character'
      : policy.length < 4 || policy.length > 128
        ? 'Between 4 and 128 characters'
        : policy.length < chosen
          ? `At least ${chosen} characters for ${chosen} kinds`
          : null;

  const run = async () => {
    if (problem) return;
    setPending(true);
    setError(null);
    try {
      onGenerated(await generate(policy));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPending(false);
    }
  };

  return (
    <Paper withBorder radius="md" p="sm" role="group" aria-label="Password generator">
      <Stack gap="xs">
        <Text size="sm" fw={500}>
          Generate a password
        </Text>
        <NumberInput
          label="Length"
          min={4}
          max={128}
          allowDecimal={false}
          clampBehavior="none"
          value={policy.length}
          onChange={(v) => setPolicy((p) => ({ ...p, length: typeof v === 'number' ? v : Number.parseInt(v, 10) || 0 }))}
          w={140}
        />
        <Group gap="md">
          {CLASSES.map((c) => (
            <Checkbox
              key={c.key}
              label={c.label}
              checked={policy[c.key]}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                setPolicy((p) => ({ ...p, [c.key]: on }));
              }}
            />
          ))}
        </Group>
        <Checkbox
          label="Leave out look-alike characters (I l 1 O 0 o, quotes, brackets)"
          checked={policy.excludeAmbiguous}
          onChange={(e) => {
            const on = e.currentTarget.checked;
            setPolicy((p) => ({ ...p, excludeAmbiguous: on }));
          }}
        />
        {problem ? (
          <Text size="sm" c="red">
            {problem}
          </Text>
        ) : null}
        {error ? <Alert color="red">{error}</Alert> : null}
        <Group>
          <Button variant="light" leftSection={<IconWand size={16} />} onClick={() => void run()} loading={pending} disabled={Boolean(problem)}>
            Generate password
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
