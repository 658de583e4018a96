import { Button, Text } from '@mantine/core';
import { IconMailForward } from '@tabler/icons-react';
import { useState } from 'react';
import { useInviteEmployees } from '../../api/employee-access';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import type { Selection } from '../../components/use-selection';

/** How many first names the confirmation lists before "and N more". */
const NAMES_SHOWN = 5;

/**
 * "Invite selected": asks first (how many, who, what they get), then sends one invitation e-mail
 * to each ticked employee (POST /api/invitations). Cancel sends nothing.
 */
export function InviteSelectedButton({ selection, employees }: { selection: Selection; employees: { id: string; firstName: string; lastName: string }[] }) {
  const invite = useInviteEmployees();
  const [isAsking, setAsking] = useState(false);
  const count = selection.selected.size;
  const names = employees.filter((e) => selection.selected.has(e.id)).map((e) => e.firstName || e.lastName);
  const shown = names.slice(0, NAMES_SHOWN);
  const more = count - shown.length;
  const who = more > 0 ? `${shown.join(', ')} and ${more} more` : shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}` : (shown[0] ?? '');
  const send = () =>
    invite.mutate([...selection.selected], {
      onSuccess: (result) => {
        const sent = result.items.length;
        notifySuccess(`${sent} ${sent === 1 ? 'invitation is' : 'invitations are'} on the way.`, 'Invitations sent');
        selection.clear();
        setAsking(false);
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
      <Button variant="light" leftSection={<IconMailForward size={16} />} onClick={() => setAsking(true)} disabled={count === 0} loading={invite.isPending}>
        Invite selected
      </Button>
      <ConfirmDialog
        opened={isAsking}
        title={`Invite ${count} ${count === 1 ? 'employee' : 'employees'}?`}
        confirmLabel={`Send ${count} ${count === 1 ? 'invitation' : 'invitations'}`}
        danger={false}
        loading={invite.isPending}
        onConfirm={send}
        onClose={() => setAsking(false)}
      >
        <Text>
          {who ? `${who} will each get an e-mail` : 'Each selected employee will get an e-mail'} with a personal link to enrol a passkey or security key. An
          open invitation they already have is replaced by the new one.
        </Text>
      </ConfirmDialog>
    </>
  );
}
