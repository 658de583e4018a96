import { Button, Group, PasswordInput, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import type { PasswordPolicy } from '../api/vault-types';
import { PasswordGenerator } from './PasswordGenerator';
import type { AccountFormErrors, AccountFormValues, SecretEdit, SecretKey } from './vault-form';

/**
 * After a refused submit, bring the first field with an error into view and focus it: in a long
 * form (the generator, OTP, notes, holders) the error under *Name* is otherwise scrolled out of
 * sight and the button seems to do nothing.
 */
export function focusFirstInvalid(form: HTMLFormElement): void {
  requestAnimationFrame(() => {
    const invalid = form.querySelector<HTMLElement>('[aria-invalid="true"]');
    invalid?.scrollIntoView({ block: 'center' });
    invalid?.focus({ preventScroll: true });
  });
}

const WORDS: Record<SecretKey, { label: string; the: string; stored: string; removed: string }> = {
  password: { label: 'Password', the: 'password', stored: 'A password is stored.', removed: 'The password will be removed when you save.' },
  otp: { label: 'OTP secret', the: 'OTP secret', stored: 'An OTP secret is stored.', removed: 'The OTP secret will be removed when you save.' },
  notes: { label: 'Notes', the: 'notes', stored: 'Notes are stored.', removed: 'The notes will be removed when you save.' },
};

/**
 * A secret of the form: a field for a new account; for a stored one, "Replace" or "Remove" (the
 * stored value is never loaded into the form: nobody sees the old one by editing).
 */
function SecretField({
  k,
  edit,
  onChange,
  error,
  input,
}: {
  k: SecretKey;
  edit: SecretEdit;
  onChange: (s: SecretEdit) => void;
  error?: string;
  input: (label: string) => ReactNode;
}) {
  const w = WORDS[k];
  if (edit.stored && edit.action !== 'replace') {
    return (
      <Stack gap={4} role="group" aria-label={w.label}>
        <Text size="sm" fw={500}>
          {w.label}
        </Text>
        <Text size="sm" c={edit.action === 'remove' ? 'red' : 'dimmed'}>
          {edit.action === 'remove' ? w.removed : `${w.stored} It is not shown here.`}
        </Text>
        <Group gap="xs">
          {edit.action === 'remove' ? (
            <Button size="compact-sm" variant="default" onClick={() => onChange({ ...edit, action: 'keep' })}>
              Keep the {w.the}
            </Button>
          ) : (
            <>
              <Button size="compact-sm" variant="default" onClick={() => onChange({ ...edit, action: 'replace', value: '' })}>
                Replace {w.the}
              </Button>
              <Button size="compact-sm" variant="subtle" color="red" onClick={() => onChange({ ...edit, action: 'remove', value: '' })}>
                Remove {w.the}
              </Button>
            </>
          )}
        </Group>
      </Stack>
    );
  }
  return (
    <Stack gap={4}>
      {input(edit.stored ? `New ${w.the}` : w.label)}
      {error ? (
        <Text size="xs" c="red">
          {error}
        </Text>
      ) : null}
      {edit.stored ? (
        <Group>
          <Button size="compact-sm" variant="subtle" onClick={() => onChange({ ...edit, action: 'keep', value: '' })}>
            Keep the current {w.the}
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}

/** The fields of a vault account: name, addresses, login, password (with the generator), OTP secret, notes, workstation use. */
export function VaultAccountFields({
  values,
  errors,
  onChange,
  generate,
  workstationHint,
}: {
  values: AccountFormValues;
  errors: AccountFormErrors;
  onChange: (v: AccountFormValues) => void;
  generate: (policy: PasswordPolicy) => Promise<string>;
  workstationHint: string;
}) {
  const set = <K extends keyof AccountFormValues>(key: K, value: AccountFormValues[K]) => onChange({ ...values, [key]: value });
  const secret = (k: SecretKey) => (value: string) => set(k, { ...values[k], value });
  // A generated password is shown at once: the person should see what they got before saving it.
  const [isPasswordShown, setPasswordShown] = useState(false);

  return (
    <Stack>
      <TextInput label="Name" value={values.name} onChange={(e) => set('name', e.currentTarget.value)} error={errors.name} data-autofocus />
      <Textarea
        label="Addresses"
        description="The application's sign-in page; one http:// or https:// address a line"
        autosize
        minRows={1}
        maxRows={5}
        value={values.urls}
        onChange={(e) => set('urls', e.currentTarget.value)}
        error={errors.urls}
      />
      <TextInput
        label="Login"
        description="User name or e-mail address"
        autoComplete="off"
        value={values.login}
        onChange={(e) => set('login', e.currentTarget.value)}
        error={errors.login}
      />
      <SecretField
        k="password"
        edit={values.password}
        onChange={(s) => set('password', s)}
        error={errors.password}
        input={(label) => (
          <>
            <PasswordInput
              label={label}
              autoComplete="new-password"
              value={values.password.value}
              onChange={(e) => secret('password')(e.currentTarget.value)}
              visible={isPasswordShown}
              onVisibilityChange={setPasswordShown}
            />
            <PasswordGenerator
              generate={generate}
              onGenerated={(p) => {
                set('password', { ...values.password, action: 'replace', value: p });
                setPasswordShown(true);
              }}
            />
          </>
        )}
      />
      <SecretField
        k="otp"
        edit={values.otp}
        onChange={(s) => set('otp', s)}
        error={errors.otp}
        input={(label) => (
          <PasswordInput
            label={label}
            description="For the one-time codes: the base32 secret or the otpauth:// link the application shows when you set up an authenticator app"
            autoComplete="off"
            value={values.otp.value}
            onChange={(e) => secret('otp')(e.currentTarget.value)}
          />
        )}
      />
      <SecretField
        k="notes"
        edit={values.notes}
        onChange={(s) => set('notes', s)}
        error={errors.notes}
        input={(label) => (
          <Textarea
            label={label}
            description={values.notes.stored ? 'Replaces the stored notes as a whole' : 'Recovery codes, security answers… kept sealed like the password'}
            autosize
            minRows={2}
            maxRows={8}
            value={values.notes.value}
            onChange={(e) => secret('notes')(e.currentTarget.value)}
          />
        )}
      />
      <Switch
        label="Use at workstation logon"
        description={workstationHint}
        checked={values.workstationUse}
        onChange={(e) => set('workstationUse', e.currentTarget.checked)}
      />
    </Stack>
  );
}
