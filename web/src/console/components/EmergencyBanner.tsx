import { Alert, Anchor, Text } from '@mantine/core';
import { IconAlertOctagon } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { formatDateTime } from '../../shared/components/format';
import { useEmergencyBlock } from '../api/emergency-block';

/** Across the top of every console page while the emergency block is on: since when, by whom, why, and where to lift it. */
export function EmergencyBanner() {
  const block = useEmergencyBlock();
  const state = block.data;
  if (!state?.active) return null;
  return (
    <Alert color="red" variant="filled" mb="lg" icon={<IconAlertOctagon />} title="Emergency block is on" data-testid="emergency-banner">
      <Text size="sm">
        Every workstation is locked and refuses unlock since {formatDateTime(state.changedAt)}
        {state.changedBy ? `, turned on by ${state.changedBy}` : ''}. Reason: {state.reason ?? '—'}.{' '}
        <Anchor component={Link} to="/workstations/emergency" c="white" fw={700} underline="always">
          Lift the block
        </Anchor>
      </Text>
    </Alert>
  );
}
