import { Anchor, Button, type ButtonProps, Code, Paper, SimpleGrid, Stack, Text, Textarea, Tooltip } from '@mantine/core';
import { IconArrowLeft, IconLock, IconLogout, IconRefresh } from '@tabler/icons-react';
import { type ReactNode, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { Workstation, WorkstationStatus } from '../../../shared/api/types';
import { ConfirmDialog } from '../../../shared/components/ConfirmDialog';
import { formatDateTime } from '../../../shared/components/format';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { QueryState } from '../../../shared/components/QueryState';
import { type AdminCommand, useSendCommand, useWorkstation } from '../../api/workstations';
import { Fact } from '../../components/Fact';
import { PageHeader } from '../../components/PageHeader';
import { useLookups } from './use-lookups';
import { useWorkstationActions } from './use-workstation-actions';
import { WorkstationActivityTabs } from './WorkstationActivityTabs';
import { EmergencyMark, OnlineState, WorkstationStatusBadge } from './WorkstationBadges';
import { WorkstationSettingsCard } from './WorkstationSettingsCard';

function Facts({ workstation: w, lookups }: { workstation: Workstation; lookups: ReturnType<typeof useLookups> }) {
  return (
    <Paper withBorder p="md" radius="md" aria-label="Facts" component="section">
      <SimpleGrid cols={{ base: 2, sm: 4, lg: 6 }}>
        <Fact label="Status">
          <WorkstationStatusBadge status={w.status} />
        </Fact>
        <Fact label="Connection">
          <OnlineState workstation={w} />
        </Fact>
        <Fact label="Emergency block">{w.isEmergencyBlocked ? <EmergencyMark /> : 'Not blocked'}</Fact>
        <Fact label="Hostname">{w.domain ? `${w.domain}\\${w.hostname}` : w.hostname}</Fact>
        <Fact label="Operating system">
          {w.osName} {w.osVersion}
        </Fact>
        <Fact label="Agent version">{w.agentVersion}</Fact>
        <Fact label="Profile in force">{lookups.profileName(w.effectiveProfileId)}</Fact>
        <Fact label="Department">{lookups.departmentName(w.departmentId)}</Fact>
        <Fact label="Last address">{w.lastAddress ?? '—'}</Fact>
        <Fact label="Connected since">{formatDateTime(w.connectedAt)}</Fact>
        <Fact label="Enrolled">{formatDateTime(w.enrolledAt)}</Fact>
        <Fact label="Approved">{w.approvedAt ? `${formatDateTime(w.approvedAt)}${w.approvedBy ? ` by ${w.approvedBy}` : ''}` : '—'}</Fact>
        <Fact label="Machine id">
          <Code>{w.machineId}</Code>
        </Fact>
      </SimpleGrid>
    </Paper>
  );
}

/** Why Lock now, Log off and Refresh profile do nothing here: the API refuses them (403 workstations.not_approved). */
const notApproved: Record<Exclude<WorkstationStatus, 'approved'>, string> = {
  pending: 'This workstation is waiting for approval. Only an approved workstation takes commands: approve it first.',
  denied: 'This workstation is denied. Only an approved workstation takes commands: approve it first.',
};

/** A command's button, which on a workstation that is not approved says why it does nothing instead. */
function CommandButton({ status, onClick, ...props }: ButtonProps & { status: WorkstationStatus; onClick: () => void; children: ReactNode }) {
  if (status === 'approved') return <Button {...props} onClick={onClick} />;
  // data-disabled rather than disabled: a disabled button gets no hover or focus, so no tooltip.
  return (
    <Tooltip label={notApproved[status]} multiline w={280} events={{ hover: true, focus: true, touch: true }}>
      <Button {...props} data-disabled aria-disabled onClick={(e) => e.preventDefault()} />
    </Tooltip>
  );
}

const commandNotice: Record<AdminCommand, string> = {
  lock: 'Lock sent',
  logoff: 'Log off sent',
  'refresh-profile': 'Profile refresh sent',
};

/** One workstation: its facts, settings and actions (Lock now, Log off, approve, deny, remove) and its activity. */
export function WorkstationDetailPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const workstation = useWorkstation(id);
  const lookups = useLookups();
  const send = useSendCommand(id);
  const actions = useWorkstationActions({ onRemoved: () => navigate('/workstations', { replace: true }) });
  const [loggingOff, setLoggingOff] = useState(false);
  const [reason, setReason] = useState('');
  const w = workstation.data;

  const run = (command: AdminCommand, why?: string) =>
    send.mutate(
      { command, reason: why },
      {
        onSuccess: (c) =>
          notifySuccess(
            c.state === 'sent' || w?.isOnline ? 'The agent carries it out now; see Commands.' : 'It is delivered when the agent next connects.',
            commandNotice[command],
          ),
        onError: (error) => notifyError(error, 'Could not send the command'),
        onSettled: () => {
          setLoggingOff(false);
          setReason('');
        },
      },
    );

  return (
    <>
      <Anchor component={Link} to="/workstations" size="sm" mb="sm" display="inline-flex" style={{ alignItems: 'center', gap: 4 }}>
        <IconArrowLeft size={14} /> Back to workstations
      </Anchor>
      <PageHeader
        title={w?.name ?? 'Workstation'}
        description={w ? `${w.hostname}${w.domain ? ` in ${w.domain}` : ''}` : undefined}
        actions={
          w ? (
            <>
              <CommandButton
                status={w.status}
                color="red"
                leftSection={<IconLock size={16} />}
                loading={send.isPending && send.variables?.command === 'lock'}
                onClick={() => run('lock')}
              >
                Lock now
              </CommandButton>
              <CommandButton status={w.status} variant="light" color="red" leftSection={<IconLogout size={16} />} onClick={() => setLoggingOff(true)}>
                Log off
              </CommandButton>
              <CommandButton
                status={w.status}
                variant="default"
                leftSection={<IconRefresh size={16} />}
                loading={send.isPending && send.variables?.command === 'refresh-profile'}
                onClick={() => run('refresh-profile')}
              >
                Refresh profile
              </CommandButton>
              {w.status !== 'approved' ? (
                <Button variant="light" color="teal" onClick={() => actions.decide(w, 'approve')} loading={actions.busyId === w.id}>
                  Approve
                </Button>
              ) : null}
              {w.status !== 'denied' ? (
                <Button variant="subtle" color="orange" onClick={() => actions.decide(w, 'deny')}>
                  Deny
                </Button>
              ) : null}
              <Button variant="subtle" color="red" onClick={() => actions.remove(w)}>
                Remove
              </Button>
            </>
          ) : null
        }
      />
      <QueryState query={workstation} />
      {w ? (
        <Stack>
          <Facts workstation={w} lookups={lookups} />
          <WorkstationSettingsCard workstation={w} lookups={lookups} />
          <WorkstationActivityTabs workstationId={w.id} />
        </Stack>
      ) : null}
      {actions.dialogs}
      <ConfirmDialog
        opened={loggingOff}
        title="Log off"
        confirmLabel="Log off"
        loading={send.isPending && send.variables?.command === 'logoff'}
        onConfirm={() => run('logoff', reason.trim() || undefined)}
        onClose={() => setLoggingOff(false)}
      >
        <Text>{`End every session at ${w?.name ?? 'this workstation'}? Unsaved work there is lost.`}</Text>
        <Textarea
          label="Reason"
          description="Optional; kept with the command and in the audit log"
          autosize
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
        />
      </ConfirmDialog>
    </>
  );
}
