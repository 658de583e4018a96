import { NumberInput, SimpleGrid, Stack, Switch, Tabs, TextInput } from '@mantine/core';
import { useSearchParams } from 'react-router-dom';
import { useSettings } from '../../api/settings';
import type { Settings } from '../../../shared/api/types';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../../shared/components/QueryState';
import { LIMITS, sectionErrors, smtpTestSettings } from './settings-form';
import { SmtpFields } from './SmtpFields';
import { AuthenticatorPolicySection } from './AuthenticatorPolicySection';
import { BrandingFields } from './BrandingFields';
import { OutgoingMailSection } from './OutgoingMailSection';
import { SettingsSection, type SectionFormApi } from './SettingsSection';
import { SmtpTestMail } from './SmtpTestMail';

const TABS = [
  { value: 'general', label: 'General' },
  { value: 'sessions', label: 'Sessions and lockout' },
  { value: 'mail', label: 'Outgoing mail' },
  { value: 'branding', label: 'Branding' },
  { value: 'authenticators', label: 'Authenticators' },
] as const;
type Tab = (typeof TABS)[number]['value'];

function numberField(form: SectionFormApi, key: keyof typeof LIMITS) {
  return {
    value: form.values[key],
    onChange: (value: number | string) => form.set({ [key]: value }),
    ...form.server.field(key, form.errors[key]),
    min: LIMITS[key].min,
    max: LIMITS[key].max,
    allowDecimal: false,
  };
}

/**
 * Settings in sections (tabs), each a form with its own Save. Every panel stays mounted, so an
 * edit left unsaved in one section is still there after working in another, and is not sent by it.
 */
function SettingsSections({ settings }: { settings: Settings }) {
  const [params, setParams] = useSearchParams();
  const requested = params.get('section');
  const tab: Tab = TABS.some((t) => t.value === requested) ? (requested as Tab) : 'general';
  const select = (value: string | null) =>
    setParams(
      (p) => {
        p.set('section', value ?? 'general');
        return p;
      },
      { replace: true },
    );

  return (
    // Hidden panels stay mounted with their effects (display: none rather than React's Activity,
    // which would re-run a section's "follow the server" effect and drop its unsaved edits).
    <Tabs value={tab} onChange={select} keepMounted keepMountedMode="display-none">
      <Tabs.List mb="md" aria-label="Settings sections">
        {TABS.map((t) => (
          <Tabs.Tab key={t.value} value={t.value}>
            {t.label}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      <Tabs.Panel value="general">
        <SettingsSection section="general" title="General" settings={settings} saveLabel="Save general settings">
          {(form) => (
            <Stack>
              <TextInput
                label="Organisation name"
                value={form.values.organisationName}
                onChange={(e) => form.set({ organisationName: e.currentTarget.value })}
                {...form.server.field('organisationName', form.errors.organisationName)}
                maw={420}
              />
              <Switch
                label="Require TOTP for all admins"
                description="Admins without an authenticator app must set one up at their next sign-in."
                checked={form.values.requireAdminTotp}
                onChange={(e) => form.set({ requireAdminTotp: e.currentTarget.checked })}
              />
            </Stack>
          )}
        </SettingsSection>
      </Tabs.Panel>
      <Tabs.Panel value="sessions">
        <SettingsSection section="sessions" title="Sessions and lockout" settings={settings} saveLabel="Save session settings">
          {(form) => (
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <NumberInput label="Session idle timeout (minutes)" {...numberField(form, 'sessionIdleMinutes')} />
              <NumberInput label="Session absolute lifetime (hours)" {...numberField(form, 'sessionAbsoluteHours')} />
              <NumberInput label="Lockout threshold (failed attempts)" {...numberField(form, 'lockoutThreshold')} />
              <NumberInput label="Lockout duration (minutes)" {...numberField(form, 'lockoutMinutes')} />
            </SimpleGrid>
          )}
        </SettingsSection>
      </Tabs.Panel>
      <Tabs.Panel value="mail">
        <SettingsSection
          section="mail"
          title="Email (SMTP)"
          description="The server that sends invitations and notifications."
          settings={settings}
          saveLabel="Save mail settings"
        >
          {(form) => (
            <>
              <SmtpFields values={form.values} errors={form.errors} passwordSet={settings.smtp.password.set} set={form.set} form={form.server} />
              <SmtpTestMail smtp={() => (Object.keys(sectionErrors('mail', form.values)).length > 0 ? null : smtpTestSettings(form.values))} />
            </>
          )}
        </SettingsSection>
        <OutgoingMailSection />
      </Tabs.Panel>
      <Tabs.Panel value="branding">
        <SettingsSection section="branding" title="Branding" settings={settings} saveLabel="Save branding">
          {(form) => <BrandingFields values={form.values} errors={form.errors} set={form.set} form={form.server} />}
        </SettingsSection>
      </Tabs.Panel>
      <Tabs.Panel value="authenticators">
        <AuthenticatorPolicySection settings={settings} />
      </Tabs.Panel>
    </Tabs>
  );
}

export function SettingsPage() {
  const settings = useSettings();
  return (
    <>
      <PageHeader title="Settings" />
      <QueryState query={settings} />
      {settings.data ? <SettingsSections settings={settings.data} /> : null}
    </>
  );
}
