import { Alert, Button, Group, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../shared/api/client';
import type { DirectoryAccount, Items } from '../../shared/api/types';
import { notifySuccess } from '../../shared/components/notify';
import { queryKeys } from '../../shared/query-keys';

/** One domain account: old + new password, AD's refusals explained by the server in plain words. */
function ChangeForm({ account }: { account: DirectoryAccount }) {
  const [form, setForm] = useState({ old: '', next: '', confirm: '' });
  const change = useMutation({
    mutationFn: () =>
      api<void>(`/api/portal/directory-accounts/${account.id}/password`, { method: 'POST', body: { oldPassword: form.old, newPassword: form.next } }),
    onSuccess: () => {
      notifySuccess(`The password of ${account.upn ?? account.username} was changed.`);
      setForm({ old: '', next: '', confirm: '' });
    },
  });
  const mismatch = form.confirm !== '' && form.confirm !== form.next;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!form.old || !form.next || form.confirm !== form.next) return;
    change.mutate();
  };
  return (
    <form onSubmit={submit} aria-label={`Change the password of ${account.upn ?? account.username}`}>
      <Stack gap="xs">
        <Text size="sm" fw={500}>
          {account.upn ?? account.username}{' '}
          <Text span c="dimmed" size="xs">
            ({account.domainName})
          </Text>
        </Text>
        {change.isError ? (
          <Alert color="red" role="alert">
            {errorMessage(change.error)}
          </Alert>
        ) : null}
        <Group grow align="flex-start">
          <PasswordInput
            label="Current password"
            value={form.old}
            onChange={(e) => setForm({ ...form, old: e.currentTarget.value })}
            autoComplete="current-password"
          />
          <PasswordInput
            label="New password"
            value={form.next}
            onChange={(e) => setForm({ ...form, next: e.currentTarget.value })}
            autoComplete="new-password"
          />
          <PasswordInput
            label="Repeat the new password"
            value={form.confirm}
            error={mismatch ? 'Passwords do not match' : undefined}
            onChange={(e) => setForm({ ...form, confirm: e.currentTarget.value })}
            autoComplete="new-password"
          />
        </Group>
        <Group>
          <Button type="submit" loading={change.isPending} disabled={!form.old || !form.next || form.confirm !== form.next}>
            Change domain password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Shown only when the employee has a domain account whose directory lets them change their password. */
export function DomainPasswordSection() {
  const accounts = useQuery({
    queryKey: queryKeys.portal.directoryAccounts,
    queryFn: ({ signal }) => api<Items<DirectoryAccount>>('/api/portal/directory-accounts', { signal }),
    select: (d) => d.items.filter((a) => a.canChangePassword && a.isEnabled),
  });
  if (!accounts.data || accounts.data.length === 0) return null;
  return (
    <Paper withBorder radius="md" p="md">
      <Title order={2} size="h4" mb="xs">
        Domain password
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        The password of your Windows (domain) account. Changing it here changes it in the domain at once.
      </Text>
      <Stack>
        {accounts.data.map((a) => (
          <ChangeForm key={a.id} account={a} />
        ))}
      </Stack>
    </Paper>
  );
}
