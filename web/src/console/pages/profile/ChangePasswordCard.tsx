import { Alert, Button, Group, Paper, PasswordInput, Stack, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useChangePassword } from '../../api/auth';
import { errorMessage } from '../../../shared/api/client';
import { notifySuccess } from '../../../shared/components/notify';

const empty = { current: '', next: '', confirm: '' };

/** "Change password": Current password, New password, Confirm new password → "Change password". */
export function ChangePasswordCard() {
  const change = useChangePassword();
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
    change.mutate(
      { currentPassword: form.current, newPassword: form.next },
      {
        onSuccess: () => {
          setForm(empty);
          setSubmitted(false);
          notifySuccess('Your password was changed.');
        },
      },
    );
  };

  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="change-password-title">
      <Title order={2} size="h4" id="change-password-title" mb="md">
        Password
      </Title>
      <form onSubmit={submit} noValidate>
        <Stack maw={420}>
          {change.isError ? (
            <Alert color="red" title="Password not changed">
              {errorMessage(change.error)}
            </Alert>
          ) : null}
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            value={form.current}
            onChange={(e) => setForm({ ...form, current: e.currentTarget.value })}
            error={submitted ? errors.current : undefined}
          />
          <PasswordInput
            label="New password"
            autoComplete="new-password"
            value={form.next}
            onChange={(e) => setForm({ ...form, next: e.currentTarget.value })}
            error={submitted ? errors.next : undefined}
          />
          <PasswordInput
            label="Confirm new password"
            autoComplete="new-password"
            value={form.confirm}
            onChange={(e) => setForm({ ...form, confirm: e.currentTarget.value })}
            error={submitted ? errors.confirm : undefined}
          />
          <Group>
            <Button type="submit" loading={change.isPending}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
