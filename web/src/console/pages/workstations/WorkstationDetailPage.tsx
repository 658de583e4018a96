import { Anchor, Button, Code, Paper, SimpleGrid, Stack, Text, Textarea } from '@mantine/core';
import { IconArrowLeft, IconLock, IconLogout, IconRefresh } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { Workstation } from '../../../shared/api/types';
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
  const isApproved = w?.status === 'approved';

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
              <Button
                color="red"
                leftSection={<IconLock size={16} />}
                disabled={!isApproved}
                title={isApproved ? 'Locks every session at this computer' : 'Only an approved workstation takes commands'}
                loading={send.isPending && send.variables?.command === 'lock'}
                onClick={() => run('lock')}
              >
                Lock now
              </Button>
              <Button variant="light" color="red" leftSection={<IconLogout size={16} />} disabled={!isApproved} onClick={() => setLoggingOff(true)}>
                Log off
              </Button>
              <Button
                variant="default"
                leftSection={<IconRefresh size={16} />}
                disabled={!isApproved}
                loading={send.isPending && send.variables?.command === 'refresh-profile'}
                onClick={() => run('refresh-profile')}
              >
                Refresh profile
              </Button>
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
