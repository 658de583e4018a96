import { Button, Group, NumberInput, Paper, SimpleGrid, Stack, Switch, TextInput, Title } from '@mantine/core';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useSettings, useUpdateSettings } from '../../api/settings';
import type { Settings } from '../../../shared/api/types';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../../shared/components/QueryState';
import { formToPatch, hasUnsavedSmtp, LIMITS, settingsToForm, validateSettings, type SettingsFormValues } from './settings-form';
import { SmtpFields } from './SmtpFields';
import { AuthenticatorPolicySection } from './AuthenticatorPolicySection';
import { BrandingFields } from './BrandingFields';
import { OutgoingMailSection } from './OutgoingMailSection';
import { SmtpTestMail } from './SmtpTestMail';
import { FormErrorSummary, SavedNote, useServerForm } from '../../components/forms';

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = `settings-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby={id}>
      <Title order={2} size="h4" id={id} mb="md">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

function SettingsForm({ settings }: { settings: Settings }) {
  const update = useUpdateSettings();
  const form = useServerForm();
  const [values, setValues] = useState<SettingsFormValues>(() => settingsToForm(settings));
  const [submitted, setSubmitted] = useState(false);
  const errors = submitted ? validateSettings(values) : {};
  const set = (changes: Partial<SettingsFormValues>) => setValues((current) => ({ ...current, ...changes }));
  const number = (key: 'sessionIdleMinutes' | 'sessionAbsoluteHours' | 'lockoutThreshold' | 'lockoutMinutes') => ({
    value: values[key],
    onChange: (value: number | string) => set({ [key]: value }),
    ...form.field(key, errors[key]),
    min: LIMITS[key].min,
    max: LIMITS[key].max,
    allowDecimal: false,
  });

  // A saved answer (or a refetch) resets the form, including the write-only password state.
  useEffect(() => setValues(settingsToForm(settings)), [settings]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validateSettings(values)).length > 0) return;
    void form.submit(() => update.mutateAsync(formToPatch(values)), { success: 'Settings saved.', onSuccess: () => setSubmitted(false) });
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <FormErrorSummary form={form} title="The settings were not saved" />
        <Section title="General">
          <Stack>
            <TextInput
              label="Organisation name"
              value={values.organisationName}
              onChange={(e) => set({ organisationName: e.currentTarget.value })}
              {...form.field('organisationName', errors.organisationName)}
              maw={420}
            />
            <Switch
              label="Require TOTP for all admins"
              description="Admins without an authenticator app must set one up at their next sign-in."
              checked={values.requireAdminTotp}
              onChange={(e) => set({ requireAdminTotp: e.currentTarget.checked })}
            />
          </Stack>
        </Section>
        <Section title="Sessions and lockout">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NumberInput label="Session idle timeout (minutes)" {...number('sessionIdleMinutes')} />
            <NumberInput label="Session absolute lifetime (hours)" {...number('sessionAbsoluteHours')} />
            <NumberInput label="Lockout threshold (failed attempts)" {...number('lockoutThreshold')} />
            <NumberInput label="Lockout duration (minutes)" {...number('lockoutMinutes')} />
          </SimpleGrid>
        </Section>
        <Section title="Email (SMTP)">
          <SmtpFields values={values} errors={errors} passwordSet={settings.smtp.password.set} set={set} form={form} />
          <SmtpTestMail hasUnsavedSmtp={hasUnsavedSmtp(values, settings)} />
        </Section>
        <Section title="Branding">
          <BrandingFields values={values} errors={errors} set={set} form={form} />
        </Section>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setValues(settingsToForm(settings))} disabled={form.saving}>
            Reset
          </Button>
          <SavedNote form={form} />
          <Button type="submit" loading={form.saving}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function SettingsPage() {
  const settings = useSettings();
  return (
    <>
      <PageHeader title="Settings" />
      <QueryState query={settings} />
      {settings.data ? <SettingsForm settings={settings.data} /> : null}
      {settings.data ? <AuthenticatorPolicySection settings={settings.data} /> : null}
      {settings.data ? <OutgoingMailSection /> : null}
    </>
  );
}
