import { Alert, Box, Button, Group, Image, Stack, Text } from '@mantine/core';
import { useState, type ChangeEvent } from 'react';
import { errorMessage } from '../../shared/api/client';

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type ImageContentType = (typeof IMAGE_TYPES)[number];

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('Could not read the file'));
    reader.readAsDataURL(file);
  });
}

/**
 * A picture that is saved as soon as it is chosen (not with the form's Save): the logo, an
 * application's icon. Checks type and size before sending, shows the server's refusal in words,
 * previews what is stored now.
 */
export function ImageUploadField(props: {
  id: string;
  label: string;
  hint: string;
  /** The noun in messages: "logo", "icon". */
  noun: string;
  /** Where the stored picture is seen now; null when there is none. */
  previewUrl: string | null;
  emptyText: string;
  maxBytes: number;
  upload: (image: { contentType: ImageContentType; base64: string }) => Promise<unknown>;
  remove: () => Promise<unknown>;
  onChanged?: (what: 'uploaded' | 'removed') => void;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<'upload' | 'remove' | null>(null);
  const noun = props.noun;

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.currentTarget.files?.[0];
    event.currentTarget.value = '';
    if (!file) return;
    setProblem(null);
    if (!IMAGE_TYPES.includes(file.type as ImageContentType)) return setProblem(`${file.name} is not a PNG, JPEG or WebP image`);
    if (file.size > props.maxBytes) return setProblem(`${file.name} is ${Math.ceil(file.size / 1024)} KB; the largest accepted is ${props.maxBytes / 1024} KB`);
    setBusy('upload');
    try {
      await props.upload({ contentType: file.type as ImageContentType, base64: await readBase64(file) });
      props.onChanged?.('uploaded');
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setBusy(null);
    }
  };

  const onRemove = async () => {
    setProblem(null);
    setBusy('remove');
    try {
      await props.remove();
      props.onChanged?.('removed');
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Stack gap={4}>
      <Text component="label" htmlFor={props.id} size="sm" fw={500}>
        {props.label}
      </Text>
      <Text size="xs" c="dimmed">
        {props.hint}
      </Text>
      <Group gap="md" align="center" mt={4}>
        {props.previewUrl ? (
          <Box p="xs" bg="gray.0" style={{ borderRadius: 6 }}>
            <Image src={props.previewUrl} alt={`Current ${noun}`} h={48} w="auto" fit="contain" />
          </Box>
        ) : (
          <Text size="sm" c="dimmed">
            {props.emptyText}
          </Text>
        )}
        <input
          id={props.id}
          type="file"
          accept={IMAGE_TYPES.join(',')}
          onChange={onFile}
          disabled={busy !== null}
          style={{ fontSize: 'var(--mantine-font-size-sm)' }}
        />
        {props.previewUrl ? (
          <Button type="button" size="compact-sm" variant="light" color="red" onClick={onRemove} loading={busy === 'remove'}>
            Remove {noun}
          </Button>
        ) : null}
      </Group>
      {problem ? (
        <Alert color="red" mt="xs" title={`The ${noun} was not saved`}>
          {problem}
        </Alert>
      ) : null}
    </Stack>
  );
}
