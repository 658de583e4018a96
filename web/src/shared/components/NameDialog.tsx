import { Alert, Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { errorMessage } from '../api/client';

export interface NameDialogProps {
  opened: boolean;
  title: string;
  initialName?: string;
  label?: string;
  submitLabel?: string;
  loading?: boolean;
  error?: unknown;
  onSubmit: (name: string) => void;
  onClose: () => void;
}

/** Modal with one "Name" field, used to rename companies, departments and positions. */
export function NameDialog(props: NameDialogProps) {
  const { opened, title, initialName = '', label = 'Name', submitLabel = 'Save', loading, error } = props;
  const [name, setName] = useState(initialName);
  const [touched, setTouched] = useState(false);

  useEffect(() => {
    if (opened) {
      setName(initialName);
      setTouched(false);
    }
  }, [opened, initialName]);

  const invalid = name.trim() === '';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!invalid) props.onSubmit(name.trim());
  };

  return (
    <Modal opened={opened} onClose={props.onClose} title={title} centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          {error ? <Alert color="red">{errorMessage(error)}</Alert> : null}
          <TextInput
            label={label}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={touched && invalid ? 'Enter a name' : undefined}
            data-autofocus
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose} disabled={loading}>
              Cancel
            </Button>
            <Button type="submit" loading={loading}>
              {submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
