import { Button, Group, NumberInput, Select, SimpleGrid, TextInput, Textarea } from '@mantine/core';
import type { ServerForm } from '../../components/forms';
import { useState, type Dispatch, type ReactNode, type SetStateAction } from 'react';
import type { Domain, DomainPatch, RemovalBehaviour } from '../../api/directory';

type SsoMethod = 'passwordless' | 'password_2fa';
type RotationDelivery = 'key' | 'key_or_portal';
type GroupImportMode = 'none' | 'member_groups' | 'under_ou' | 'list';

/** The sync settings every kind of domain shares, as the form holds them. */
export interface DomainSyncValues {
  syncGroup: string;
  rotationGroup: string;
  days: number;
  delivery: RotationDelivery;
  removal: RemovalBehaviour;
  threshold: number;
  sso: boolean;
  ssoMethod: SsoMethod;
  interval: number;
  groupMode: GroupImportMode;
  groupOu: string;
  /** One group name a line. */
  groupNames: string;
}

export type DomainSyncRequest = Pick<
  DomainPatch,
  | 'syncGroup'
  | 'rotationGroup'
  | 'passwordChangeDays'
  | 'rotationDelivery'
  | 'removalBehaviour'
  | 'removalThresholdPercent'
  | 'ssoEnabled'
  | 'ssoMethod'
  | 'syncIntervalMinutes'
  | 'groupImport'
>;

/** The shared sync settings, initialised from a saved domain (or the defaults for a new one). */
export function useDomainSyncValues(domain: Domain | null) {
  const [values, setValues] = useState<DomainSyncValues>(() => ({
    syncGroup: domain?.syncGroup ?? 'Tessera Users Sync',
    rotationGroup: domain?.rotationGroup ?? 'Tessera Key Auto Password Change',
    days: domain?.passwordChangeDays ?? 30,
    delivery: domain?.rotationDelivery ?? 'key',
    removal: domain?.removalBehaviour ?? 'deactivate',
    threshold: domain?.removalThresholdPercent ?? 10,
    sso: domain?.ssoEnabled ?? true,
    ssoMethod: domain?.ssoMethod ?? 'passwordless',
    interval: domain?.syncIntervalMinutes ?? 60,
    groupMode: domain?.groupImport.mode ?? 'member_groups',
    groupOu: domain?.groupImport.ou ?? '',
    groupNames: domain?.groupImport.names.join('\n') ?? '',
  }));
  /** The part of the save request these fields own. */
  const request = (): DomainSyncRequest => ({
    syncGroup: values.syncGroup,
    rotationGroup: values.rotationGroup,
    passwordChangeDays: values.days,
    rotationDelivery: values.delivery,
    removalBehaviour: values.removal,
    removalThresholdPercent: values.threshold,
    ssoEnabled: values.sso,
    ssoMethod: values.ssoMethod,
    syncIntervalMinutes: values.interval,
    groupImport: {
      mode: values.groupMode,
      ou: values.groupMode === 'under_ou' ? values.groupOu.trim() || null : null,
      names:
        values.groupMode === 'list'
          ? values.groupNames
              .split('\n')
              .map((n) => n.trim())
              .filter(Boolean)
          : [],
    },
  });
  return { values, setValues, request };
}

/** Sync group, rotation, removal, schedule and SSO fields; `children` adds fields of one kind of domain to the same grid. */
export function DomainSyncFields({
  value,
  onChange,
  kind = 'ad',
  children,
  form,
}: {
  value: DomainSyncValues;
  onChange: Dispatch<SetStateAction<DomainSyncValues>>;
  /** Entra ID has no OUs: the OU choice is offered for AD only. */
  kind?: 'ad' | 'entra';
  children?: ReactNode;
  /** Marks the fields the server refused (useServerForm). */
  form?: ServerForm;
}) {
  const set = (patch: Partial<DomainSyncValues>) => onChange((prev) => ({ ...prev, ...patch }));
  const f = (name: string) => form?.field(name) ?? {};
  return (
    <SimpleGrid cols={2}>
      <TextInput label="Sync group" {...f('syncGroup')} value={value.syncGroup} onChange={(e) => set({ syncGroup: e.currentTarget.value })} />
      <TextInput
        label="Password rotation group"
        {...f('rotationGroup')}
        value={value.rotationGroup}
        onChange={(e) => set({ rotationGroup: e.currentTarget.value })}
      />
      <NumberInput
        label="Auto password change (days)"
        {...f('passwordChangeDays')}
        description="0 turns rotation off"
        min={0}
        max={3650}
        value={value.days}
        onChange={(v) => set({ days: Number(v) || 0 })}
      />
      <Select
        label="Rotate the password of"
        {...f('rotationDelivery')}
        description="Tessera rotates only a password it can get to the employee"
        value={value.delivery}
        onChange={(v) => set({ delivery: (v ?? 'key') as RotationDelivery })}
        allowDeselect={false}
        data={[
          { value: 'key', label: 'Holders of an active hardware key' },
          { value: 'key_or_portal', label: 'Key holders, and passkey users (they look it up in My accounts)' },
        ]}
      />
      <Select
        label="When a user leaves the sync group"
        {...f('removalBehaviour')}
        value={value.removal}
        onChange={(v) => set({ removal: (v ?? 'deactivate') as RemovalBehaviour })}
        allowDeselect={false}
        data={[
          { value: 'keep', label: 'Keep the employee' },
          { value: 'deactivate', label: 'Deactivate the employee' },
          { value: 'delete', label: 'Delete the employee' },
        ]}
      />
      <NumberInput
        label="Removal threshold (%)"
        {...f('removalThresholdPercent')}
        description="A sync removing more waits for confirmation"
        min={0}
        max={100}
        value={value.threshold}
        onChange={(v) => set({ threshold: Number(v) || 0 })}
      />
      <NumberInput
        label="Sync every (minutes)"
        {...f('syncIntervalMinutes')}
        description="0: only on demand"
        min={0}
        value={value.interval}
        onChange={(v) => set({ interval: Number(v) || 0 })}
      />
      <Select
        label="SSO for imported employees"
        {...f('ssoMethod')}
        value={value.sso ? value.ssoMethod : 'off'}
        allowDeselect={false}
        onChange={(v) => set({ sso: v !== 'off', ...(v && v !== 'off' ? { ssoMethod: v as SsoMethod } : {}) })}
        data={[
          { value: 'passwordless', label: 'On, passwordless' },
          { value: 'password_2fa', label: 'On, password + second factor' },
          { value: 'off', label: 'Off' },
        ]}
      />
      <Select
        label="Groups to import"
        {...f('groupImport.mode')}
        description="Directory groups of the synced employees, nested groups resolved"
        value={value.groupMode}
        allowDeselect={false}
        onChange={(v) => set({ groupMode: (v ?? 'member_groups') as GroupImportMode })}
        data={[
          { value: 'member_groups', label: 'Every security group of the synced employees' },
          ...(kind === 'ad' ? [{ value: 'under_ou', label: 'Groups under one OU' }] : []),
          { value: 'list', label: 'Only the groups I name' },
          { value: 'none', label: 'None' },
        ]}
      />
      {value.groupMode === 'under_ou' && (
        <TextInput
          label="OU or container of the groups"
          {...f('groupImport.ou')}
          placeholder="OU=Groups,DC=corp,DC=example"
          value={value.groupOu}
          onChange={(e) => set({ groupOu: e.currentTarget.value })}
        />
      )}
      {value.groupMode === 'list' && (
        <Textarea
          label="Group names"
          {...f('groupImport.names')}
          description="One a line"
          autosize
          minRows={2}
          value={value.groupNames}
          onChange={(e) => set({ groupNames: e.currentTarget.value })}
        />
      )}
      {children}
    </SimpleGrid>
  );
}

/** Cancel and Save, at the foot of a domain modal. */
export function DomainModalFooter({ onCancel, onSave, saving }: { onCancel: () => void; onSave: () => void; saving: boolean }) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        Cancel
      </Button>
      <Button onClick={onSave} loading={saving}>
        Save
      </Button>
    </Group>
  );
}
