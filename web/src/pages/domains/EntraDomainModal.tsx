import { Alert, Button, Checkbox, Group, Modal, NumberInput, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { useSaveDomain, type Domain, type DomainInput, type RemovalBehaviour } from '../../api/directory';
import { notifySuccess } from '../../components/notify';
import { EntraDomainFields, emptyEntraValues, entraRequest, entraValuesFromSettings, type EntraFormValues } from '../entra-passkeys/EntraDomainFields';

/** Add or edit a Microsoft Entra ID tenant. The client secret or certificate key is write-only. */
export function EntraDomainModal({ domain, opened, onClose }: { domain: Domain | null; opened: boolean; onClose: () => void }) {
  const save = useSaveDomain();
  const [name, setName] = useState(domain?.name ?? '');
  const [entra, setEntra] = useState<EntraFormValues>(domain ? entraValuesFromSettings(domain.settings) : emptyEntraValues);
  const [removeSecret, setRemoveSecret] = useState(false);
  const [syncGroup, setSyncGroup] = useState(domain?.syncGroup ?? 'Tessera Users Sync');
  const [rotationGroup, setRotationGroup] = useState(domain?.rotationGroup ?? 'Tessera Key Auto Password Change');
  const [days, setDays] = useState<number>(domain?.passwordChangeDays ?? 30);
  const [removal, setRemoval] = useState<RemovalBehaviour>(domain?.removalBehaviour ?? 'deactivate');
  const [threshold, setThreshold] = useState<number>(domain?.removalThresholdPercent ?? 10);
  const [sso, setSso] = useState(domain?.ssoEnabled ?? true);
  const [ssoMethod, setSsoMethod] = useState<'passwordless' | 'password_2fa'>(domain?.ssoMethod ?? 'passwordless');
  const [interval, setIntervalMin] = useState<number>(domain?.syncIntervalMinutes ?? 60);
  const [error, setError] = useState<string | null>(null);

  const submit = () => {
    setError(null);
    const { settings, secret } = entraRequest(entra);
    const input: DomainInput = {
      name: name.trim(), syncGroup, rotationGroup, passwordChangeDays: days, removalBehaviour: removal, removalThresholdPercent: threshold,
      ssoEnabled: sso, ssoMethod, syncIntervalMinutes: interval, settings,
    };
    if (removeSecret) input.secret = null;
    else if (secret) input.secret = secret;
    save.mutate({ id: domain?.id, input: domain ? input : { kind: 'entra', ...input } }, {
      onSuccess: () => { notifySuccess(`${input.name} saved`, 'Domain saved'); onClose(); },
      onError: (e) => setError(errorMessage(e)),
    });
  };

  return (
    <Modal opened={opened} onClose={onClose} title={domain ? `Edit ${domain.name}` : 'Add Entra ID tenant'} size="xl">
      <Stack gap="sm">
        {error ? <Alert color="red" role="alert">{error}</Alert> : null}
        <TextInput label="Domain" placeholder="contoso.onmicrosoft.com" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
        <EntraDomainFields value={entra} onChange={setEntra} secretSet={!!domain?.secret.set && !removeSecret} />
        {domain?.secret.set ? (
          <Checkbox color="red" label="Remove the saved credential (stops every sync and rotation of this tenant)" checked={removeSecret} onChange={(e) => setRemoveSecret(e.currentTarget.checked)} />
        ) : null}
        <SimpleGrid cols={2}>
          <TextInput label="Sync group" value={syncGroup} onChange={(e) => setSyncGroup(e.currentTarget.value)} />
          <TextInput label="Password rotation group" value={rotationGroup} onChange={(e) => setRotationGroup(e.currentTarget.value)} />
          <NumberInput label="Auto password change (days)" description="0 turns rotation off" min={0} max={3650} value={days} onChange={(v) => setDays(Number(v) || 0)} />
          <Select label="When a user leaves the sync group" value={removal} onChange={(v) => setRemoval((v ?? 'deactivate') as RemovalBehaviour)} allowDeselect={false}
            data={[{ value: 'keep', label: 'Keep the employee' }, { value: 'deactivate', label: 'Deactivate the employee' }, { value: 'delete', label: 'Delete the employee' }]} />
          <NumberInput label="Removal threshold (%)" description="A sync removing more waits for confirmation" min={0} max={100} value={threshold} onChange={(v) => setThreshold(Number(v) || 0)} />
          <NumberInput label="Sync every (minutes)" description="0: only on demand" min={0} value={interval} onChange={(v) => setIntervalMin(Number(v) || 0)} />
          <Select label="SSO for imported employees" value={sso ? ssoMethod : 'off'} allowDeselect={false}
            onChange={(v) => { setSso(v !== 'off'); if (v && v !== 'off') setSsoMethod(v as typeof ssoMethod); }}
            data={[{ value: 'passwordless', label: 'On, passwordless' }, { value: 'password_2fa', label: 'On, password + second factor' }, { value: 'off', label: 'Off' }]} />
        </SimpleGrid>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Cancel</Button>
          <Button onClick={submit} loading={save.isPending}>Save</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
