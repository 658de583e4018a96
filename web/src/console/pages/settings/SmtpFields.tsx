import { Button, Group, NativeSelect, PasswordInput, SimpleGrid, Text, TextInput, NumberInput } from '@mantine/core';
import { IconCheck } from '@tabler/icons-react';
import type { SmtpTls } from '../../../shared/api/types';
import type { SettingsFormErrors, SettingsFormValues } from './settings-form';
import type { ServerForm } from '../../components/forms';

const tlsOptions: { value: SmtpTls; label: string }[] = [
  { value: 'none', label: 'None' },
  { value: 'starttls', label: 'STARTTLS' },
  { value: 'tls', label: 'TLS' },
];

/** The write-only SMTP password: "Password is set" with Change / Clear, or a field to type one. */
function SmtpPassword({ values, passwordSet, set }: { values: SettingsFormValues; passwordSet: boolean; set: (changes: Partial<SettingsFormValues>) => void }) {
  if (values.passwordMode === 'keep') {
    return (
      <div>
        <Text size="sm" fw={500} mb={4}>
          SMTP password
        </Text>
        <Group gap="xs">
          <Text size="sm" c="teal" display="inline-flex" style={{ alignItems: 'center', gap: 4 }}>
            <IconCheck size={16} /> Password is set
          </Text>
          <Button size="compact-sm" variant="light" onClick={() => set({ passwordMode: 'change', newPassword: '' })}>
            Change
          </Button>
          <Button size="compact-sm" variant="light" color="red" onClick={() => set({ passwordMode: 'clear' })}>
            Clear
          </Button>
        </Group>
      </div>
    );
  }
  if (values.passwordMode === 'clear') {
    return (
      <div>
        <Text size="sm" fw={500} mb={4}>
          SMTP password
        </Text>
        <Group gap="xs">
          <Text size="sm" c="red">
            Password will be cleared when you save
          </Text>
          <Button size="compact-sm" variant="default" onClick={() => set({ passwordMode: 'keep' })}>
            Undo
          </Button>
        </Group>
      </div>
    );
  }
  return (
    <Group align="flex-end" gap="xs" wrap="nowrap">
      <PasswordInput
        label="SMTP password"
        description={passwordSet ? 'Type the new password' : 'Not set'}
        autoComplete="new-password"
        value={values.newPassword}
        onChange={(e) => set({ newPassword: e.currentTarget.value })}
        style={{ flex: 1 }}
      />
      {passwordSet ? (
        <Button variant="default" onClick={() => set({ passwordMode: 'keep', newPassword: '' })}>
          Cancel
        </Button>
      ) : null}
    </Group>
  );
}

export function SmtpFields({
  values,
  errors,
  passwordSet,
  set,
  form,
}: {
  values: SettingsFormValues;
  errors: SettingsFormErrors;
  passwordSet: boolean;
  set: (changes: Partial<SettingsFormValues>) => void;
  /** Marks the fields the server refused (useServerForm). */
  form?: ServerForm;
}) {
  const f = (name: string, clientError?: string) => form?.field(name, clientError) ?? { error: clientError };
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }}>
      <TextInput
        label="SMTP host"
        {...f('smtp.host')}
        placeholder="smtp.example.com"
        value={values.smtpHost}
        onChange={(e) => set({ smtpHost: e.currentTarget.value })}
      />
      <NumberInput
        label="SMTP port"
        placeholder="587"
        min={1}
        max={65535}
        allowDecimal={false}
        value={values.smtpPort}
        onChange={(value) => set({ smtpPort: value })}
        {...f('smtp.port', errors.smtpPort)}
      />
      <NativeSelect
        label="TLS mode"
        {...f('smtp.tls')}
        data={tlsOptions}
        value={values.smtpTls}
        onChange={(e) => set({ smtpTls: e.currentTarget.value as SmtpTls })}
      />
      <TextInput
        label="SMTP username"
        {...f('smtp.username')}
        autoComplete="off"
        value={values.smtpUsername}
        onChange={(e) => set({ smtpUsername: e.currentTarget.value })}
      />
      <SmtpPassword values={values} passwordSet={passwordSet} set={set} />
      <TextInput
        label="From address"
        placeholder="no-reply@example.com"
        type="email"
        value={values.smtpFrom}
        onChange={(e) => set({ smtpFrom: e.currentTarget.value })}
        {...f('smtp.from', errors.smtpFrom)}
      />
    </SimpleGrid>
  );
}
