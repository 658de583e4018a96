import { Checkbox, Modal, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useSaveDomain, type Domain, type DomainDraft, type DomainPatch, type NewDomain } from '../../api/directory';
import { FormErrorSummary, useServerForm } from '../../components/forms';
import { DomainSetupPanel } from './DomainSetupPanel';
import { EntraPermissions } from './EntraPermissions';

type NewDomainEntra = Extract<NewDomain, { kind: 'entra' }>;
import { DomainModalFooter, DomainSyncFields, useDomainSyncValues } from './DomainSyncFields';
import { EntraDomainFields, emptyEntraValues, entraRequest, entraValuesFromSettings, type EntraFormValues } from '../entra-passkeys/EntraDomainFields';

/** Add or edit a Microsoft Entra ID tenant. The client secret or certificate key is write-only. */
export function EntraDomainModal({ domain, opened, onClose }: { domain: Domain | null; opened: boolean; onClose: () => void }) {
  const save = useSaveDomain();
  const [name, setName] = useState(domain?.name ?? '');
  const [entra, setEntra] = useState<EntraFormValues>(domain ? entraValuesFromSettings(domain.settings) : emptyEntraValues);
  const [removeSecret, setRemoveSecret] = useState(false);
  const sync = useDomainSyncValues(domain);
  const form = useServerForm();

  /** The request the form's values make (Save sends it; Test and Preview send it unsaved). */
  const buildInput = (): DomainPatch => {
    const { settings, secret } = entraRequest(entra);
    const input: DomainPatch = {
      name: name.trim(),
      ...sync.request(),
      settings,
    };
    if (removeSecret) input.secret = null;
    else if (secret) input.secret = secret;
    return input;
  };
  const draft = (): DomainDraft =>
    domain ? { id: domain.id, input: buildInput() } : { input: { kind: 'entra', ...(buildInput() as Omit<NewDomainEntra, 'kind'>) } };

  const submit = () => {
    const { id, input } = draft();
    void form.submit(() => save.mutateAsync({ id, input }), {
      success: { title: 'Domain saved', message: `${input.name ?? ''} saved` },
      onSuccess: onClose,
    });
  };

  return (
    <Modal opened={opened} onClose={onClose} title={domain ? `Edit ${domain.name}` : 'Add Entra ID tenant'} size="xl">
      <Stack gap="sm">
        <FormErrorSummary form={form} title="The tenant was not saved" />
        <TextInput
          label="Domain"
          {...form.field('name')}
          placeholder="contoso.onmicrosoft.com"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          required
        />
        <EntraDomainFields value={entra} onChange={setEntra} secretSet={!!domain?.secret.set && !removeSecret} form={form} isNew={!domain} />
        {domain?.secret.set ? (
          <Checkbox
            color="red"
            label="Remove the saved credential (stops every sync and rotation of this tenant)"
            checked={removeSecret}
            onChange={(e) => setRemoveSecret(e.currentTarget.checked)}
          />
        ) : null}
        <DomainSyncFields value={sync.values} onChange={sync.setValues} kind="entra" form={form} />
        <EntraPermissions rotation={sync.values.days > 0} passkeys={entra.passkeysEnabled} />
        <DomainSetupPanel draft={draft} />
        <DomainModalFooter onCancel={onClose} onSave={submit} saving={form.saving} />
      </Stack>
    </Modal>
  );
}
