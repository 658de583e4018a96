import { z } from 'zod';

const MAX_GRANTS = 1000;
const ids = z.array(z.string().uuid()).max(MAX_GRANTS).default([]);

export const accessBody = z
  .object({
    mode: z
      .enum(['everyone', 'assigned'])
      .describe("'everyone': every employee may use it (the default). 'assigned': only the groups, departments and employees listed."),
    groups: ids.describe('Group ids: their members (directory groups as synced, local groups as kept in the console).'),
    departments: ids.describe('Department ids: the employees in them.'),
    employees: ids.describe('Employee ids.'),
  })
  .strict();

export const accessTargetDto = z.object({
  kind: z.enum(['group', 'department', 'employee']),
  id: z.string().uuid(),
  name: z.string(),
  /** A group's origin, a department's company, an employee's e-mail. */
  detail: z.string().nullable(),
});

export const accessDto = z.object({
  mode: z.enum(['everyone', 'assigned']),
  groups: z.array(accessTargetDto),
  departments: z.array(accessTargetDto),
  employees: z.array(accessTargetDto),
});

export const targetsQuery = z.object({ q: z.string().trim().max(200).default('') }).strict();
