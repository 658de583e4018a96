import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import { hardwareKeys } from './hardware-key.tables.js';
import * as employeeRepo from '../employees/employee.repository.js';
import { AppError, isUniqueViolation } from '../lib/errors.js';
import type { RequestContext } from '../lib/context.js';

export const hardwareKeyDto = z.object({
  id: z.string().uuid(),
  serial: z.string(),
  employeeId: z.string().uuid().nullable(),
  status: z.enum(['active', 'inactive']),
  createdAt: z.string(),
});
export type HardwareKeyDto = z.infer<typeof hardwareKeyDto>;

const toDto = (k: typeof hardwareKeys.$inferSelect): HardwareKeyDto => ({
  id: k.id, serial: k.serial, employeeId: k.employeeId, status: k.status as HardwareKeyDto['status'], createdAt: k.createdAt.toISOString(),
});

export type HardwareKeyService = ReturnType<typeof createHardwareKeyService>;

/**
 * The minimal hardware key record password rotation needs: an employee holds an active key. The
 * full key lifecycle (activation, suspension, wipe) builds on this table later.
 */
export function createHardwareKeyService(deps: { db: Db; audit: AuditService }) {
  const { db, audit } = deps;

  async function employeeOrThrow(id: string) {
    const e = await employeeRepo.findEmployeeById(db, id);
    if (!e) throw new AppError('employees.not_found', 'Employee was not found');
    return e;
  }

  return {
    async listForEmployee(employeeId: string): Promise<HardwareKeyDto[]> {
      await employeeOrThrow(employeeId);
      return (await db.select().from(hardwareKeys).where(eq(hardwareKeys.employeeId, employeeId)).orderBy(asc(hardwareKeys.createdAt))).map(toDto);
    },
    async add(ctx: RequestContext, employeeId: string, serial: string): Promise<HardwareKeyDto> {
      const e = await employeeOrThrow(employeeId);
      try {
        return await db.transaction(async (tx) => {
          const [row] = await tx.insert(hardwareKeys).values({ serial, employeeId, status: 'active' }).returning();
          await audit.record(ctx, { action: 'hardware_key.added', target: { type: 'employee', id: e.id, label: e.email }, details: { serial, key: row.id } }, tx);
          return toDto(row);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('hardware_keys.serial_in_use', 'A key with this serial number is already registered');
        throw err;
      }
    },
    async remove(ctx: RequestContext, employeeId: string, keyId: string): Promise<void> {
      const e = await employeeOrThrow(employeeId);
      await db.transaction(async (tx) => {
        const [row] = await tx.delete(hardwareKeys).where(and(eq(hardwareKeys.id, keyId), eq(hardwareKeys.employeeId, employeeId))).returning();
        if (!row) throw new AppError('hardware_keys.not_found', 'Hardware key was not found');
        await audit.record(ctx, { action: 'hardware_key.removed', target: { type: 'employee', id: e.id, label: e.email }, details: { serial: row.serial, key: row.id } }, tx);
      });
    },
  };
}
