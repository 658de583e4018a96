import { Badge, Group, PasswordInput, SegmentedControl, Stack, Switch, TagsInput, Text, TextInput, Textarea } from '@mantine/core';
import type { ServerForm } from '../../components/forms';

/** The Entra-specific part of a domain form (Settings → Domains, kind Entra ID). */
export interface EntraFormValues {
  tenantId: string;
  clientId: string;
  credentialType: 'secret' | 'certificate';
  /** Write-only inputs: empty keeps what is saved. */
  clientSecret: string;
  certificatePem: string;
  privateKeyPem: string;
  loginBaseUrl: string;
  graphBaseUrl: string;
  passkeysEnabled: boolean;
  allowedEmailDomains: string[];
}

export const emptyEntraValues: EntraFormValues = {
  tenantId: '',
  clientId: '',
  credentialType: 'secret',
  clientSecret: '',
  certificatePem: '',
  privateKeyPem: '',
  loginBaseUrl: 'https://login.microsoftonline.com',
  graphBaseUrl: 'https://graph.microsoft.com',
  passkeysEnabled: false,
  allowedEmailDomains: [],
};

/** From a saved domain's `settings` (the secret is never sent back: only whether it is set). */
export function entraValuesFromSettings(settings: Record<string, unknown>): EntraFormValues {
  const passkeys = (settings.passkeys ?? {}) as { enabled?: boolean; allowedEmailDomains?: string[] };
  return {
    ...emptyEntraValues,
    tenantId: String(settings.tenantId ?? ''),
    clientId: String(settings.clientId ?? ''),
    credentialType: settings.credentialType === 'certificate' ? 'certificate' : 'secret',
    loginBaseUrl: String(settings.loginBaseUrl ?? emptyEntraValues.loginBaseUrl),
    graphBaseUrl: String(settings.graphBaseUrl ?? emptyEntraValues.graphBaseUrl),
    passkeysEnabled: passkeys.enabled ?? false,
    allowedEmailDomains: passkeys.allowedEmailDomains ?? [],
  };
}

/** The API's `settings` and `secret` (absent: keep the saved one) for these values. */
export function entraRequest(v: EntraFormValues): { settings: Record<string, unknown>; secret?: string } {
  const settings = {
    tenantId: v.tenantId.trim(),
    clientId: v.clientId.trim(),
    credentialType: v.credentialType,
    loginBaseUrl: v.loginBaseUrl.trim(),
    graphBaseUrl: v.graphBaseUrl.trim(),
    passkeys: { enabled: v.passkeysEnabled, allowedEmailDomains: v.allowedEmailDomains },
  };
  const secret =
    v.credentialType === 'secret'
      ? v.clientSecret || undefined
      : v.certificatePem.trim() && v.privateKeyPem.trim()
        ? `${v.certificatePem.trim()}\n${v.privateKeyPem.trim()}\n`
        : undefined;
  return secret ? { settings, secret } : { settings };
}

export function EntraDomainFields({
  value,
  onChange,
  secretSet,
  form,
  isNew = false,
}: {
  value: EntraFormValues;
  onChange: (v: EntraFormValues) => void;
  secretSet: boolean;
  /** Marks the fields the server refused (useServerForm). */
  form?: ServerForm;
  /** A tenant being added: nothing is stopped yet, so no alarm about a missing credential. */
  isNew?: boolean;
}) {
  const set = <K extends keyof EntraFormValues>(key: K, v: EntraFormValues[K]) => onChange({ ...value, [key]: v });
  const f = (name: string) => form?.field(name) ?? {};
  const keep = secretSet ? 'Saved — leave empty to keep it' : undefined;
  return (
    <Stack gap="sm">
      <TextInput
        label="Directory (tenant) ID"
        {...f('settings.tenantId')}
        required
        value={value.tenantId}
        onChange={(e) => set('tenantId', e.currentTarget.value)}
        placeholder="72f988bf-86f1-41af-91ab-2d7cd011db47"
      />
      <TextInput
        label="Application (client) ID"
        {...f('settings.clientId')}
        required
        value={value.clientId}
        onChange={(e) => set('clientId', e.currentTarget.value)}
      />
      <Group gap="sm">
        <Text size="sm" fw={500}>
          Credential
        </Text>
        <SegmentedControl
          size="xs"
          value={value.credentialType}
          onChange={(v) => set('credentialType', v as EntraFormValues['credentialType'])}
          data={[
            { value: 'secret', label: 'Secret' },
            { value: 'certificate', label: 'Certificate' },
          ]}
        />
        {secretSet ? (
          <Badge variant="light" color="teal">
            Set
          </Badge>
        ) : isNew ? (
          <Badge variant="light" color="gray">
            Not set up yet
          </Badge>
        ) : (
          <Badge variant="light" color="red">
            Not set: sync is stopped
          </Badge>
        )}
      </Group>
      {value.credentialType === 'secret' ? (
        <PasswordInput
          label="Client secret"
          {...f('secret')}
          value={value.clientSecret}
          onChange={(e) => set('clientSecret', e.currentTarget.value)}
          placeholder={keep}
          autoComplete="off"
        />
      ) : (
        <>
          <Textarea
            label="Certificate (PEM)"
            {...f('secret')}
            value={value.certificatePem}
            onChange={(e) => set('certificatePem', e.currentTarget.value)}
            placeholder={keep ?? '-----BEGIN CERTIFICATE-----'}
            autosize
            minRows={3}
            maxRows={8}
            styles={{ input: { fontFamily: 'monospace' } }}
          />
          <Textarea
            label="Private key (PEM)"
            value={value.privateKeyPem}
            onChange={(e) => set('privateKeyPem', e.currentTarget.value)}
            placeholder={keep ?? '-----BEGIN PRIVATE KEY-----'}
            autosize
            minRows={3}
            maxRows={8}
            styles={{ input: { fontFamily: 'monospace' } }}
          />
        </>
      )}
      <TextInput
        label="Login base URL"
        {...f('settings.loginBaseUrl')}
        description="Another cloud: e.g. https://login.microsoftonline.us"
        value={value.loginBaseUrl}
        onChange={(e) => set('loginBaseUrl', e.currentTarget.value)}
      />
      <TextInput
        label="Graph base URL"
        {...f('settings.graphBaseUrl')}
        description="Another cloud: e.g. https://graph.microsoft.us"
        value={value.graphBaseUrl}
        onChange={(e) => set('graphBaseUrl', e.currentTarget.value)}
      />
      <Switch label="Provision passkeys into Entra ID" checked={value.passkeysEnabled} onChange={(e) => set('passkeysEnabled', e.currentTarget.checked)} />
      {value.passkeysEnabled ? (
        <TagsInput
          label="Allowed e-mail domains"
          {...f('settings.passkeys.allowedEmailDomains')}
          description="Empty: any. Only employees with these e-mail domains may be provisioned."
          value={value.allowedEmailDomains}
          onChange={(v) => set('allowedEmailDomains', v)}
        />
      ) : null}
    </Stack>
  );
}
