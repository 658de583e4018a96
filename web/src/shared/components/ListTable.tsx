import { Paper, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * A console list: bordered, scrolling sideways on narrow screens, one header row, and a dimmed
 * line (or an EmptyState with the next step) instead of the rows when there are none. The rows are `Table.Tr` children.
 */
export function ListTable(props: { label: string; columns: ReactNode[]; isEmpty: boolean; empty: ReactNode; minWidth?: number; children: ReactNode }) {
  return (
    <Paper withBorder radius="md" p="xs">
      <Table.ScrollContainer minWidth={props.minWidth ?? 900}>
        <Table highlightOnHover aria-label={props.label}>
          <Table.Thead>
            <Table.Tr>
              {props.columns.map((c, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the header cells are fixed for the table's life
                <Table.Th key={i}>{c}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {props.isEmpty ? (
              <Table.Tr>
                <Table.Td colSpan={props.columns.length}>
                  {typeof props.empty === 'string' ? (
                    <Text c="dimmed" py="md">
                      {props.empty}
                    </Text>
                  ) : (
                    props.empty
                  )}
                </Table.Td>
              </Table.Tr>
            ) : (
              props.children
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}
