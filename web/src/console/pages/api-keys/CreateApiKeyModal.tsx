import { Button, Group, Modal, NativeSelect, Stack, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useCreateApiKey } from '../../api/api-keys';
import { API_KEY_SCOPES, type ApiKeyScope, type CreatedApiKey } from '../../../shared/api/types';
import { dayToIso } from '../../../shared/components/format';
import { FormErrorSummary, useServerForm } from '../../components/forms';

const scopeLabels: Record<ApiKeyScope, string> = {
  read: 'read — list and read',
  write: 'write — read and change data',
  admin: 'admin — everything, including settings',
};

function tomorrow(): string {
  const date = new Date();
  date.setDate(date.getDate() + 1);
  return date.toISOString().slice(0, 10);
}

/** "Create API key" dialog: Name, Scope, Expires on (optional) → "Create key". */
export function CreateApiKeyModal({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (created: CreatedApiKey) => void }) {
  const create = useCreateApiKey();
  const form = useServerForm();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<ApiKeyScope>('read');
  const [expires, setExpires] = useState('');
  const [submitted, setSubmitted] = useState(false);

  useEffect(() => {
    if (opened) {
      setName('');
      setScope('read');
      setExpires('');
      setSubmitted(false);
      form.clear();
    }
  }, [opened]); // reset only when the dialog opens

  const expiresAt = dayToIso(expires, 'end');
  const errors = {
    name: name.trim() ? undefined : 'Enter a name',
    expires: expires && (!expiresAt || new Date(expiresAt) <= new Date()) ? 'Choose a date in the future' : undefined,
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (errors.name || errors.expires) return;
    void form.submit(() => create.mutateAsync({ name: name.trim(), scope, ...(expiresAt ? { expiresAt } : {}) }), { onSuccess: onCreated });
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Create API key" centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={form} title="Could not create the key" />
          <TextInput
            label="Name"
            description="What uses this key, e.g. “HR sync script”."
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            {...form.field('name', submitted ? errors.name : undefined)}
            data-autofocus
          />
          <NativeSelect
            label="Scope"
            {...form.field('scope')}
            data={API_KEY_SCOPES.map((s) => ({ value: s, label: scopeLabels[s] }))}
            value={scope}
            onChange={(e) => setScope(e.currentTarget.value as ApiKeyScope)}
          />
          <TextInput
            label="Expires on"
            description="Optional. The key stops working at the end of that day."
            type="date"
            min={tomorrow()}
            value={expires}
            onChange={(e) => setExpires(e.currentTarget.value)}
            {...form.field('expiresAt', submitted ? errors.expires : undefined)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={form.saving}>
              Cancel
            </Button>
            <Button type="submit" loading={form.saving}>
              Create key
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
