import { useState } from 'react';
import type { Workstation } from '../../../shared/api/types';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { useLastDefined } from '../../../shared/components/use-last-defined';
import { type Decision, useDecideWorkstation, useRemoveWorkstation } from '../../api/workstations';

/**
 * Approve (at once), Deny and Remove (each after a confirmation) for one workstation, as the list's
 * rows and the workstation's page offer them. Render `dialogs` once.
 */
export function useWorkstationActions(opts: { onRemoved?: () => void } = {}) {
  const decideOne = useDecideWorkstation();
  const remove = useRemoveWorkstation();
  const [denying, setDenying] = useState<Workstation | null>(null);
  const [removing, setRemoving] = useState<Workstation | null>(null);
  const shownDeny = useLastDefined(denying);
  const shownRemove = useLastDefined(removing);

  const run = (w: Workstation, decision: Decision) =>
    decideOne.mutate(
      { id: w.id, decision },
      {
        onSuccess: () =>
          decision === 'approve'
            ? notifySuccess(`${w.name} may now report events and receives commands.`, 'Workstation approved')
            : notifySuccess(`${w.name} is cut off until it is approved.`, 'Workstation denied'),
        onError: (error) => notifyError(error, `Could not ${decision} ${w.name}`),
        onSettled: () => setDenying(null),
      },
    );

  const confirmRemove = () => {
    if (!removing) return;
    const w = removing;
    remove.mutate(w.id, {
      onSuccess: () => {
        notifySuccess(`${w.name} was removed; its agent must enrol again to come back.`, 'Workstation removed');
        opts.onRemoved?.();
      },
      onError: (error) => notifyError(error, `Could not remove ${w.name}`),
      onSettled: () => setRemoving(null),
    });
  };

  const dialogs = (
    <>
      <ConfirmDialog
        opened={denying !== null}
        title="Deny workstation"
        confirmLabel="Deny"
        loading={decideOne.isPending}
        onConfirm={() => denying && run(denying, 'deny')}
        onClose={() => setDenying(null)}
      >
        {`Deny ${shownDeny?.name ?? ''}? Its agent is disconnected and refused until an admin approves it.`}
      </ConfirmDialog>
      <ConfirmDialog
        opened={removing !== null}
        title="Remove workstation"
        confirmLabel="Remove"
        loading={remove.isPending}
        onConfirm={confirmRemove}
        onClose={() => setRemoving(null)}
      >
        {`Remove ${shownRemove?.name ?? ''}? Its key stops working at once and its channel closes; its sessions and events are deleted with it. The agent must enrol again to come back.`}
      </ConfirmDialog>
    </>
  );

  return {
    decide: (w: Workstation, decision: Decision) => (decision === 'deny' ? setDenying(w) : run(w, decision)),
    remove: (w: Workstation) => setRemoving(w),
    busyId: decideOne.isPending && decideOne.variables?.decision === 'approve' ? decideOne.variables.id : undefined,
    dialogs,
  };
}
