import { Button, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';

/**
 * What an empty list says: what is missing, what to do next, and the button that does it (the
 * same action as the page's own button), so a new administrator is never left at a blank table.
 */
export function EmptyState(props: { title: string; hint?: ReactNode; action?: { label: string; onClick: () => void } | { label: string; to: string } }) {
  const { action } = props;
  return (
    <Stack gap={6} align="flex-start" py="md" data-testid="empty-state">
      <Text fw={600}>{props.title}</Text>
      {props.hint ? (
        <Text size="sm" c="dimmed">
          {props.hint}
        </Text>
      ) : null}
      {action ? (
        'to' in action ? (
          <Button size="xs" variant="light" component={Link} to={action.to}>
            {action.label}
          </Button>
        ) : (
          <Button size="xs" variant="light" onClick={action.onClick}>
            {action.label}
          </Button>
        )
      ) : null}
    </Stack>
  );
}
