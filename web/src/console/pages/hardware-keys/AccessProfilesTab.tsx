import { Badge, Button, Checkbox, Group, Modal, NumberInput, Paper, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { type FormEvent, useEffect, useState } from 'react';
import type { AccessProfile } from '../../../shared/api/types';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { QueryState } from '../../../shared/components/QueryState';
import { useLastDefined } from '../../../shared/components/use-last-defined';
import { useAccessProfiles, useDeleteAccessProfile, useSaveAccessProfile } from '../../api/hardware-keys';
import { FormErrorSummary, useServerForm } from '../../components/forms';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Form {
  name: string;
  userVerificationRequired: boolean;
  minPinLength: number | '';
  allowedAaguids: string;
  reauthMinutes: number | '';
  isDefault: boolean;
}

const toForm = (p: AccessProfile | null): Form => ({
  name: p?.name ?? '',
  userVerificationRequired: p?.userVerificationRequired ?? true,
  minPinLength: p?.minPinLength ?? '',
  allowedAaguids: (p?.allowedAaguids ?? []).join('\n'),
  reauthMinutes: p?.reauthMinutes ?? 480,
  isDefault: p?.isDefault ?? false,
});

function validate(f: Form): Partial<Record<keyof Form, string>> {
  const errors: Partial<Record<keyof Form, string>> = {};
  if (!f.name.trim()) errors.name = 'Name the profile';
  if (f.minPinLength !== '' && (f.minPinLength < 4 || f.minPinLength > 63)) errors.minPinLength = 'From 4 to 63 (CTAP 2.1), or empty for any length';
  const bad = aaguids(f).find((a) => !UUID.test(a));
  if (bad) errors.allowedAaguids = `“${bad}” is not an AAGUID (a UUID such as ee882879-721c-4913-9775-3dfcce97072a)`;
  if (f.reauthMinutes === '' || f.reauthMinutes < 5 || f.reauthMinutes > 43200) errors.reauthMinutes = 'From 5 minutes to 30 days (43200)';
  return errors;
}

const aaguids = (f: Form) =>
  f.allowedAaguids
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Create or edit an access profile; each field says in one line what it does. */
function ProfileModal({ editing, opened, onClose }: { editing: AccessProfile | null; opened: boolean; onClose: () => void }) {
  const save = useSaveAccessProfile();
  const serverForm = useServerForm();
  const [form, setForm] = useState<Form>(toForm(editing));
  const [submitted, setSubmitted] = useState(false);
  useEffect(() => {
    if (opened) {
      setForm(toForm(editing));
      setSubmitted(false);
      serverForm.clear();
    }
  }, [opened, editing]); // a fresh form each time the dialog opens
  const errors = submitted ? validate(form) : {};
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (Object.keys(validate(form)).length > 0) return;
    const input = {
      name: form.name.trim(),
      userVerificationRequired: form.userVerificationRequired,
      minPinLength: form.minPinLength === '' ? null : form.minPinLength,
      allowedAaguids: aaguids(form),
      reauthMinutes: Number(form.reauthMinutes),
      isDefault: form.isDefault,
    };
    const done = {
      onSuccess: (p: AccessProfile) => {
        notifySuccess(`${p.name} was saved.`, editing ? 'Access profile updated' : 'Access profile created');
        onClose();
      },
    };
    void serverForm.submit(() => save.mutateAsync(editing ? { id: editing.id, input } : { input }), done);
  };

  return (
    <Modal opened={opened} onClose={onClose} title={editing ? `Edit ${editing.name}` : 'New access profile'} size="lg" centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={serverForm} title="Could not save the access profile" />
          <TextInput
            label="Name"
            required
            value={form.name}
            onChange={(e) => set('name', e.currentTarget.value)}
            {...serverForm.field('name', errors.name)}
            data-autofocus
          />
          <Checkbox
            label="User verification required"
            description="The key must check its PIN or fingerprint at enrolment, sign-in and workstation logon; touch alone is refused."
            checked={form.userVerificationRequired}
            onChange={(e) => set('userVerificationRequired', e.currentTarget.checked)}
            {...serverForm.field('userVerificationRequired')}
          />
          <NumberInput
            label="Minimum PIN length"
            description="Refuses enrolment of a key whose PIN is shorter, where the key reports it (CTAP 2.1 minPinLength); empty: any length."
            min={4}
            max={63}
            allowDecimal={false}
            value={form.minPinLength}
            onChange={(v) => set('minPinLength', typeof v === 'number' ? v : '')}
            {...serverForm.field('minPinLength', errors.minPinLength)}
          />
          <Textarea
            label="Allowed models (AAGUIDs)"
            description="Only keys of these models may be enrolled and used, one AAGUID a line; empty: any model."
            autosize
            minRows={2}
            value={form.allowedAaguids}
            onChange={(e) => set('allowedAaguids', e.currentTarget.value)}
            {...serverForm.field('allowedAaguids', errors.allowedAaguids)}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          />
          <NumberInput
            label="Re-authentication interval (minutes)"
            description="How long a workstation logon with the key lasts before the employee must touch the key again."
            min={5}
            max={43200}
            allowDecimal={false}
            value={form.reauthMinutes}
            onChange={(v) => set('reauthMinutes', typeof v === 'number' ? v : '')}
            {...serverForm.field('reauthMinutes', errors.reauthMinutes)}
          />
          <Checkbox
            label="Default profile"
            description="Applies to every key without a profile of its own (the previous default loses the mark)."
            checked={form.isDefault}
            onChange={(e) => set('isDefault', e.currentTarget.checked)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={serverForm.saving}>
              {editing ? 'Save' : 'Create profile'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The Access profiles tab: the rules a key is held to, each assigned per key or as the default. */
export function AccessProfilesTab() {
  const profiles = useAccessProfiles();
  const save = useSaveAccessProfile();
  const remove = useDeleteAccessProfile();
  const [editing, setEditing] = useState<AccessProfile | null>(null);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<AccessProfile | null>(null);
  const shownDelete = useLastDefined(deleting);
  const list = profiles.data ?? [];

  const makeDefault = (p: AccessProfile) =>
    save.mutate(
      { id: p.id, input: { isDefault: true } },
      {
        onSuccess: () => notifySuccess(`${p.name} now applies to every key without a profile of its own.`, 'Default profile changed'),
        onError: (e) => notifyError(e, 'Could not change the default'),
      },
    );

  return (
    <>
      <Group justify="space-between" mb="sm">
        <Text size="sm" c="dimmed" maw={720}>
          An access profile sets what a key must do at enrolment, sign-in and workstation logon. A key follows its own profile, else the default one; with
          neither, user verification is required, any model is allowed and a logon lasts 480 minutes.
        </Text>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
          New access profile
        </Button>
      </Group>
      <QueryState query={profiles} />
      {profiles.data ? (
        <Paper withBorder radius="md" p="xs">
          <Table aria-label="Access profiles" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>User verification</Table.Th>
                <Table.Th>Minimum PIN</Table.Th>
                <Table.Th>Models</Table.Th>
                <Table.Th>Re-authentication</Table.Th>
                <Table.Th>Keys</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((p) => (
                <Table.Tr key={p.id} data-testid="profile-row">
                  <Table.Td>
                    <Group gap={6}>
                      <Text size="sm" fw={500}>
                        {p.name}
                      </Text>
                      {p.isDefault ? (
                        <Badge size="xs" variant="light">
                          default
                        </Badge>
                      ) : null}
                    </Group>
                  </Table.Td>
                  <Table.Td>{p.userVerificationRequired ? 'Required' : 'Not required'}</Table.Td>
                  <Table.Td>{p.minPinLength ?? 'Any'}</Table.Td>
                  <Table.Td>{p.allowedAaguids.length === 0 ? 'Any' : `${p.allowedAaguids.length} allowed`}</Table.Td>
                  <Table.Td>{p.reauthMinutes} min</Table.Td>
                  <Table.Td>{p.keyCount}</Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button size="compact-sm" variant="subtle" onClick={() => setEditing(p)}>
                        Edit
                      </Button>
                      {!p.isDefault ? (
                        <Button size="compact-sm" variant="subtle" onClick={() => makeDefault(p)}>
                          Make default
                        </Button>
                      ) : null}
                      <Button size="compact-sm" variant="subtle" color="red" onClick={() => setDeleting(p)}>
                        Delete
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {list.length === 0 ? (
            <Text c="dimmed" py="lg" px="sm">
              No access profiles yet: every key follows the built-in default. Create one to require a PIN length, limit the models or shorten logons.
            </Text>
          ) : null}
        </Paper>
      ) : null}
      <ProfileModal
        opened={creating || editing !== null}
        editing={editing}
        onClose={() => {
          setCreating(false);
          setEditing(null);
        }}
      />
      <ConfirmDialog
        opened={deleting !== null}
        title="Delete access profile"
        confirmLabel="Delete"
        loading={remove.isPending}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.id, {
            onSuccess: () => notifySuccess(`${deleting.name} was deleted.`, 'Access profile deleted'),
            onError: (e) => notifyError(e, 'Could not delete the access profile'),
            onSettled: () => setDeleting(null),
          })
        }
        onClose={() => setDeleting(null)}
      >
        {`Delete ${shownDelete?.name ?? ''}? Its ${shownDelete?.keyCount ?? 0} key(s) fall back to the default profile.`}
      </ConfirmDialog>
    </>
  );
}
