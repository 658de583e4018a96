import { Alert, Checkbox, Modal, NumberInput, PasswordInput, Select, SimpleGrid, Stack, Switch, TextInput, Textarea } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useState } from 'react';
import { useSaveDomain, type AdSettings, type Domain, type DomainDraft, type DomainPatch, type NewDomain } from '../../api/directory';
import { FormErrorSummary, useServerForm } from '../../components/forms';
import { DomainSetupPanel } from './DomainSetupPanel';

type NewDomainAd = Extract<NewDomain, { kind: 'ad' }>;
import { DomainModalFooter, DomainSyncFields, useDomainSyncValues } from './DomainSyncFields';

const blankAd: AdSettings = {
  urls: [],
  transport: 'ldaps',
  caCertificate: null,
  skipTlsVerify: false,
  tlsServerName: null,
  bindUser: '',
  baseDn: null,
  pageSize: 500,
  timeoutMs: 10000,
};

/** Add or edit an Active Directory domain. The bind password is write-only: shown only as set. */
export function DomainModal({ domain, opened, onClose }: { domain: Domain | null; opened: boolean; onClose: () => void }) {
  const save = useSaveDomain();
  const s = { ...blankAd, ...(domain?.settings as Partial<AdSettings> | undefined) };
  const [name, setName] = useState(domain?.name ?? '');
  const [urls, setUrls] = useState(s.urls.join('\n'));
  const [transport, setTransport] = useState(s.transport);
  const [ca, setCa] = useState(s.caCertificate ?? '');
  const [skipTls, setSkipTls] = useState(s.skipTlsVerify);
  const [tlsName, setTlsName] = useState(s.tlsServerName ?? '');
  const [bindUser, setBindUser] = useState(s.bindUser);
  const [password, setPassword] = useState('');
  const [removePassword, setRemovePassword] = useState(false);
  const [baseDn, setBaseDn] = useState(s.baseDn ?? '');
  const sync = useDomainSyncValues(domain);
  const [pageSize, setPageSize] = useState<number>(s.pageSize);
  const form = useServerForm();

  /** The request the form's values make (Save sends it; Test and Preview send it unsaved). */
  const buildInput = (): DomainPatch => {
    const settings: AdSettings = {
      urls: urls
        .split(/\s+/)
        .map((u) => u.trim())
        .filter(Boolean),
      transport,
      caCertificate: ca.trim() || null,
      skipTlsVerify: skipTls,
      tlsServerName: tlsName.trim() || null,
      bindUser: bindUser.trim(),
      baseDn: baseDn.trim() || null,
      pageSize,
      timeoutMs: s.timeoutMs,
    };
    const input: DomainPatch = {
      name: name.trim(),
      ...sync.request(),
      settings: settings as unknown as Record<string, unknown>,
    };
    if (removePassword) input.secret = null;
    else if (password) input.secret = password;
    return input;
  };
  const draft = (): DomainDraft =>
    domain ? { id: domain.id, input: buildInput() } : { input: { kind: 'ad', ...(buildInput() as Omit<NewDomainAd, 'kind'>) } };

  const submit = () => {
    const { id, input } = draft();
    void form.submit(() => save.mutateAsync({ id, input }), {
      success: { title: 'Domain saved', message: `${input.name ?? ''} saved` },
      onSuccess: onClose,
    });
  };

  return (
    <Modal opened={opened} onClose={onClose} title={domain ? `Edit ${domain.name}` : 'Add Active Directory domain'} size="xl">
      <Stack gap="sm">
        <FormErrorSummary form={form} title="The domain was not saved" />
        <SimpleGrid cols={2}>
          <TextInput
            label="Domain name"
            {...form.field('name')}
            placeholder="corp.example.com"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
          />
          <TextInput
            label="Base DN"
            {...form.field('settings.baseDn')}
            description="Empty: read from the domain controller"
            value={baseDn}
            onChange={(e) => setBaseDn(e.currentTarget.value)}
          />
        </SimpleGrid>
        <Textarea
          label="Domain controller URLs"
          {...form.field('settings.urls')}
          description="One per line, tried in order (failover). Empty: ldaps://<domain name>"
          value={urls}
          onChange={(e) => setUrls(e.currentTarget.value)}
          autosize
          minRows={2}
        />
        <SimpleGrid cols={2}>
          <Select
            label="Transport"
            {...form.field('settings.transport')}
            value={transport}
            onChange={(v) => setTransport((v ?? 'ldaps') as AdSettings['transport'])}
            allowDeselect={false}
            data={[
              { value: 'ldaps', label: 'LDAPS' },
              { value: 'starttls', label: 'StartTLS' },
              { value: 'none', label: 'Plain LDAP (no password operations)' },
            ]}
          />
          <TextInput
            label="Certificate name"
            {...form.field('settings.tlsServerName')}
            description="When the URLs use addresses: the name in the controllers' certificate"
            value={tlsName}
            onChange={(e) => setTlsName(e.currentTarget.value)}
          />
        </SimpleGrid>
        <Textarea
          label="CA certificate (PEM)"
          {...form.field('settings.caCertificate')}
          description="Empty: the system's trusted CAs"
          value={ca}
          onChange={(e) => setCa(e.currentTarget.value)}
          autosize
          minRows={2}
          maxRows={6}
          styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
        />
        <Switch
          color="red"
          label="Don't verify the TLS certificate (unsafe: tests and first set-up only)"
          checked={skipTls}
          onChange={(e) => setSkipTls(e.currentTarget.checked)}
        />
        {skipTls ? (
          <Alert color="red" icon={<IconAlertTriangle />}>
            Certificates are not checked: anyone between Tessera and the domain controller can read the bind password and every password Tessera sets.
          </Alert>
        ) : null}
        <SimpleGrid cols={2}>
          <TextInput
            label="Bind user"
            {...form.field('settings.bindUser')}
            description="UPN, DOMAIN\user or DN"
            value={bindUser}
            onChange={(e) => setBindUser(e.currentTarget.value)}
            required
          />
          <PasswordInput
            label="Bind password"
            {...form.field('secret')}
            description={domain?.secret.set ? 'Saved. Leave empty to keep it.' : 'Without it, sync is disabled'}
            placeholder={domain?.secret.set ? '•••••••• (set)' : ''}
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            disabled={removePassword}
            autoComplete="new-password"
          />
        </SimpleGrid>
        {domain?.secret.set ? (
          <Checkbox
            color="red"
            label="Remove the bind password (stops every sync, rotation and password change of this domain)"
            checked={removePassword}
            onChange={(e) => setRemovePassword(e.currentTarget.checked)}
          />
        ) : null}
        <DomainSyncFields value={sync.values} onChange={sync.setValues} form={form}>
          <NumberInput
            label="LDAP page size"
            {...form.field('settings.pageSize')}
            min={2}
            max={5000}
            value={pageSize}
            onChange={(v) => setPageSize(Number(v) || 500)}
          />
        </DomainSyncFields>
        <DomainSetupPanel draft={draft} />
        <DomainModalFooter onCancel={onClose} onSave={submit} saving={form.saving} />
      </Stack>
    </Modal>
  );
}
