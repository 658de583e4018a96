import { Button, Group, Stack, TextInput } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { FormErrorSummary, useServerForm } from '../../components/forms';

export interface AddNameFormProps {
  /** Visible label of the text field, e.g. "New company". */
  label: string;
  /** Name of the submit button, e.g. "Add company". */
  buttonLabel: string;
  /** Title of the summary when the server refuses, e.g. "Could not add the company". */
  errorTitle: string;
  /** Returns a promise that resolves when the item was created (the field is then emptied). */
  onAdd: (name: string) => Promise<unknown>;
}

/** One text field and an add button, inline; a refused name (a duplicate) is marked on the field. */
export function AddNameForm({ label, buttonLabel, errorTitle, onAdd }: AddNameFormProps) {
  const form = useServerForm();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setError('Enter a name');
      return;
    }
    setError(undefined);
    // Keep what was typed when the server refuses.
    void form.submit(() => onAdd(name.trim()), { onSuccess: () => setName('') });
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <FormErrorSummary form={form} title={errorTitle} />
        <Group align="flex-start" gap="sm">
          <TextInput label={label} value={name} onChange={(e) => setName(e.currentTarget.value)} style={{ flex: 1 }} maw={360} {...form.field('name', error)} />
          <Button type="submit" loading={form.saving} leftSection={<IconPlus size={16} />} mt={25}>
            {buttonLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
