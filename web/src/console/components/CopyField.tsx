import { ActionIcon, Code, CopyButton, Group, Text } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';

/**
 * A copy button for one value (navigator.clipboard through Mantine's CopyButton). Its accessible
 * name says what it copies; after a click it says "Copied" for a moment, visibly and to screen readers.
 */
export function CopyValueButton({ value, label }: { value: string; label: string }) {
  return (
    <CopyButton value={value} timeout={2000}>
      {({ copied, copy }) => (
        <Group gap={4} wrap="nowrap">
          <ActionIcon variant="subtle" color={copied ? 'teal' : 'gray'} size="sm" onClick={copy} aria-label={`Copy ${label}`}>
            {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
          </ActionIcon>
          <Text size="xs" c="teal" role="status" aria-live="polite">
            {copied ? 'Copied' : ''}
          </Text>
        </Group>
      )}
    </CopyButton>
  );
}

/** An integration value to give an application (an endpoint, an ID, a fingerprint): label, value, copy. */
export function CopyField({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={700}>
        {label}
      </Text>
      <Group gap="xs" wrap="nowrap" align="center">
        <Code style={{ wordBreak: 'break-all' }}>{value}</Code>
        <CopyValueButton value={value} label={label} />
      </Group>
    </div>
  );
}
