import { Select } from '@mantine/core';
import type { VaultTemplate } from '../api/vault-types';

/** "Start from a template" of a new vault account (portal and console); nothing when there is no template. */
export function TemplateSelect({
  templates,
  value,
  onPick,
  hint,
}: {
  templates: VaultTemplate[] | undefined;
  value: VaultTemplate | undefined;
  onPick: (template: VaultTemplate | undefined) => void;
  /** The description while no template (or one without a login hint) is chosen. */
  hint: string;
}) {
  if (!templates || templates.length === 0) return null;
  return (
    <Select
      label="Start from a template"
      description={value?.loginHint ? `Login: ${value.loginHint}` : hint}
      placeholder="None"
      data={templates.map((t) => ({ value: t.id, label: t.name }))}
      value={value?.id ?? null}
      onChange={(id) => onPick(templates.find((t) => t.id === id))}
      clearable
      searchable
    />
  );
}
