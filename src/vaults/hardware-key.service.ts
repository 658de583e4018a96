import type { AuditService } from '../audit/audit.service.js';
import type { Db } from '../db/connection.js';
import type { EmployeeLookup } from '../employees/employee.service.js';
import { AppError, isUniqueViolation } from '../lib/errors.js';
import type { RequestContext } from '../lib/context.js';
import * as repo from './hardware-key.repository.js';
import type { HardwareKeyDto } from './hardware-key.schemas.js';

export { hardwareKeyDto, type HardwareKeyDto } from './hardware-key.schemas.js';

const toDto = (k: repo.HardwareKeyRow): HardwareKeyDto => ({
  id: k.id,
  serial: k.serial,
  employeeId: k.employeeId,
  status: k.status as HardwareKeyDto['status'],
  createdAt: k.createdAt.toISOString(),
});

export type HardwareKeyService = ReturnType<typeof createHardwareKeyService>;

/**
 * The minimal hardware key record password rotation needs: an employee holds an active key. The
 * full key lifecycle (activation, suspension, wipe) builds on this table later.
 */
export function createHardwareKeyService(deps: { db: Db; audit: AuditService; employees: EmployeeLookup }) {
  const { db, audit, employees } = deps;

  async function employeeOrThrow(id: string) {
    const e = await employees.findById(id);
    if (!e) throw new AppError('employees.not_found', 'Employee was not found');
    return e;
  }

  return {
    /** Those of the employees who hold an active key (password rotation applies to them only). */
    findActiveKeyHolders: (employeeIds: string[]) => repo.findActiveKeyHolders(db, employeeIds),
    async listForEmployee(employeeId: string): Promise<HardwareKeyDto[]> {
      await employeeOrThrow(employeeId);
      return (await repo.findHardwareKeysByEmployeeId(db, employeeId)).map(toDto);
    },
    async add(ctx: RequestContext, employeeId: string, serial: string): Promise<HardwareKeyDto> {
      const e = await employeeOrThrow(employeeId);
      try {
        return await db.transaction(async (tx) => {
          const row = await repo.insertHardwareKey(tx, { serial, employeeId, status: 'active' });
          await audit.record(
            ctx,
            { action: 'hardware_key.added', target: { type: 'employee', id: e.id, label: e.email }, details: { serial, key: row.id } },
            tx,
          );
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
        const row = await repo.deleteHardwareKeyOfEmployee(tx, keyId, employeeId);
        if (!row) throw new AppError('hardware_keys.not_found', 'Hardware key was not found');
        await audit.record(
          ctx,
          { action: 'hardware_key.removed', target: { type: 'employee', id: e.id, label: e.email }, details: { serial: row.serial, key: row.id } },
          tx,
        );
      });
    },
  };
}
