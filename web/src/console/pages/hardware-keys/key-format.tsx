import { Badge } from '@mantine/core';
import type { AllowedTransition, HardwareKeyState } from '../../../shared/api/types';

export const KEY_STATES: HardwareKeyState[] = ['ready', 'reserved', 'active', 'suspended', 'locked', 'deactivated', 'compromised'];

export const stateLabels: Record<HardwareKeyState, string> = {
  ready: 'Ready',
  reserved: 'Reserved',
  active: 'Active',
  suspended: 'Suspended',
  locked: 'Locked',
  deactivated: 'Deactivated',
  compromised: 'Compromised',
};

/** What each state means, in one line (filters, dashboard tiles, the detail page). */
export const stateHints: Record<HardwareKeyState, string> = {
  ready: 'In stock, not assigned',
  reserved: 'Assigned, waiting for the employee to activate it',
  active: 'Signs the employee in and receives their passwords',
  suspended: 'Refused at sign-in until resumed',
  locked: 'Refused until unlocked with a new activation code',
  deactivated: 'Returned; back to stock once reset',
  compromised: 'Lost or stolen; never usable again',
};

const stateColors: Record<HardwareKeyState, string> = {
  ready: 'gray',
  reserved: 'blue',
  active: 'teal',
  suspended: 'yellow',
  locked: 'orange',
  deactivated: 'grape',
  compromised: 'red',
};

export function KeyStateBadge({ state }: { state: HardwareKeyState }) {
  return (
    <Badge variant="light" color={stateColors[state] ?? 'gray'} data-testid="key-state">
      {stateLabels[state] ?? state}
    </Badge>
  );
}

/** The server's action names (hardware-key.states.ts) as buttons say them. */
const actionLabels: Record<string, string> = {
  reserve: 'Reserve for an employee',
  cancel: 'Cancel reservation',
  suspend: 'Suspend',
  resume: 'Resume',
  lock: 'Lock',
  unlock: 'Unlock with a new code',
  deactivate: 'Deactivate (returned)',
  confirm_reset: 'Confirm reset and return to stock',
  report_compromised: 'Mark compromised',
};

export const actionLabel = (t: Pick<AllowedTransition, 'action' | 'to'>) => actionLabels[t.action] ?? `Move to ${stateLabels[t.to] ?? t.to}`;

/** What an action does, said in its dialog before the admin confirms it. */
export const actionEffects: Record<string, string> = {
  reserve: 'The key is assigned to the employee and a one-time activation code is issued; the key becomes Active when they enrol it on /enroll with it.',
  cancel: 'The reservation ends, its activation code stops working, and the key goes back to stock.',
  suspend: 'Sign-in and credential delivery with this key are refused until it is resumed.',
  resume: 'The key signs the employee in again.',
  lock: 'The key is refused everywhere; unlocking it needs a new activation code.',
  unlock: 'Its credentials are removed and a new activation code is issued; the employee enrols the key again with it.',
  deactivate:
    "Its credentials are removed and the employee's domain passwords are rotated at once, since the key may have carried them. It returns to stock only after someone resets it.",
  report_compromised: '',
};
