import { Button, Group, Modal, Stack, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { VaultTemplate, VaultTemplatePatch } from '../../../shared/api/vault-types';
import { notifySuccess } from '../../../shared/components/notify';
import { urlLines, validateAccount, emptyAccountForm } from '../../../shared/components/vault-form';
import { useCreateTemplate, useUpdateTemplate } from '../../api/vault';
import { FormErrorSummary, useServerForm } from '../../components/forms';

/** "New template" / "Edit <name>": an application's name, addresses and a hint of what its login is. */
export function TemplateModal({ template, onClose }: { template: VaultTemplate | null; onClose: () => void }) {
  const create = useCreateTemplate();
  const form = useServerForm();
  const update = useUpdateTemplate();
  const [name, setName] = useState(template?.name ?? '');
  const [urls, setUrls] = useState(template?.urls.join('\n') ?? '');
  const [loginHint, setLoginHint] = useState(template?.loginHint ?? '');
  const [submitted, setSubmitted] = useState(false);
  // The same checks as an account's name and addresses.
  const check = validateAccount({ ...emptyAccountForm(), name, urls });
  const errors = submitted ? { name: check.name, urls: check.urls } : {};
  const saving = form.saving;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (check.name || check.urls) return;
    const done = (saved: VaultTemplate) => {
      notifySuccess('Employees can start an account from it in their portal.', template ? `${saved.name} saved` : `${saved.name} created`);
      onClose();
    };
    const body = { name: name.trim(), urls: urlLines(urls), loginHint: loginHint.trim() || null };
    if (!template) void form.submit(() => create.mutateAsync(body), { onSuccess: done });
    else {
      const patch: VaultTemplatePatch = {};
      if (body.name !== template.name) patch.name = body.name;
      if (body.urls.join('\n') !== template.urls.join('\n')) patch.urls = body.urls;
      if (body.loginHint !== template.loginHint) patch.loginHint = body.loginHint;
      if (Object.keys(patch).length === 0) onClose();
      else void form.submit(() => update.mutateAsync({ id: template.id, patch }), { onSuccess: done });
    }
  };

  return (
    <Modal opened onClose={onClose} title={template ? `Edit ${template.name}` : 'New template'} centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={form} title="Could not save the template" />
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} {...form.field('name', errors.name)} data-autofocus />
          <Textarea
            label="Addresses"
            description="One http:// or https:// address a line"
            autosize
            minRows={2}
            value={urls}
            onChange={(e) => setUrls(e.currentTarget.value)}
            {...form.field('urls', errors.urls)}
          />
          <TextInput
            label="Login hint"
            {...form.field('loginHint')}
            description="What goes in the login, e.g. “your work e-mail address”"
            value={loginHint}
            onChange={(e) => setLoginHint(e.currentTarget.value)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={saving}>
              Cancel
            </Button>
            <Button type="submit" loading={saving}>
              {template ? 'Save' : 'Create template'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
