import { ColorInput, Stack } from '@mantine/core';
import { useState } from 'react';
import { LOGO_URL, useBranding } from '../../../shared/api/branding';
import { MAX_LOGO_BYTES, useRemoveLogo, useUploadLogo, type LogoContentType } from '../../api/mail';
import { notifySuccess } from '../../../shared/components/notify';
import { ImageUploadField } from '../../components/ImageUploadField';
import type { SettingsFormErrors, SettingsFormValues } from './settings-form';
import type { ServerForm } from '../../components/forms';

const SWATCHES = ['#1c7ed6', '#2b8a3e', '#e8590c', '#c2255c', '#5f3dc4', '#212529'];

/**
 * The logo: uploaded and removed at once (not with Save), previewed from the public address the
 * sign-in pages and e-mails use.
 */
function LogoField() {
  const branding = useBranding();
  const upload = useUploadLogo();
  const remove = useRemoveLogo();
  // The logo is cached for five minutes: a new version gets a new address.
  const [version, setVersion] = useState(() => Date.now());
  return (
    <ImageUploadField
      id="settings-logo"
      label="Logo"
      noun="logo"
      hint={`PNG, JPEG or WebP, at most ${MAX_LOGO_BYTES / 1024} KB. Shown on the sign-in pages and in e-mails; saved as soon as you choose it.`}
      previewUrl={branding.data?.hasLogo ? `${LOGO_URL}?v=${version}` : null}
      emptyText="No logo: the organisation name is shown instead."
      maxBytes={MAX_LOGO_BYTES}
      upload={(logo) => upload.mutateAsync(logo as { contentType: LogoContentType; base64: string })}
      remove={() => remove.mutateAsync()}
      onChanged={(what) => {
        setVersion(Date.now());
        notifySuccess(what === 'uploaded' ? 'Logo updated.' : 'Logo removed.');
      }}
    />
  );
}

export function BrandingFields({
  values,
  errors,
  set,
  form,
}: {
  values: SettingsFormValues;
  errors: SettingsFormErrors;
  set: (changes: Partial<SettingsFormValues>) => void;
  /** Marks the fields the server refused (useServerForm). */
  form?: ServerForm;
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
        error={errors.primaryColor ?? form?.field('branding.primaryColor').error}
        data-form-field={form?.field('branding.primaryColor')['data-form-field']}
        maw={420}
      />
      <LogoField />
    </Stack>
  );
}
