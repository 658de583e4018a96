import { Alert, Button, FileInput, Group, Modal, NativeSelect, NumberInput, SimpleGrid, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { IconFileCode } from '@tabler/icons-react';
import { ApplicationAccessField } from '../../components/ApplicationAccessField';
import { ApplicationIconField } from '../../components/ApplicationIconField';
import { useEffect, useState, type FormEvent } from 'react';
import { errorMessage } from '../../../shared/api/client';
import { FormErrorSummary, useServerForm } from '../../components/forms';
import {
  ATTRIBUTE_SOURCES,
  EMPLOYEE_FIELDS,
  NAME_ID_FORMATS,
  useCreateServiceProvider,
  useParseMetadata,
  useSpPresets,
  useUpdateServiceProvider,
  type NameIdFormat,
  type ServiceProvider,
  type ServiceProviderInput,
  type SsoProtocol,
} from '../../api/saml';

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
/** "name = field" per line ↔ attribute mappings. */
const parseAttributes = (text: string) =>
  lines(text).map((l) => {
    const [name, field] = l.split('=').map((s) => s.trim());
    return { name, field: field || 'email' };
  });
const formatAttributes = (list: { name: string; field: string }[]) => list.map((a) => `${a.name} = ${a.field}`).join('\n');
/** Certificates pasted one after another (PEM blocks), or one base64 body. */
const splitCertificates = (text: string) => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? (text.trim() ? [text.trim()] : []);

/** "Add service provider" / "Add relying party" (from SP metadata XML, a preset, or by hand), or edit one (`editing`). */

type TokenType = NonNullable<ServiceProviderInput['tokenType']>;
type EmployeeField = NonNullable<ServiceProviderInput['nameIdField']>;
export function ServiceProviderModal({
  protocol,
  opened,
  editing,
  onClose,
  onSaved,
}: {
  protocol: SsoProtocol;
  opened: boolean;
  editing?: ServiceProvider | null;
  onClose: () => void;
  onSaved: (sp: ServiceProvider) => void;
}) {
  const createSp = useCreateServiceProvider(protocol);
  const updateSp = useUpdateServiceProvider(protocol);
  const form = useServerForm();
  const parse = useParseMetadata();
  const presets = (useSpPresets().data ?? []).filter((p) => p.protocol === protocol);
  const isSaml = protocol === 'saml';
  const [preset, setPreset] = useState('');
  const [name, setName] = useState('');
  const [entityId, setEntityId] = useState('');
  const [acs, setAcs] = useState('');
  const [sloUrl, setSloUrl] = useState('');
  const [certificates, setCertificates] = useState('');
  const [nameIdFormat, setNameIdFormat] = useState<NameIdFormat>('email');
  const [nameIdField, setNameIdField] = useState('email');
  const [attributes, setAttributes] = useState('email = email');
  const [signResponse, setSignResponse] = useState(true);
  const [signAssertion, setSignAssertion] = useState(true);
  const [encrypt, setEncrypt] = useState(false);
  const [requireSigned, setRequireSigned] = useState(false);
  const [idpInitiated, setIdpInitiated] = useState(false);
  const [startUrl, setStartUrl] = useState('');
  const [tokenType, setTokenType] = useState<TokenType>('saml20');
  const [skew, setSkew] = useState<number | string>(120);
  const [lifetime, setLifetime] = useState<number | string>(480);
  const [submitted, setSubmitted] = useState(false);

  useEffect(() => {
    if (!opened) return;
    setPreset('');
    setName('');
    setEntityId('');
    setAcs('');
    setSloUrl('');
    setCertificates('');
    setNameIdFormat('email');
    setNameIdField('email');
    setAttributes('email = email');
    setSignResponse(true);
    setSignAssertion(true);
    setEncrypt(false);
    setRequireSigned(false);
    setIdpInitiated(false);
    setStartUrl('');
    setTokenType('saml20');
    setSkew(120);
    setLifetime(480);
    setSubmitted(false);
    form.clear();
    parse.reset();
    if (editing) {
      setPreset(editing.preset ?? '');
      setName(editing.name);
      setEntityId(editing.entityId);
      setAcs(editing.acsEndpoints.map((a) => a.url).join('\n'));
      setSloUrl(editing.sloUrl ?? '');
      setCertificates(editing.certificates.map((c) => c.pem).join(''));
      setNameIdFormat(editing.nameIdFormat as NameIdFormat);
      setNameIdField(editing.nameIdField);
      setAttributes(formatAttributes(editing.attributes));
      setSignResponse(editing.signResponse);
      setSignAssertion(editing.signAssertion);
      setEncrypt(editing.encryptAssertion);
      setRequireSigned(editing.requireSignedRequests);
      setIdpInitiated(editing.idpInitiated);
      setStartUrl(editing.startUrl ?? '');
      setTokenType((editing.tokenType ?? 'saml20') as TokenType);
      setSkew(editing.clockSkewSeconds);
      setLifetime(editing.sessionLifetimeMinutes);
    }
  }, [opened]); // reset only when the dialog opens

  const choosePreset = (id: string) => {
    setPreset(id);
    const p = presets.find((x) => x.id === id);
    if (!p) return;
    setNameIdFormat(p.nameIdFormat as NameIdFormat);
    setNameIdField(p.nameIdField);
    setAttributes(formatAttributes(p.attributes));
    if (p.tokenType === 'saml11' || p.tokenType === 'saml20') setTokenType(p.tokenType);
    if (!name.trim()) setName(p.label);
  };
  const loadMetadata = async (file: File | null) => {
    if (!file) return;
    parse.mutate(await file.text(), {
      onSuccess: (m) => {
        setEntityId(m.entityId);
        setAcs(m.acsEndpoints.map((a) => a.url).join('\n'));
        setSloUrl(m.sloUrl ?? '');
        setCertificates(m.certificates.join(''));
        setRequireSigned(m.requireSignedRequests);
        if (m.nameIdFormat) setNameIdFormat(m.nameIdFormat as NameIdFormat);
      },
    });
  };

  const errors = {
    name: name.trim() ? undefined : 'Enter a name',
    entityId: entityId.trim() ? undefined : isSaml ? 'Enter the entity ID' : 'Enter the realm',
    acs: lines(acs).length ? undefined : isSaml ? 'Enter at least one ACS URL' : 'Enter at least one reply URL',
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.values(errors).some(Boolean)) return;
    const input: ServiceProviderInput = {
      name: name.trim(),
      entityId: entityId.trim(),
      preset: preset || null,
      acsEndpoints: lines(acs).map((url, index) => ({ url, binding: 'post', index, isDefault: index === 0 })),
      sloUrl: isSaml && sloUrl.trim() ? sloUrl.trim() : null,
      certificates: splitCertificates(certificates),
      nameIdFormat,
      nameIdField: nameIdField as EmployeeField,
      attributes: parseAttributes(attributes) as ServiceProviderInput['attributes'],
      signResponse,
      signAssertion,
      encryptAssertion: isSaml && encrypt,
      requireSignedRequests: isSaml && requireSigned,
      idpInitiated: isSaml && idpInitiated,
      startUrl: startUrl.trim() || null,
      tokenType: isSaml ? null : tokenType,
      clockSkewSeconds: Number(skew),
      sessionLifetimeMinutes: Number(lifetime),
    };
    void form.submit(() => (editing ? updateSp.mutateAsync({ id: editing.id, patch: input }) : createSp.mutateAsync(input)), { onSuccess: onSaved });
  };
  const chosen = presets.find((p) => p.id === preset);
  const hint = chosen?.hint;

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={editing ? `Edit ${editing.name}` : isSaml ? 'Add service provider' : 'Add relying party'}
      centered
      size="xl"
    >
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={form} title="Could not save" />
          {parse.isError ? (
            <Alert color="red" title="Could not read the metadata">
              {errorMessage(parse.error)}
            </Alert>
          ) : null}
          {isSaml ? (
            <FileInput
              label="SP metadata (XML)"
              description="Fills in entity ID, ACS, logout URL and certificates."
              accept=".xml,application/xml,text/xml"
              leftSection={<IconFileCode size={16} />}
              onChange={(f) => void loadMetadata(f)}
              clearable
            />
          ) : null}
          <NativeSelect
            label="Preset"
            data={[{ value: '', label: 'None (enter by hand)' }, ...presets.map((p) => ({ value: p.id, label: p.label }))]}
            value={preset}
            onChange={(e) => choosePreset(e.currentTarget.value)}
            {...form.field('preset')}
          />
          {hint ? (
            <Text size="xs" c="dimmed">
              {hint}
            </Text>
          ) : null}
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} {...form.field('name', submitted ? errors.name : undefined)} />
          <TextInput
            label={isSaml ? 'Entity ID' : 'Realm (wtrealm)'}
            value={entityId}
            onChange={(e) => setEntityId(e.currentTarget.value)}
            {...form.field('entityId', submitted ? errors.entityId : undefined)}
          />
          <Textarea
            label={isSaml ? 'ACS URLs (HTTP-POST)' : 'Reply URLs (wreply)'}
            description="One per line; the first is the default. Tessera answers to no other URL."
            autosize
            minRows={1}
            value={acs}
            onChange={(e) => setAcs(e.currentTarget.value)}
            {...form.field('acsEndpoints', submitted ? errors.acs : undefined)}
          />
          {isSaml ? (
            <TextInput
              label="Single logout URL"
              description="Optional (HTTP-Redirect)."
              value={sloUrl}
              onChange={(e) => setSloUrl(e.currentTarget.value)}
              {...form.field('sloUrl')}
            />
          ) : null}
          <Textarea
            label="SP certificate (PEM)"
            description="Checks signed requests; encrypts assertions."
            autosize
            minRows={2}
            maxRows={6}
            value={certificates}
            onChange={(e) => setCertificates(e.currentTarget.value)}
            {...form.field('certificates')}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 11 } }}
          />
          <SimpleGrid cols={2}>
            <NativeSelect
              label="NameID format"
              data={NAME_ID_FORMATS}
              value={nameIdFormat}
              onChange={(e) => setNameIdFormat(e.currentTarget.value as NameIdFormat)}
              {...form.field('nameIdFormat')}
            />
            <NativeSelect
              label="NameID from"
              data={[...EMPLOYEE_FIELDS]}
              value={nameIdField}
              onChange={(e) => setNameIdField(e.currentTarget.value)}
              {...form.field('nameIdField')}
              disabled={nameIdFormat === 'transient'}
            />
          </SimpleGrid>
          <Textarea
            label="Attributes"
            description="One per line: attribute name = source. A source the employee has no value for leaves its attribute out."
            autosize
            minRows={2}
            value={attributes}
            onChange={(e) => setAttributes(e.currentTarget.value)}
            {...form.field('attributes')}
          />
          {chosen && chosen.attributes.length > 0 ? (
            <Stack gap={2} aria-label="What the vendor documents">
              {chosen.attributes.map((a) => (
                <Text key={a.name} size="xs" c="dimmed">
                  <b>{a.name}</b> = {a.field}: {a.documented}
                </Text>
              ))}
            </Stack>
          ) : null}
          <Text size="xs" c="dimmed" aria-label="Attribute sources">
            Sources: {ATTRIBUTE_SOURCES.map((s) => `${s.value} (${s.label})`).join(', ')}.
          </Text>
          <SimpleGrid cols={2}>
            <Switch label="Sign the response" checked={signResponse} onChange={(e) => setSignResponse(e.currentTarget.checked)} />
            <Switch
              label="Sign the assertion"
              checked={signAssertion}
              onChange={(e) => setSignAssertion(e.currentTarget.checked)}
              {...form.field('signAssertion')}
            />
            {isSaml ? <Switch label="Encrypt the assertion" checked={encrypt} onChange={(e) => setEncrypt(e.currentTarget.checked)} /> : null}
            {isSaml ? <Switch label="Require signed requests" checked={requireSigned} onChange={(e) => setRequireSigned(e.currentTarget.checked)} /> : null}
            {isSaml ? (
              <Switch label="Show in “my applications” (IdP-initiated)" checked={idpInitiated} onChange={(e) => setIdpInitiated(e.currentTarget.checked)} />
            ) : null}
            {!isSaml ? (
              <NativeSelect
                label="Token"
                data={[
                  { value: 'saml20', label: 'SAML 2.0' },
                  { value: 'saml11', label: 'SAML 1.1' },
                ]}
                value={tokenType}
                onChange={(e) => setTokenType(e.currentTarget.value as 'saml11' | 'saml20')}
              />
            ) : null}
          </SimpleGrid>
          <TextInput
            label={isSaml ? 'RelayState for IdP-initiated sign-in' : 'Application URL (shown in “my applications”)'}
            value={startUrl}
            onChange={(e) => setStartUrl(e.currentTarget.value)}
            {...form.field('startUrl')}
          />
          <SimpleGrid cols={2}>
            <NumberInput label="Allowed clock skew (s)" min={0} max={600} value={skew} onChange={setSkew} {...form.field('clockSkewSeconds')} />
            <NumberInput label="Session lifetime (min)" min={5} max={10080} value={lifetime} onChange={setLifetime} {...form.field('sessionLifetimeMinutes')} />
          </SimpleGrid>
          {editing ? <ApplicationIconField base={isSaml ? '/api/saml/service-providers' : '/api/wsfed/relying-parties'} id={editing.id} /> : null}
          {editing ? <ApplicationAccessField protocol={isSaml ? 'saml' : 'wsfed'} id={editing.id} /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={form.saving}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
