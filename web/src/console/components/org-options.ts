import type { ComboboxStringGroupData } from '@mantine/core';
import type { Company, Position } from '../../shared/api/types';

/** Option lists for company / department / position selects. The first option is the "none" choice. */
export function companyOptions(companies: Company[] | undefined, none: string): ComboboxStringGroupData {
  return [{ value: '', label: none }, ...(companies ?? []).map((c) => ({ value: c.id, label: c.name }))];
}

/** Departments of one company, or of every company grouped by company when none is chosen. */
export function departmentOptions(companies: Company[] | undefined, companyId: string, none: string): ComboboxStringGroupData {
  const list = companies ?? [];
  if (companyId) {
    const company = list.find((c) => c.id === companyId);
    return [{ value: '', label: none }, ...(company?.departments ?? []).map((d) => ({ value: d.id, label: d.name }))];
  }
  return [
    { value: '', label: none },
    ...list.filter((c) => c.departments.length > 0).map((c) => ({ group: c.name, items: c.departments.map((d) => ({ value: d.id, label: d.name })) })),
  ];
}

export function positionOptions(positions: Position[] | undefined, none: string): ComboboxStringGroupData {
  return [{ value: '', label: none }, ...(positions ?? []).map((p) => ({ value: p.id, label: p.name }))];
}

/** The company a department belongs to, if any. */
export function companyOfDepartment(companies: Company[] | undefined, departmentId: string): string | undefined {
  return companies?.find((c) => c.departments.some((d) => d.id === departmentId))?.id;
}
