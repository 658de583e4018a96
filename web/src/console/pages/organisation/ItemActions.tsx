import { Button, Group } from '@mantine/core';
import { IconPencil, IconTrash } from '@tabler/icons-react';
import type { OrgTarget } from './use-org-dialogs';

/** "Rename" and "Delete" buttons for one company, department or position. */
export function ItemActions({ target, onRename, onDelete }: { target: OrgTarget; onRename: (t: OrgTarget) => void; onDelete: (t: OrgTarget) => void }) {
  return (
    <Group gap={4} justify="flex-end" wrap="wrap">
      <Button
        size="compact-sm"
        variant="subtle"
        leftSection={<IconPencil size={14} />}
        onClick={() => onRename(target)}
        aria-label={`Rename ${target.kind} ${target.name}`}
      >
        Rename
      </Button>
      <Button
        size="compact-sm"
        variant="subtle"
        color="red"
        leftSection={<IconTrash size={14} />}
        onClick={() => onDelete(target)}
        aria-label={`Delete ${target.kind} ${target.name}`}
      >
        Delete
      </Button>
    </Group>
  );
}
