import { Button, Text } from '@mantine/core';
import { IconMailForward } from '@tabler/icons-react';
import { useState } from 'react';
import { useInviteEmployees } from '../../api/employee-access';
import { notifyError, notifySuccess } from '../../../shared/components/notify';

/** The employees ticked in the list; kept across pages and filters until they are invited. */
export function useSelection() {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  return {
    selected,
    toggle: (ids: string[], on: boolean) =>
      setSelected((current) => {
        const next = new Set(current);
        for (const id of ids) {
          if (on) next.add(id);
          else next.delete(id);
        }
        return next;
      }),
    clear: () => setSelected(new Set()),
  };
}

/** "Invite selected": one invitation e-mail to each ticked employee (POST /api/invitations). */
export function InviteSelectedButton({ selection }: { selection: ReturnType<typeof useSelection> }) {
  const invite = useInviteEmployees();
  const count = selection.selected.size;
  const send = () =>
    invite.mutate([...selection.selected], {
      onSuccess: (result) => {
        const sent = result.items.length;
        notifySuccess(`${sent} ${sent === 1 ? 'invitation is' : 'invitations are'} on the way.`, 'Invitations sent');
        selection.clear();
      },
      onError: (error) => notifyError(error, 'Could not send the invitations'),
    });
  return (
    <>
      {count > 0 ? (
        <Text size="sm" c="dimmed" aria-live="polite">
          {count} selected
        </Text>
      ) : null}
      <Button variant="light" leftSection={<IconMailForward size={16} />} onClick={send} disabled={count === 0} loading={invite.isPending}>
        Invite selected
      </Button>
    </>
  );
}
