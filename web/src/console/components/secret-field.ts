/**
 * Styles of a read-only field that shows a one-time secret (API key, enrolment token, activation
 * code, OIDC client secret). Mantine sizes an input's line box to the input's height, and a
 * monospace `_` sits below that box, so underscores vanished (`tsk QQ9MDxYn…` for `tsk_QQ9MDxYn…`):
 * a normal line height with padding keeps every glyph inside the field.
 */
export function oneTimeSecretStyles(extra: { fontSize?: number; letterSpacing?: number } = {}) {
  return {
    input: {
      fontFamily: 'var(--mantine-font-family-monospace)',
      lineHeight: 1.6,
      height: 'auto',
      minHeight: 'var(--input-height)',
      paddingTop: 6,
      paddingBottom: 6,
      overflow: 'visible',
      ...extra,
    },
  };
}
