import { z } from 'zod';

/** Where a group comes from: made in the console ('local'), or imported by a domain's sync. */
export const groupSource = z.union([z.literal('local'), z.object({ domainId: z.string().uuid(), domainName: z.string() })]);
export type GroupSource = z.infer<typeof groupSource>;

export const groupDto = z.object({
  id: z.string().uuid(),
  name: z.string(),
  description: z.string().nullable(),
  source: groupSource,
  memberCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type GroupDto = z.infer<typeof groupDto>;

/** A group as another resource shows it (an employee's groups). */
export const groupRef = z.object({ id: z.string().uuid(), name: z.string(), source: groupSource });
export type GroupRef = z.infer<typeof groupRef>;

const name = z.string().trim().min(1).max(200);
const description = z.string().trim().max(1000).nullable();

export const groupCreate = z.object({ name, description: description.optional() }).strict();
export type GroupCreate = z.infer<typeof groupCreate>;

export const groupPatch = groupCreate.partial().strict();
export type GroupPatch = z.infer<typeof groupPatch>;

export const groupQuery = z
  .object({
    q: z.string().trim().max(200).optional(),
    source: z.enum(['local', 'directory']).optional(),
    domainId: z.string().uuid().optional(),
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();
export type GroupQuery = z.infer<typeof groupQuery>;

export const groupMembersAdd = z
  .object({ employeeIds: z.array(z.string().uuid()).min(1).max(500) })
  .strict()
  .describe('Employees to add; those already members are left as they are.');
export type GroupMembersAdd = z.infer<typeof groupMembersAdd>;

export const groupMemberParams = z.object({ id: z.string().uuid(), employeeId: z.string().uuid() }).strict();
