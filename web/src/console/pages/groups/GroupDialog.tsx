import { Button, Group, Modal, Stack, Textarea, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { FormErrorSummary, useServerForm } from '../../components/forms';

/** Name and description of a local group, to create or edit it. */
export function GroupDialog(props: {
  opened: boolean;
  title: string;
  initial?: { name: string; description: string | null };
  submitLabel: string;
  loading?: boolean;
  error?: unknown;
  onSubmit: (values: { name: string; description: string | null }) => void;
  onClose: () => void;
}) {
  const { opened, initial } = props;
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [touched, setTouched] = useState(false);
  const form = useServerForm();

  // The caller runs the mutation: its error goes onto the fields like any other refused save.
  useEffect(() => {
    if (props.error) form.fail(props.error);
    else form.clear();
  }, [props.error]);

  useEffect(() => {
    if (opened) {
      setName(initial?.name ?? '');
      setDescription(initial?.description ?? '');
      setTouched(false);
    }
  }, [opened, initial?.name, initial?.description]);

  const invalid = name.trim() === '';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!invalid) props.onSubmit({ name: name.trim(), description: description.trim() || null });
  };

  return (
    <Modal opened={opened} onClose={props.onClose} title={props.title} centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={form} />
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            {...form.field('name', touched && invalid ? 'Enter a name' : undefined)}
            maxLength={200}
            data-autofocus
          />
          <Textarea
            label="Description"
            {...form.field('description')}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            maxLength={1000}
            autosize
            minRows={2}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose} disabled={props.loading}>
              Cancel
            </Button>
            <Button type="submit" loading={props.loading}>
              {props.submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
