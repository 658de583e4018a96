import { Anchor, Button, Checkbox, Code, Group, Table, Text } from '@mantine/core';
import type { MouseEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { Workstation } from '../../../shared/api/types';
import type { Decision } from '../../api/workstations';
import type { Selection } from '../../components/use-selection';
import type { useLookups } from './use-lookups';
import { EmergencyMark, OnlineState, WorkstationStatusBadge } from './WorkstationBadges';

export interface WorkstationRowActions {
  onDecide: (workstation: Workstation, decision: Decision) => void;
  onRemove: (workstation: Workstation) => void;
  /** The row whose decision is on its way, to show its button loading. */
  busyId?: string;
}

const stop = (fn: () => void) => (e: MouseEvent) => {
  e.stopPropagation();
  fn();
};

/** What an empty list says: with no filters there are no workstations at all, so how to add the first. */
function EmptyList({ hasFilters }: { hasFilters: boolean }) {
  if (hasFilters) return <>No workstations match</>;
  return (
    <>
      No workstations yet. To add one, create an enrolment token on the{' '}
      <Anchor component={Link} to="/workstations/tokens" inherit>
        Enrolment tokens
      </Anchor>{' '}
      tab, then run <Code>tessera-agent enroll</Code> with it on the computer.
    </>
  );
}

/** The workstation list: a checkbox per row for the bulk actions, a click on a row opens the workstation. */
export function WorkstationsTable(
  props: { workstations: Workstation[]; hasFilters: boolean; selection: Selection; lookups: ReturnType<typeof useLookups> } & WorkstationRowActions,
) {
  const { workstations, selection, lookups } = props;
  const navigate = useNavigate();
  const onPage = workstations.map((w) => w.id);
  const selectedOnPage = onPage.filter((id) => selection.selected.has(id)).length;

  return (
    <>
      <Table.ScrollContainer minWidth={1100}>
        <Table highlightOnHover striped aria-label="Workstations">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={40}>
                <Checkbox
                  aria-label="Select all workstations on this page"
                  checked={onPage.length > 0 && selectedOnPage === onPage.length}
                  indeterminate={selectedOnPage > 0 && selectedOnPage < onPage.length}
                  disabled={onPage.length === 0}
                  onChange={(e) => selection.toggle(onPage, e.currentTarget.checked)}
                />
              </Table.Th>
              <Table.Th>Workstation</Table.Th>
              <Table.Th>Connection</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Operating system</Table.Th>
              <Table.Th>Agent</Table.Th>
              <Table.Th>Department</Table.Th>
              <Table.Th>Profile</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {workstations.map((w) => (
              <Table.Tr key={w.id} onClick={() => navigate(`/workstations/${w.id}`)} style={{ cursor: 'pointer' }} data-testid="workstation-row">
                <Table.Td onClick={(e) => e.stopPropagation()}>
                  <Checkbox
                    aria-label={`Select ${w.name}`}
                    checked={selection.selected.has(w.id)}
                    onChange={(e) => selection.toggle([w.id], e.currentTarget.checked)}
                  />
                </Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <Anchor component={Link} to={`/workstations/${w.id}`} size="sm" fw={500} onClick={(e) => e.stopPropagation()}>
                      {w.name}
                    </Anchor>
                    {w.isEmergencyBlocked ? <EmergencyMark /> : null}
                  </Group>
                  <Text size="xs" c="dimmed">
                    {w.domain ? `${w.domain}\\${w.hostname}` : w.hostname}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <OnlineState workstation={w} />
                </Table.Td>
                <Table.Td>
                  <WorkstationStatusBadge status={w.status} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{w.osName}</Text>
                  <Text size="xs" c="dimmed">
                    {w.osVersion}
                  </Text>
                </Table.Td>
                <Table.Td>{w.agentVersion}</Table.Td>
                <Table.Td>{lookups.departmentName(w.departmentId)}</Table.Td>
                <Table.Td>
                  <Text size="sm">{lookups.profileName(w.effectiveProfileId)}</Text>
                  {w.profileId === null && w.effectiveProfileId ? (
                    <Text size="xs" c="dimmed">
                      from department or default
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    {w.status !== 'approved' ? (
                      <Button size="compact-sm" variant="light" color="teal" loading={props.busyId === w.id} onClick={stop(() => props.onDecide(w, 'approve'))}>
                        Approve
                      </Button>
                    ) : null}
                    {w.status !== 'denied' ? (
                      <Button size="compact-sm" variant="subtle" color="orange" onClick={stop(() => props.onDecide(w, 'deny'))}>
                        Deny
                      </Button>
                    ) : null}
                    <Button size="compact-sm" variant="subtle" color="red" onClick={stop(() => props.onRemove(w))}>
                      Remove
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {/* Below the table, not in a row of it: a row is as wide as the table (1100 px), wider than a laptop shows. */}
      {workstations.length === 0 ? (
        <Text c="dimmed" py="lg" px="sm">
          <EmptyList hasFilters={props.hasFilters} />
        </Text>
      ) : null}
    </>
  );
}
