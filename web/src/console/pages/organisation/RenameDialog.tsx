import { Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { FormErrorSummary, useServerForm } from '../../components/forms';

/**
 * Renames a company, department or position: one "Name" field; a name the server refuses (one in
 * use) is marked on the field, with the summary at the top.
 */
export function RenameDialog(props: {
  opened: boolean;
  title: string;
  initialName?: string;
  onRename: (name: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const { opened, initialName = '' } = props;
  const form = useServerForm();
  const [name, setName] = useState(initialName);
  const [touched, setTouched] = useState(false);

  useEffect(() => {
    if (opened) {
      setName(initialName);
      setTouched(false);
      form.clear();
    }
  }, [opened, initialName]); // a fresh form each time the dialog opens

  const invalid = name.trim() === '';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (invalid) return;
    const next = name.trim();
    void form.submit(() => props.onRename(next), { success: `Renamed to ${next}.`, onSuccess: props.onClose });
  };

  return (
    <Modal opened={opened} onClose={props.onClose} title={props.title} centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={form} title="Not renamed" />
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            data-autofocus
            {...form.field('name', touched && invalid ? 'Enter a name' : undefined)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose} disabled={form.saving}>
              Cancel
            </Button>
            <Button type="submit" loading={form.saving}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
