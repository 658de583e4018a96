import { Button, Text } from '@mantine/core';
import { IconMailForward } from '@tabler/icons-react';
import { useInviteEmployees } from '../../api/employee-access';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import type { Selection } from '../../components/use-selection';

/** "Invite selected": one invitation e-mail to each ticked employee (POST /api/invitations). */
export function InviteSelectedButton({ selection }: { selection: Selection }) {
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
