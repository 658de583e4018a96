import { Badge, Group, Paper, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { useCreateDepartment } from '../../api/organisation';
import type { Company } from '../../../shared/api/types';
import { notifySuccess } from '../../../shared/components/notify';
import { AddNameForm } from './AddNameForm';
import { ItemActions } from './ItemActions';
import type { OrgTarget } from './use-org-dialogs';

export interface CompanyCardProps {
  company: Company;
  onRename: (t: OrgTarget) => void;
  onDelete: (t: OrgTarget) => void;
}

/** One company (a region named "Company <name>") with its departments and "Add department". */
export function CompanyCard({ company, onRename, onDelete }: CompanyCardProps) {
  const createDepartment = useCreateDepartment();
  const titleId = `company-${company.id}`;

  const addDepartment = (name: string) =>
    createDepartment.mutateAsync({ companyId: company.id, name }).then(() => notifySuccess(`Department ${name} added to ${company.name}.`));

  return (
    <Paper withBorder radius="md" p="md" component="section" aria-label={`Company ${company.name}`}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Group gap="sm">
            <Title order={3} size="h4" id={titleId}>
              {company.name}
            </Title>
            <Badge variant="light" color="gray">
              {company.employeeCount} {company.employeeCount === 1 ? 'employee' : 'employees'}
            </Badge>
          </Group>
          <ItemActions
            target={{ kind: 'company', id: company.id, name: company.name, employeeCount: company.employeeCount }}
            onRename={onRename}
            onDelete={onDelete}
          />
        </Group>
        {company.departments.length === 0 ? (
          <Text size="sm" c="dimmed">
            No departments yet.
          </Text>
        ) : (
          <Table aria-label={`Departments of ${company.name}`} verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Department</Table.Th>
                <Table.Th w={110}>Employees</Table.Th>
                <Table.Th w={200}>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {company.departments.map((department) => (
                <Table.Tr key={department.id}>
                  <Table.Td>{department.name}</Table.Td>
                  <Table.Td>{department.employeeCount}</Table.Td>
                  <Table.Td>
                    <ItemActions target={{ kind: 'department', ...department }} onRename={onRename} onDelete={onDelete} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <AddNameForm label="New department" buttonLabel="Add department" errorTitle="Could not add the department" onAdd={addDepartment} />
      </Stack>
    </Paper>
  );
}
