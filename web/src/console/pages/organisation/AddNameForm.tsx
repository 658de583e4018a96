import { Button, Group, TextInput } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';

export interface AddNameFormProps {
  /** Visible label of the text field, e.g. "New company". */
  label: string;
  /** Name of the submit button, e.g. "Add company". */
  buttonLabel: string;
  loading?: boolean;
  /** Returns a promise that resolves when the item was created (the field is then emptied). */
  onAdd: (name: string) => Promise<unknown>;
}

/** One text field and an add button, inline. */
export function AddNameForm({ label, buttonLabel, loading, onAdd }: AddNameFormProps) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setError('Enter a name');
      return;
    }
    setError(undefined);
    try {
      await onAdd(name.trim());
      setName('');
    } catch {
      // The caller shows the server's message in a notification; keep what was typed.
    }
  };

  return (
    <form onSubmit={submit} noValidate>
      <Group align="flex-start" gap="sm">
        <TextInput label={label} value={name} onChange={(e) => setName(e.currentTarget.value)} error={error} style={{ flex: 1 }} maw={360} />
        <Button type="submit" loading={loading} leftSection={<IconPlus size={16} />} mt={25}>
          {buttonLabel}
        </Button>
      </Group>
    </form>
  );
}
