import { EmptyState } from '../../../shared/components/EmptyState';
import { Button, Paper } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus } from '@tabler/icons-react';
import { useEmployees } from '../../api/employees';
import { PageHeader } from '../../components/PageHeader';
import { Pager } from '../../components/Pager';
import { useSelection } from '../../components/use-selection';
import { QueryState } from '../../../shared/components/QueryState';
import { AddEmployeeModal } from './AddEmployeeModal';
import { EmployeeFilters } from './EmployeeFilters';
import { EmployeesTable } from './EmployeesTable';
import { InviteSelectedButton } from './InviteSelected';
import { FILTER_KEYS, useEmployeeQuery } from './use-employee-query';

export function EmployeesPage() {
  const { query, setFilter, setFilters, clearFilters, toggleSort, setPage } = useEmployeeQuery();
  const employees = useEmployees(query);
  const [adding, { open, close }] = useDisclosure(false);
  const selection = useSelection();

  return (
    <>
      <PageHeader
        title="Employees"
        description={employees.data ? employeeCount(employees.data) : undefined}
        actions={
          <>
            <InviteSelectedButton selection={selection} employees={employees.data?.items ?? []} />
            <Button leftSection={<IconPlus size={16} />} onClick={open}>
              Add employee
            </Button>
          </>
        }
      />
      <EmployeeFilters query={query} setFilter={setFilter} setFilters={setFilters} clearFilters={clearFilters} />
      <QueryState query={employees} />
      {employees.data ? (
        <Paper withBorder radius="md" p="xs" style={{ opacity: employees.isPlaceholderData ? 0.6 : 1 }}>
          <EmployeesTable
            employees={employees.data.items}
            sort={query.sort}
            order={query.order}
            onSort={toggleSort}
            selected={selection.selected}
            onSelect={selection.toggle}
            empty={
              FILTER_KEYS.some((k) => query[k]) ? (
                <EmptyState title="No employees match these filters" hint="Change the search or the filters, or clear them." />
              ) : (
                <EmptyState
                  title="No employees yet"
                  hint="Add employees by hand, or connect Active Directory or Entra ID to import them by group; then invite them to enrol a key."
                  action={{ label: 'Connect a directory', to: '/settings/domains' }}
                />
              )
            }
          />
          <Pager
            page={query.page}
            pageSize={query.pageSize}
            total={employees.data.total}
            isTotalCapped={employees.data.isTotalCapped}
            pageItems={employees.data.items.length}
            onChange={setPage}
          />
        </Paper>
      ) : null}
      <AddEmployeeModal opened={adding} onClose={close} />
    </>
  );
}

/** "240 employees", or "More than 10,000 employees" when the server stopped counting. */
function employeeCount({ total, isTotalCapped }: { total: number; isTotalCapped: boolean }): string {
  if (isTotalCapped) return `More than ${total.toLocaleString('en-US')} employees`;
  return `${total} ${total === 1 ? 'employee' : 'employees'}`;
}
