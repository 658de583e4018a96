import { z } from 'zod';

/** A hardware key as the API answers it. */
export const hardwareKeyDto = z.object({
  id: z.string().uuid(),
  serial: z.string(),
  employeeId: z.string().uuid().nullable(),
  status: z.enum(['active', 'inactive']),
  createdAt: z.string(),
});
export type HardwareKeyDto = z.infer<typeof hardwareKeyDto>;

/** A key to register, by the serial number printed on it. */
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
