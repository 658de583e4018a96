import { Badge, Box, Group, Stack, Text } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import type { CommandState, EnrolmentToken, Workstation, WorkstationStatus } from '../../../shared/api/types';
import { formatDateTime } from '../../../shared/components/format';

const statusColors: Record<WorkstationStatus, string> = { pending: 'yellow', approved: 'teal', denied: 'red' };

export function WorkstationStatusBadge({ status }: { status: WorkstationStatus }) {
  return (
    <Badge variant="light" color={statusColors[status] ?? 'gray'} data-testid="workstation-status">
      {status}
    </Badge>
  );
}

/** A green or grey dot with "Online" / "Offline", and when it was last heard from. */
export function OnlineState({ workstation, withLastSeen = true }: { workstation: Workstation; withLastSeen?: boolean }) {
  const online = workstation.isOnline;
  return (
    <Stack gap={0} data-testid="workstation-online" data-online={online}>
      <Group gap={6} wrap="nowrap">
        <Box
          component="span"
          aria-hidden
          w={8}
          h={8}
          style={{ borderRadius: '50%', flex: 'none', background: online ? 'var(--mantine-color-teal-6)' : 'var(--mantine-color-gray-5)' }}
        />
        <Text size="sm">{online ? 'Online' : 'Offline'}</Text>
      </Group>
      {withLastSeen ? (
        <Text size="xs" c="dimmed">
          {workstation.lastSeenAt ? `seen ${formatDateTime(workstation.lastSeenAt)}` : 'never seen'}
        </Text>
      ) : null}
    </Stack>
  );
}

/** The workstation acknowledged the emergency block in force: it is locked and refuses unlock. */
export function EmergencyMark() {
  return (
    <Badge color="red" leftSection={<IconLock size={12} />} data-testid="emergency-blocked">
      Blocked
    </Badge>
  );
}

const commandColors: Record<CommandState, string> = { queued: 'gray', sent: 'blue', done: 'teal', failed: 'red', rejected: 'orange', expired: 'yellow' };

export function CommandStateBadge({ state }: { state: CommandState }) {
  return (
    <Badge variant="light" color={commandColors[state] ?? 'gray'} data-testid="command-state">
      {state}
    </Badge>
  );
}

const tokenColors: Record<EnrolmentToken['state'], string> = { usable: 'teal', used_up: 'gray', expired: 'yellow', revoked: 'gray' };

export function TokenStateBadge({ state }: { state: EnrolmentToken['state'] }) {
  return (
    <Badge variant="light" color={tokenColors[state] ?? 'gray'} data-testid="token-state">
      {state.replace('_', ' ')}
    </Badge>
  );
}
