import { z } from 'zod';
import { hardwareKeyStates } from './hardware-key.states.js';

const state = z.enum(hardwareKeyStates);

/** A hardware key as the API answers it. */
export const hardwareKeyDto = z.object({
  id: z.string().uuid(),
  serial: z.string(),
  model: z.string().nullable(),
  aaguid: z.string().nullable(),
  badge: z.string().nullable(),
  batch: z.string().nullable(),
  employeeId: z.string().uuid().nullable(),
  /** Its own access profile; null: the default one applies (GET /hardware-keys/{id}/access-profile). */
  accessProfileId: z.string().uuid().nullable(),
  state,
  stateChangedAt: z.string(),
  /** Whether an activation code is pending, and until when. */
  activation: z.object({ expiresAt: z.string(), attempts: z.number().int() }).nullable(),
  createdAt: z.string(),
});
export type HardwareKeyDto = z.infer<typeof hardwareKeyDto>;

/** A transition an admin may make from the key's state. */
export const allowedTransitionDto = z.object({ to: state, action: z.string(), needsEmployee: z.boolean(), needsResetConfirmation: z.boolean() });

export const hardwareKeyEventDto = z.object({
  from: state.nullable(),
  to: state,
  reason: z.string(),
  actor: z.object({ type: z.string(), id: z.string().nullable(), label: z.string().nullable() }),
  employeeId: z.string().uuid().nullable(),
  at: z.string(),
});

export const hardwareKeyDetailDto = hardwareKeyDto.extend({
  credentialIds: z.array(z.string().uuid()),
  history: z.array(hardwareKeyEventDto),
  allowedTransitions: z.array(allowedTransitionDto),
  /** For a deactivated key: what to do before confirming it was reset. */
  resetSteps: z.array(z.string()),
});
export type HardwareKeyDetailDto = z.infer<typeof hardwareKeyDetailDto>;

const reason = z.string().trim().min(1).max(500);

/** A state change: the state to go to, why, and (to reserve) for whom. */
export const transitionBody = z
  .object({
    to: state,
    reason,
    employeeId: z.string().uuid().optional(),
    /** Deactivated → Ready only: the admin confirms the key was reset (resetSteps). */
    resetConfirmed: z.boolean().optional(),
    /** Reserve / unlock: also e-mail the activation code to the employee. */
    mailCode: z.boolean().optional(),
  })
  .strict();
export type TransitionBody = z.infer<typeof transitionBody>;

/** The answer to a transition: the key, and the activation code when one was issued (shown this once). */
export const transitionAnswer = z.object({
  key: hardwareKeyDto,
  activationCode: z.string().optional(),
  /** After Compromised: what was done about it. */
  compromise: z
    .object({ credentialsRevoked: z.number().int(), sessionsEnded: z.boolean(), passwordsRotated: z.number().int(), passwordsFailed: z.number().int() })
    .optional(),
  /** After Deactivated: the employee's domain passwords rotated, since the key may have carried them. */
  deactivation: z.object({ passwordsRotated: z.number().int(), passwordsFailed: z.number().int() }).optional(),
});

export const bulkReserveBody = z
  .object({
    reason,
    items: z
      .array(z.object({ keyId: z.string().uuid(), employeeId: z.string().uuid() }).strict())
      .min(1)
      .max(500),
  })
  .strict();
export const bulkSuspendBody = z.object({ reason, keyIds: z.array(z.string().uuid()).min(1).max(500) }).strict();
export const bulkAnswer = z.object({
  items: z.array(
    z.object({
      keyId: z.string().uuid(),
      status: z.enum(['done', 'refused']),
      activationCode: z.string().optional(),
      error: z.object({ code: z.string(), message: z.string() }).optional(),
    }),
  ),
});

export const hardwareKeyQuery = z
  .object({
    state: state.optional(),
    employeeId: z.string().uuid().optional(),
    model: z.string().trim().min(1).max(100).optional(),
    batch: z.string().trim().min(1).max(64).optional(),
    /** Part of the serial or badge number. */
    q: z.string().trim().min(1).max(64).optional(),
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

/** Bounded by the body limit (BODY_LIMIT) before this. */
export const importBody = z
  .object({
    csv: z
      .string()
      .min(1)
      .max(50 * 1024 * 1024),
  })
  .strict();
export const importAnswer = z.object({
  created: z.number().int(),
  duplicate: z.number().int(),
  invalid: z.number().int(),
  rows: z.array(
    z.object({ line: z.number().int(), serial: z.string().nullable(), status: z.enum(['created', 'duplicate', 'invalid']), error: z.string().optional() }),
  ),
});

/** A key to register as already held by the employee, by the serial number printed on it. */
export const hardwareKeyBody = z
  .object({
    serial: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .regex(/^[\x20-\x7e]+$/, 'printable ASCII, as printed on the key'),
  })
  .strict();

/** An employee's key: the employee's id and the key's. */
export const hardwareKeyParams = z.object({ id: z.string().uuid(), keyId: z.string().uuid() }).strict();
