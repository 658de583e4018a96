import { Button, Group, Paper, PasswordInput, Stack, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useChangePassword } from '../../api/auth';
import { notifySuccess } from '../../../shared/components/notify';
import { FormErrorSummary, useServerForm } from '../../components/forms';

const empty = { current: '', next: '', confirm: '' };

/** "Change password": Current password, New password, Confirm new password → "Change password". */
export function ChangePasswordCard() {
  const change = useChangePassword();
  const serverForm = useServerForm();
  const [form, setForm] = useState(empty);
  const [submitted, setSubmitted] = useState(false);
  const errors = {
    current: form.current ? undefined : 'Enter your current password',
    next: form.next ? undefined : 'Choose a new password',
    confirm: form.confirm === form.next ? undefined : 'Passwords do not match',
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (errors.current || errors.next || errors.confirm) return;
    void serverForm.submit(() => change.mutateAsync({ currentPassword: form.current, newPassword: form.next }), {
      onSuccess: () => {
        setForm(empty);
        setSubmitted(false);
        notifySuccess('Your password was changed.');
      },
    });
  };

  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="change-password-title">
      <Title order={2} size="h4" id="change-password-title" mb="md">
        Password
      </Title>
      <form onSubmit={submit} noValidate>
        <Stack maw={420}>
          <FormErrorSummary form={serverForm} title="Password not changed" />
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            value={form.current}
            onChange={(e) => setForm({ ...form, current: e.currentTarget.value })}
            {...serverForm.field('currentPassword', submitted ? errors.current : undefined)}
          />
          <PasswordInput
            label="New password"
            autoComplete="new-password"
            value={form.next}
            onChange={(e) => setForm({ ...form, next: e.currentTarget.value })}
            {...serverForm.field('newPassword', submitted ? errors.next : undefined)}
          />
          <PasswordInput
            label="Confirm new password"
            autoComplete="new-password"
            value={form.confirm}
            onChange={(e) => setForm({ ...form, confirm: e.currentTarget.value })}
            {...serverForm.field('confirm', submitted ? errors.confirm : undefined)}
          />
          <Group>
            <Button type="submit" loading={serverForm.saving}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
