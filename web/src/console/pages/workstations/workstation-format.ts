import type { CommandKind, SignInMethod, WorkstationEventType } from '../../../shared/api/types';

export const METHOD_LABELS: Record<SignInMethod, string> = {
  security_key: 'Security key',
  passkey: 'Passkey',
  password: 'Password',
  smart_card: 'Smart card',
  phone: 'Phone',
  unknown: 'Unknown',
};
export const SIGN_IN_METHODS = Object.keys(METHOD_LABELS) as SignInMethod[];

export const EVENT_TYPE_LABELS: Record<WorkstationEventType, string> = {
  logon: 'Logon',
  logoff: 'Logoff',
  lock: 'Lock',
  unlock: 'Unlock',
  session_switch: 'Session switch',
  remote_connect: 'Remote connect',
  remote_disconnect: 'Remote disconnect',
  agent_start: 'Agent start',
  agent_stop: 'Agent stop',
};
export const EVENT_TYPES = Object.keys(EVENT_TYPE_LABELS) as WorkstationEventType[];

export const COMMAND_LABELS: Record<CommandKind, string> = {
  lock: 'Lock',
  logoff: 'Log off',
  refresh_profile: 'Refresh profile',
  emergency_block: 'Emergency block',
  emergency_lift: 'Emergency lift',
  deliver_credentials: 'Deliver credentials',
};

export const methodsText = (methods: SignInMethod[]) => methods.map((m) => METHOD_LABELS[m] ?? m).join(', ') || '—';

/** 75 → "1 min 15 s", 3900 → "1 h 5 min", 0 → "0 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return s % 60 ? `${minutes} min ${s % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

/** The name shown for a null profile id: the server's built-in profile, named as the API names it (src/workstations/profile.service.ts). */
export const BUILT_IN_PROFILE = 'Built-in default';
