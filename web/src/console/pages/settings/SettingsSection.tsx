import { Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useUpdateSettings } from '../../api/settings';
import type { Settings } from '../../../shared/api/types';
import { FormErrorSummary, SavedNote, useServerForm, type ServerForm } from '../../components/forms';
import {
  SECTION_FIELDS,
  sectionErrors,
  sectionPatch,
  settingsToForm,
  type SettingsFormErrors,
  type SettingsFormValues,
  type SettingsSectionId,
} from './settings-form';

export interface SectionFormApi {
  values: SettingsFormValues;
  errors: SettingsFormErrors;
  set: (changes: Partial<SettingsFormValues>) => void;
  /** The section's server-side errors, placed on its fields (useServerForm). */
  server: ServerForm;
}

const sliceOf = (section: SettingsSectionId, v: SettingsFormValues) => JSON.stringify(SECTION_FIELDS[section].map((k) => v[k]));

/**
 * One section of Settings as a form of its own, with its own Save that sends only its settings:
 * another section's save (or a refetch) never resets, nor sends, this section's unsaved edits.
 */
export function SettingsSection({
  section,
  title,
  description,
  settings,
  saveLabel,
  children,
}: {
  section: SettingsSectionId;
  title: string;
  description?: string;
  settings: Settings;
  saveLabel: string;
  children: (form: SectionFormApi) => ReactNode;
}) {
  const update = useUpdateSettings();
  const server = useServerForm();
  const [values, setValues] = useState<SettingsFormValues>(() => settingsToForm(settings));
  const [submitted, setSubmitted] = useState(false);
  const errors = submitted ? sectionErrors(section, values) : {};
  const set = (changes: Partial<SettingsFormValues>) => setValues((current) => ({ ...current, ...changes }));
  const saved = settingsToForm(settings);
  const savedSlice = sliceOf(section, saved);
  const isDirty = sliceOf(section, values) !== savedSlice;

  // Follow the server only where this section's own settings changed there (adjusted while
  // rendering, not in an effect: a hidden tab's effects run again when it is shown).
  const [seenSlice, setSeenSlice] = useState(savedSlice);
  if (seenSlice !== savedSlice) {
    setSeenSlice(savedSlice);
    setValues(settingsToForm(settings));
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(sectionErrors(section, values)).length > 0) return;
    void server.submit(() => update.mutateAsync(sectionPatch(section, values)), {
      success: `${title} saved.`,
      onSuccess: (next) => {
        setSubmitted(false);
        setValues(settingsToForm(next));
      },
    });
  };
  const id = `settings-${section}`;

  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby={id}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <div>
            <Title order={2} size="h4" id={id}>
              {title}
            </Title>
            {description ? (
              <Text size="sm" c="dimmed">
                {description}
              </Text>
            ) : null}
          </div>
          <FormErrorSummary form={server} title={`${title}: not saved`} />
          {children({ values, errors, set, server })}
          <Group justify="flex-end">
            {isDirty ? (
              <Text size="sm" c="dimmed">
                Unsaved changes
              </Text>
            ) : null}
            <Button variant="default" onClick={() => setValues(settingsToForm(settings))} disabled={server.saving || !isDirty}>
              Reset
            </Button>
            <SavedNote form={server} />
            <Button type="submit" loading={server.saving}>
              {saveLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
