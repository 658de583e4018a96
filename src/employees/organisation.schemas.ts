import { z } from 'zod';

/** The name of a new or renamed company, department or position. */
export const organisationNameBody = z.object({ name: z.string().trim().min(1).max(120) }).strict();
export const departmentDto = z.object({ id: z.string().uuid(), name: z.string(), employeeCount: z.number().int() });
export const companyDto = z.object({ id: z.string().uuid(), name: z.string(), employeeCount: z.number().int(), departments: z.array(departmentDto) });
export const positionDto = z.object({ id: z.string().uuid(), name: z.string(), employeeCount: z.number().int() });
/** A created or renamed company, department or position. */
export const organisationRef = z.object({ id: z.string().uuid(), name: z.string() });
