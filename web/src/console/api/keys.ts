import type { AuditFilters, EmployeeQuery } from '../../shared/api/types';

// Query keys in one place so that mutations invalidate exactly what they change.
export const keys = {
  me: ['me'] as const,
  setup: ['setup'] as const,
  dashboard: ['dashboard'] as const,
  employees: ['employees'] as const,
  employeeList: (query: EmployeeQuery) => ['employees', 'list', query] as const,
  employee: (id: string) => ['employees', 'one', id] as const,
  companies: ['companies'] as const,
  positions: ['positions'] as const,
  admins: ['admins'] as const,
  apiKeys: ['api-keys'] as const,
  audit: ['audit'] as const,
  auditList: (filters: AuditFilters, page: number, pageSize: number) =>
    ['audit', 'list', filters, page, pageSize] as const,
  auditActions: ['audit', 'actions'] as const,
  settings: ['settings'] as const,
};
