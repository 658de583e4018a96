import { Alert, Box, Button, ColorInput, Group, Image, Stack, Text } from '@mantine/core';
import { useState, type ChangeEvent } from 'react';
import { LOGO_URL, useBranding } from '../../../shared/api/branding';
import { errorMessage } from '../../../shared/api/client';
import { LOGO_TYPES, MAX_LOGO_BYTES, useRemoveLogo, useUploadLogo, type LogoContentType } from '../../api/mail';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import type { SettingsFormErrors, SettingsFormValues } from './settings-form';

const SWATCHES = ['#1c7ed6', '#2b8a3e', '#e8590c', '#c2255c', '#5f3dc4', '#212529'];

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('Could not read the file'));
    reader.readAsDataURL(file);
  });
}

/**
 * The logo: uploaded and removed at once (not with Save), previewed from the public address the
 * sign-in pages and e-mails use.
 */
function LogoField() {
  const branding = useBranding();
  const upload = useUploadLogo();
  const remove = useRemoveLogo();
  const [problem, setProblem] = useState<string | null>(null);
  // The logo is cached for five minutes: a new version gets a new address.
  const [version, setVersion] = useState(() => Date.now());
  const hasLogo = branding.data?.hasLogo ?? false;

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.currentTarget.files?.[0];
    event.currentTarget.value = '';
    if (!file) return;
    setProblem(null);
    if (!LOGO_TYPES.includes(file.type as LogoContentType)) return setProblem(`${file.name} is not a PNG, JPEG or WebP image`);
    if (file.size > MAX_LOGO_BYTES) return setProblem(`${file.name} is ${Math.ceil(file.size / 1024)} KB; the largest accepted is ${MAX_LOGO_BYTES / 1024} KB`);
    try {
      await upload.mutateAsync({ contentType: file.type as LogoContentType, base64: await readBase64(file) });
      setVersion(Date.now());
      notifySuccess('Logo updated.');
    } catch (error) {
      setProblem(errorMessage(error));
    }
  };

  const onRemove = () =>
    remove.mutate(undefined, {
      onSuccess: () => {
        setVersion(Date.now());
        notifySuccess('Logo removed.');
      },
      onError: (error) => notifyError(error, 'Could not remove the logo'),
    });

  return (
    <Stack gap={4}>
      <Text component="label" htmlFor="settings-logo" size="sm" fw={500}>
        Logo
      </Text>
      <Text size="xs" c="dimmed">
        PNG, JPEG or WebP, at most 256 KB. Shown on the sign-in pages and in e-mails; saved as soon as you choose it.
      </Text>
      <Group gap="md" align="center" mt={4}>
        {hasLogo ? (
          <Box p="xs" bg="gray.0" style={{ borderRadius: 6 }}>
            <Image src={`${LOGO_URL}?v=${version}`} alt="Current logo" h={48} w="auto" fit="contain" />
          </Box>
        ) : (
          <Text size="sm" c="dimmed">
            No logo: the organisation name is shown instead.
          </Text>
        )}
        <input
          id="settings-logo"
          type="file"
          accept={LOGO_TYPES.join(',')}
          onChange={onFile}
          disabled={upload.isPending}
          style={{ fontSize: 'var(--mantine-font-size-sm)' }}
        />
        {hasLogo ? (
          <Button type="button" size="compact-sm" variant="light" color="red" onClick={onRemove} loading={remove.isPending}>
            Remove logo
          </Button>
        ) : null}
      </Group>
      {problem ? (
        <Alert color="red" mt="xs" title="The logo was not saved">
          {problem}
        </Alert>
      ) : null}
    </Stack>
  );
}

export function BrandingFields({
  values,
  errors,
  set,
}: {
  values: SettingsFormValues;
  errors: SettingsFormErrors;
  set: (changes: Partial<SettingsFormValues>) => void;
}) {
  return (
    <Stack>
      <ColorInput
        label="Primary colour"
        description="Buttons and accents of the sign-in pages and e-mails (#rrggbb)."
        format="hex"
        swatches={SWATCHES}
        value={values.primaryColor}
        onChange={(value) => set({ primaryColor: value })}
        error={errors.primaryColor}
        maw={420}
      />
      <LogoField />
    </Stack>
  );
}
