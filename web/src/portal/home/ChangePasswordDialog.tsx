import { Alert, Button, Group, Modal, PasswordInput, Stack } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useChangeEmployeePassword } from '../api/portal';
import { ceremonyErrorMessage } from '../../shared/api/webauthn';
import { notifySuccess } from '../../shared/components/notify';
import { passwordError } from '../enroll/PasswordEnrollment';

export function ChangePasswordDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const change = useChangeEmployeePassword();
  const [form, setForm] = useState({ current: '', next: '', confirm: '' });
  const [submitted, setSubmitted] = useState(false);
  const { reset } = change;

  useEffect(() => {
    if (opened) {
      setForm({ current: '', next: '', confirm: '' });
      setSubmitted(false);
      reset();
    }
  }, [opened, reset]);

  const errors = {
    current: form.current ? undefined : 'Enter your current password',
    next: passwordError(form.next),
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
          notifySuccess('Your password was changed.');
          onClose();
        },
      },
    );
  };
  const field = (key: keyof typeof form) => ({
    value: form[key],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => {
      const value = e.currentTarget.value;
      setForm((f) => ({ ...f, [key]: value }));
    },
    error: submitted ? errors[key] : undefined,
  });

  return (
    <Modal opened={opened} onClose={onClose} title="Change password" centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          {change.isError ? <Alert color="red">{ceremonyErrorMessage(change.error)}</Alert> : null}
          <PasswordInput label="Current password" autoComplete="current-password" data-autofocus {...field('current')} />
          <PasswordInput label="New password" description="At least 12 characters." autoComplete="new-password" {...field('next')} />
          <PasswordInput label="Confirm new password" autoComplete="new-password" {...field('confirm')} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={change.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={change.isPending}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
