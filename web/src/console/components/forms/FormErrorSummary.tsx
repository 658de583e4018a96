import { Alert, Anchor, Group, List, Text } from '@mantine/core';
import { IconAlertCircle, IconCheck } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { ServerForm } from './use-server-form';

/**
 * The top of a form after a refused save: the server's message, then each refused input ("Bind
 * user: Enter the bind user"), as a link to the marked field where the form shows it. role=alert,
 * so a screen reader says it; focusable, so `useServerForm` can bring it into view. `children`:
 * what the form adds to the server's answer (what is allowed now).
 */
export function FormErrorSummary({ form, title = 'Not saved', children }: { form: ServerForm; title?: string; children?: ReactNode }) {
  const { failure, placed } = form;
  if (!failure) return null;
  // A single detail that only repeats the message (a duplicate name) needs no list.
  const list = placed.length === 1 && placed[0].message === failure.message ? [] : placed;
  return (
    <Alert
      ref={form.summaryRef}
      tabIndex={-1}
      color="red"
      role="alert"
      icon={<IconAlertCircle />}
      title={title}
      data-form-summary
      style={{ scrollMarginTop: 80 }}
    >
      <Text size="sm">{failure.message}</Text>
      {list.length > 0 ? (
        <List size="sm" mt={4}>
          {list.map((p) => (
            <List.Item key={`${p.path}:${p.message}`}>
              {p.field ? (
                <Anchor component="button" type="button" size="sm" c="red.9" onClick={() => form.focusField(p.field!)}>
                  {p.label}
                </Anchor>
              ) : (
                <Text span size="sm" fw={600}>
                  {p.label}
                </Text>
              )}
              : {p.message}
            </List.Item>
          ))}
        </List>
      ) : null}
      {children}
    </Alert>
  );
}

/** "Saved" next to the Save button of a form that stays open after saving (settings, profile). */
export function SavedNote({ form, label = 'Saved' }: { form: ServerForm; label?: string }) {
  if (!form.saved || form.saving) return null;
  return (
    <Group gap={4} c="teal" role="status" aria-live="polite">
      <IconCheck size={16} />
      <Text size="sm">{label}</Text>
    </Group>
  );
}
