import { Anchor, Button, Group, Paper, Text, Textarea, Title } from '@mantine/core';
import { IconLock, IconLogout } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { QueryState } from '../../../shared/components/QueryState';
import { useWorkstationSessions } from '../../api/workstation-activity';
import { useEndEmployeeSessions, useLockEmployeeWorkstations } from '../../api/workstations';
import { SessionsTable } from '../workstations/SessionsTable';

const RECENT = 10;

/** "Sessions and workstations" of one employee: Lock workstations, End sessions, and their recent workstation sessions. */
export function WorkstationsCard({ employeeId, employeeName }: { employeeId: string; employeeName: string }) {
  const sessions = useWorkstationSessions({ employeeId, page: 1, pageSize: RECENT }, { refetchInterval: 30_000 });
  const lock = useLockEmployeeWorkstations(employeeId);
  const end = useEndEmployeeSessions(employeeId);
  const [dialog, setDialog] = useState<'lock' | 'end' | null>(null);
  const [reason, setReason] = useState('');
  const close = () => {
    setDialog(null);
    setReason('');
  };

  const lockNow = () =>
    lock.mutate(reason.trim() || undefined, {
      onSuccess: ({ items }) =>
        items.length === 0
          ? notifySuccess(`${employeeName} is not signed in at any workstation now.`, 'Nothing to lock')
          : notifySuccess(`${items.length} ${items.length === 1 ? 'workstation is' : 'workstations are'} being locked.`, 'Workstations locking'),
      onError: (error) => notifyError(error, 'Could not lock the workstations'),
      onSettled: close,
    });
  const endSessions = () =>
    end.mutate(undefined, {
      onSuccess: () => notifySuccess(`${employeeName} is signed out everywhere.`, 'Sessions ended'),
      onError: (error) => notifyError(error, 'Could not end the sessions'),
      onSettled: close,
    });

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="employee-workstations-title">
      <Group justify="space-between" mb="md" wrap="wrap">
        <div>
          <Title order={2} size="h4" id="employee-workstations-title">
            Sessions and workstations
          </Title>
          <Text size="sm" c="dimmed">
            The computers {employeeName} signed in at, newest first.
          </Text>
        </div>
        <Group gap="sm">
          <Button variant="light" color="red" leftSection={<IconLock size={16} />} onClick={() => setDialog('lock')}>
            Lock workstations
          </Button>
          <Button variant="light" color="red" leftSection={<IconLogout size={16} />} onClick={() => setDialog('end')}>
            End sessions
          </Button>
        </Group>
      </Group>
      <QueryState query={sessions} />
      {sessions.data ? (
        <>
          <SessionsTable sessions={sessions.data.items} hide="employee" label="Recent workstation sessions" />
          {sessions.data.total > RECENT ? (
            <Anchor component={Link} to={`/workstations/sessions?employeeId=${employeeId}`} size="sm">
              All {sessions.data.total} sessions
            </Anchor>
          ) : null}
        </>
      ) : null}
      <ConfirmDialog
        opened={dialog === 'lock'}
        title="Lock workstations"
        confirmLabel="Lock workstations"
        loading={lock.isPending}
        onConfirm={lockNow}
        onClose={close}
      >
        <Text>{`Lock every computer where ${employeeName} is signed in now?`}</Text>
        <Textarea
          label="Reason"
          description="Optional; kept with the commands and in the audit log"
          autosize
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
        />
      </ConfirmDialog>
      <ConfirmDialog opened={dialog === 'end'} title="End sessions" confirmLabel="End sessions" loading={end.isPending} onConfirm={endSessions} onClose={close}>
        {`Sign ${employeeName} out everywhere? Their portal and single sign-on sessions and tokens end at once; the computers they are signed in at lock where their workstation profile says so.`}
      </ConfirmDialog>
    </Paper>
  );
}
