import { Button, Group, Modal, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useCreateAdmin } from '../../api/admins';
import { notifySuccess } from '../../../shared/components/notify';
import { FormErrorSummary, useServerForm } from '../../components/forms';

const empty = { email: '', name: '', password: '' };

/** "Add admin" dialog: Email, Full name, Initial password → "Create admin". */
export function AddAdminModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const create = useCreateAdmin();
  const serverForm = useServerForm();
  const [form, setForm] = useState(empty);
  const [submitted, setSubmitted] = useState(false);

  useEffect(() => {
    if (opened) {
      setForm(empty);
      setSubmitted(false);
      serverForm.clear();
    }
    // Reset only when the dialog opens.
  }, [opened]);

  const errors = {
    email: /^\S+@\S+\.\S+$/.test(form.email.trim()) ? undefined : 'Enter a valid e-mail address',
    name: form.name.trim() ? undefined : 'Enter the admin’s name',
    password: form.password ? undefined : 'Choose an initial password',
  };
  const valid = !errors.email && !errors.name && !errors.password;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!valid) return;
    void serverForm.submit(() => create.mutateAsync({ email: form.email.trim(), name: form.name.trim(), password: form.password }), {
      onSuccess: (admin) => {
        notifySuccess(`${admin.email} can now sign in.`, 'Admin added');
        onClose();
      },
    });
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Add admin" centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={serverForm} title="Could not add the admin" />
          <TextInput
            label="Email"
            type="email"
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.currentTarget.value })}
            {...serverForm.field('email', submitted ? errors.email : undefined)}
            data-autofocus
          />
          <TextInput
            label="Full name"
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
            {...serverForm.field('name', submitted ? errors.name : undefined)}
          />
          <PasswordInput
            label="Initial password"
            description="Share it with the new admin over a safe channel; they can change it in My profile."
            autoComplete="new-password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.currentTarget.value })}
            {...serverForm.field('password', submitted ? errors.password : undefined)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={serverForm.saving}>
              Cancel
            </Button>
            <Button type="submit" loading={serverForm.saving}>
              Create admin
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
