import { Paper, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useCreatePosition } from '../../api/organisation';
import type { Position } from '../../../shared/api/types';
import { notifySuccess } from '../../../shared/components/notify';
import { AddNameForm } from './AddNameForm';
import { ItemActions } from './ItemActions';
import type { OrgTarget } from './use-org-dialogs';

export function PositionsCard({
  positions,
  onRename,
  onDelete,
}: {
  positions: Position[];
  onRename: (t: OrgTarget) => void;
  onDelete: (t: OrgTarget) => void;
}) {
  const createPosition = useCreatePosition();
  const addPosition = (name: string) => createPosition.mutateAsync(name).then(() => notifySuccess(`Position ${name} added.`));

  return (
    <Paper withBorder radius="md" p="md" component="section" aria-label="Positions list">
      <Stack gap="sm">
        {positions.length === 0 ? (
          <Text size="sm" c="dimmed">
            No positions yet.
          </Text>
        ) : (
          <Table aria-label="Positions" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Position</Table.Th>
                <Table.Th w={110}>Employees</Table.Th>
                <Table.Th w={200}>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {positions.map((position) => (
                <Table.Tr key={position.id}>
                  <Table.Td>{position.name}</Table.Td>
                  <Table.Td>{position.employeeCount}</Table.Td>
                  <Table.Td>
                    <ItemActions target={{ kind: 'position', ...position }} onRename={onRename} onDelete={onDelete} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <AddNameForm label="New position" buttonLabel="Add position" errorTitle="Could not add the position" onAdd={addPosition} />
      </Stack>
    </Paper>
  );
}
