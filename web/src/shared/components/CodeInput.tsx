import { TextInput } from '@mantine/core';

export const isSixDigits = (code: string) => /^\d{6}$/.test(code);

/** The "Authentication code" field: 6 digits, one-time-code autocomplete. */
export function CodeInput({ value, onChange, error, autoFocus = true }: { value: string; onChange: (v: string) => void; error?: string; autoFocus?: boolean }) {
  return (
    <TextInput
      label="Authentication code"
      description="6-digit code from your authenticator app"
      value={value}
      onChange={(e) => onChange(e.currentTarget.value.replace(/\D/g, '').slice(0, 6))}
      inputMode="numeric"
      autoComplete="one-time-code"
      maxLength={6}
      error={error}
      data-autofocus={autoFocus || undefined}
      autoFocus={autoFocus}
    />
  );
}
