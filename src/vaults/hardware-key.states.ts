/**
 * The hardware key lifecycle (issue 14), as data: the states, the transitions between them, who
 * may trigger each one, and what the service must do on the way. The service enforces it and the
 * 409 answer lists from it, so the two cannot disagree.
 *
 *   ready ──reserve──► reserved ──activate (employee, with the code)──► active ⇄ suspended
 *     ▲                  │  ▲                                             │  │
 *     │ cancel ◄─────────┘  └─unlock (new activation code)── locked ◄─────┘──┘ lock
 *     │                                                        │
 *     └─confirm_reset── deactivated ◄──deactivate── active / suspended / locked
 *   any state but compromised ──report_compromised──► compromised (never leaves it)
 *
 * Two edges the issue implies without drawing: reserved → locked (too many failed activations:
 * the code is attempted while the key is reserved), and locked → reserved (unlocking issues a new
 * activation code, and the key becomes active again only when the employee activates it).
 */
export const hardwareKeyStates = ['ready', 'reserved', 'active', 'suspended', 'locked', 'deactivated', 'compromised'] as const;
export type HardwareKeyState = (typeof hardwareKeyStates)[number];

/** Who triggers a transition: an administrator (console, API key), or the system (activation, failed attempts). */
export type Trigger = 'admin' | 'system';

export interface Transition {
  from: HardwareKeyState;
  to: HardwareKeyState;
  /** The action's name, as the console labels it. */
  action: string;
  by: readonly Trigger[];
  /** The key must be (or become) assigned to an employee: `employeeId` is required (reserve). */
  needsEmployee?: boolean;
  /** Issues a new one-time activation code. */
  issuesActivationCode?: boolean;
  /** Removes the FIDO credentials bound to the key. */
  removesCredentials?: boolean;
  /** Revokes credentials, ends the employee's sessions and rotates the passwords the key received. */
  isCompromise?: boolean;
  /** Rotates the employee's domain passwords at once: the key they were delivered to is gone (compromise, deactivation). */
  rotatesPasswords?: boolean;
  /** Only after the admin confirms the key was reset (the wipe steps). */
  needsResetConfirmation?: boolean;
  /** The key leaves its employee. */
  releasesEmployee?: boolean;
}

const ADMIN: readonly Trigger[] = ['admin'];
const SYSTEM: readonly Trigger[] = ['system'];
const BOTH: readonly Trigger[] = ['admin', 'system'];

export const hardwareKeyTransitions: readonly Transition[] = [
  { from: 'ready', to: 'reserved', action: 'reserve', by: ADMIN, needsEmployee: true, issuesActivationCode: true },
  { from: 'reserved', to: 'ready', action: 'cancel', by: ADMIN, releasesEmployee: true },
  { from: 'reserved', to: 'active', action: 'activate', by: SYSTEM },
  { from: 'active', to: 'suspended', action: 'suspend', by: ADMIN },
  { from: 'suspended', to: 'active', action: 'resume', by: ADMIN },
  { from: 'reserved', to: 'locked', action: 'lock', by: BOTH },
  { from: 'active', to: 'locked', action: 'lock', by: BOTH },
  { from: 'suspended', to: 'locked', action: 'lock', by: BOTH },
  { from: 'locked', to: 'reserved', action: 'unlock', by: ADMIN, issuesActivationCode: true, removesCredentials: true },
  { from: 'active', to: 'deactivated', action: 'deactivate', by: ADMIN, removesCredentials: true, rotatesPasswords: true },
  { from: 'suspended', to: 'deactivated', action: 'deactivate', by: ADMIN, removesCredentials: true, rotatesPasswords: true },
  { from: 'locked', to: 'deactivated', action: 'deactivate', by: ADMIN, removesCredentials: true, rotatesPasswords: true },
  { from: 'deactivated', to: 'ready', action: 'confirm_reset', by: ADMIN, needsResetConfirmation: true, releasesEmployee: true },
  ...hardwareKeyStates
    .filter((s) => s !== 'compromised')
    .map(
      (from): Transition => ({
        from,
        to: 'compromised',
        action: 'report_compromised',
        by: ADMIN,
        isCompromise: true,
        removesCredentials: true,
        rotatesPasswords: true,
      }),
    ),
];

/** The transition from → to, or undefined when the machine has none. */
export function findTransition(from: HardwareKeyState, to: HardwareKeyState): Transition | undefined {
  return hardwareKeyTransitions.find((t) => t.from === from && t.to === to);
}

/** The transitions `by` may trigger from `from` (what the 409 answer and the key's detail list). */
export function allowedTransitions(from: HardwareKeyState, by: Trigger = 'admin'): Transition[] {
  return hardwareKeyTransitions.filter((t) => t.from === from && t.by.includes(by));
}

/** The transition, when `by` may trigger it from `from`; otherwise the ones it may. */
export function checkTransition(
  from: HardwareKeyState,
  to: HardwareKeyState,
  by: Trigger,
): { isAllowed: true; transition: Transition } | { isAllowed: false; allowed: Transition[] } {
  const transition = findTransition(from, to);
  if (transition?.by.includes(by)) return { isAllowed: true, transition };
  return { isAllowed: false, allowed: allowedTransitions(from, by) };
}

/**
 * The reset steps the console shows before an admin confirms a returned key as ready: a FIDO
 * credential cannot be erased remotely (CTAP 2.1 §6.6 authenticatorReset needs the key in hand,
 * within seconds of being plugged in), so someone resets it and says so.
 */
export const resetSteps = [
  'Plug the key into a workstation within 10 seconds of inserting it (CTAP authenticatorReset only works just after power-up).',
  'Reset its FIDO2 application with the vendor tool (for a YubiKey: `ykman fido reset`), touching the key when asked.',
  'Check that no resident credential remains (`ykman fido credentials list` answers none) and that the PIN is unset.',
  'Confirm the reset here: the key goes back to stock (Ready), and the audit log records who confirmed.',
] as const;
