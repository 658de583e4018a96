import type { ComboboxStringGroupData } from '@mantine/core';
import { useCompanies } from '../../api/organisation';
import { useWorkstationProfiles } from '../../api/workstation-setup';
import { departmentOptions } from '../../components/org-options';
import { BUILT_IN_PROFILE } from './workstation-format';

/**
 * Names of departments and workstation profiles, which workstations and tokens hold as ids, and
 * the option lists of their selects (the first option is `none`).
 */
export function useLookups() {
  const companies = useCompanies();
  const profiles = useWorkstationProfiles();
  const departments = new Map((companies.data ?? []).flatMap((c) => c.departments.map((d) => [d.id, `${d.name} (${c.name})`] as const)));
  const profileNames = new Map((profiles.data ?? []).map((p) => [p.id, p.name]));
  return {
    profiles: profiles.data ?? [],
    departmentName: (id: string | null) => (id ? (departments.get(id) ?? 'Unknown department') : '—'),
    profileName: (id: string | null) => (id ? (profileNames.get(id) ?? 'Unknown profile') : BUILT_IN_PROFILE),
    departmentOptions: (none: string) => departmentOptions(companies.data, '', none),
    /** Every department grouped by company, for a multi-select (no "none" option). */
    departmentGroups: (companies.data ?? [])
      .filter((c) => c.departments.length > 0)
      .map((c) => ({ group: c.name, items: c.departments.map((d) => ({ value: d.id, label: d.name })) })),
    profileOptions: (none: string): ComboboxStringGroupData => [
      { value: '', label: none },
      ...(profiles.data ?? []).map((p) => ({ value: p.id, label: p.name })),
    ],
  };
}
