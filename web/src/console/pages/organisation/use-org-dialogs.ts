import { useState } from 'react';

export type OrgKind = 'company' | 'department' | 'position';

export interface OrgTarget {
  kind: OrgKind;
  id: string;
  name: string;
  employeeCount: number;
}

/** Which item is being renamed or deleted (one dialog of each at a time). */
export function useOrgDialogs() {
  const [renaming, setRenaming] = useState<OrgTarget | null>(null);
  const [deleting, setDeleting] = useState<OrgTarget | null>(null);
  return { renaming, setRenaming, deleting, setDeleting };
}

export const kindLabel: Record<OrgKind, string> = {
  company: 'company',
  department: 'department',
  position: 'position',
};
