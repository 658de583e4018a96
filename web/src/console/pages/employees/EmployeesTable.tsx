import type { ReactNode } from 'react';
import { Anchor, Center, Checkbox, Group, Stack, Table, Text, UnstyledButton } from '@mantine/core';
import { IconChevronDown, IconChevronUp, IconSelector } from '@tabler/icons-react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import type { EmployeeListItem, EmployeeSort, SortOrder } from '../../../shared/api/types';
import { formatDate } from '../../../shared/components/format';
import { EmployeeStatusBadge, EnrolmentBadge, enrolmentMethodLabels } from '../../../shared/components/StatusBadge';

interface SortProps {
  sort: EmployeeSort;
  order: SortOrder;
  onSort: (column: EmployeeSort) => void;
}

/** A column header whose button sorts by that column; `aria-sort` tells which one is active. */
function SortableTh({ column, label, sort, order, onSort }: SortProps & { column: EmployeeSort; label: string }) {
  const active = sort === column;
  const Icon = active ? (order === 'asc' ? IconChevronUp : IconChevronDown) : IconSelector;
  return (
    <Table.Th aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : 'none'} p={0}>
      <UnstyledButton onClick={() => onSort(column)} px="sm" py="xs" w="100%">
        <Group justify="space-between" wrap="nowrap" gap={4}>
          <Text fw={600} size="sm">
            {label}
          </Text>
          <Center>
            <Icon size={14} stroke={1.5} aria-hidden />
          </Center>
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
}

export interface SelectionProps {
  selected: ReadonlySet<string>;
  onSelect: (ids: string[], selected: boolean) => void;
}

export function EmployeesTable({
  employees,
  selected,
  onSelect,
  empty,
  ...sortProps
}: SortProps & SelectionProps & { employees: EmployeeListItem[] /** What an empty list says (EmptyState). */; empty: ReactNode }) {
  const navigate = useNavigate();
  const onPage = employees.map((e) => e.id);
  const selectedOnPage = onPage.filter((id) => selected.has(id)).length;
  // The employee page links back to the list with the same search, filters and page.
  const state = { listSearch: useLocation().search };
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table highlightOnHover striped aria-label="Employees">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={40}>
              <Checkbox
                aria-label="Select all employees on this page"
                checked={onPage.length > 0 && selectedOnPage === onPage.length}
                indeterminate={selectedOnPage > 0 && selectedOnPage < onPage.length}
                disabled={onPage.length === 0}
                onChange={(e) => onSelect(onPage, e.currentTarget.checked)}
              />
            </Table.Th>
            <SortableTh column="lastName" label="Last name" {...sortProps} />
            <SortableTh column="firstName" label="First name" {...sortProps} />
            <SortableTh column="email" label="Email" {...sortProps} />
            <SortableTh column="company" label="Company" {...sortProps} />
            <Table.Th>Department</Table.Th>
            <Table.Th>Position</Table.Th>
            <SortableTh column="status" label="Status" {...sortProps} />
            <Table.Th>Enrolment</Table.Th>
            <Table.Th>Source</Table.Th>
            <SortableTh column="createdAt" label="Created" {...sortProps} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {employees.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={11}>{empty}</Table.Td>
            </Table.Tr>
          ) : null}
          {employees.map((employee) => (
            <Table.Tr key={employee.id} onClick={() => navigate(`/employees/${employee.id}`, { state })} style={{ cursor: 'pointer' }}>
              {/* Ticking the box selects the row; it does not open the employee. */}
              <Table.Td onClick={(e) => e.stopPropagation()}>
                <Checkbox
                  aria-label={`Select ${employee.email}`}
                  checked={selected.has(employee.id)}
                  onChange={(e) => onSelect([employee.id], e.currentTarget.checked)}
                />
              </Table.Td>
              <Table.Td>{employee.lastName}</Table.Td>
              <Table.Td>{employee.firstName}</Table.Td>
              <Table.Td>
                <Anchor component={Link} to={`/employees/${employee.id}`} state={state} size="sm" onClick={(e) => e.stopPropagation()}>
                  {employee.email}
                </Anchor>
              </Table.Td>
              <Table.Td>{employee.company?.name ?? '—'}</Table.Td>
              <Table.Td>{employee.department?.name ?? '—'}</Table.Td>
              <Table.Td>{employee.position?.name ?? '—'}</Table.Td>
              <Table.Td>
                <EmployeeStatusBadge status={employee.status} />
              </Table.Td>
              <Table.Td>
                {/* The methods go under the badge: side by side they pushed the table past a 1440 px screen. */}
                <Stack gap={2} align="flex-start">
                  <EnrolmentBadge state={employee.enrolment.state} />
                  {employee.enrolment.methods.length > 0 ? (
                    <Text size="xs" c="dimmed">
                      {employee.enrolment.methods.map((m) => enrolmentMethodLabels[m]).join(', ')}
                    </Text>
                  ) : null}
                </Stack>
              </Table.Td>
              <Table.Td>{employee.source}</Table.Td>
              <Table.Td>{formatDate(employee.createdAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
