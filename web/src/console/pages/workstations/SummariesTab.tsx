import { Anchor, NativeSelect, Table, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import type { SummaryGroup, SummaryQuery } from '../../../shared/api/types';
import { formatDateTime } from '../../../shared/components/format';
import { ListTable } from '../../../shared/components/ListTable';
import { QueryState } from '../../../shared/components/QueryState';
import { summaryExportUrl, useSessionSummary } from '../../api/workstation-activity';
import { ExportCsvButton } from '../../components/ExportCsvButton';
import { useUrlFilters } from '../../components/use-url-filters';
import { ACTIVITY_FILTER_KEYS, ActivityFilters, activityQuery } from './ActivityFilters';
import { formatDuration, methodsText } from './workstation-format';

const KEYS = [...ACTIVITY_FILTER_KEYS, 'groupBy'] as const;
const GROUPS: { value: SummaryGroup; label: string }[] = [
  { value: 'employee', label: 'Employee' },
  { value: 'workstation', label: 'Workstation' },
  { value: 'day', label: 'Day (UTC)' },
];

function RowLabel({ groupBy, id, label }: { groupBy: SummaryGroup; id: string | null; label: string }) {
  if (!id || groupBy === 'day') return <Text size="sm">{label}</Text>;
  return (
    <Anchor component={Link} to={groupBy === 'employee' ? `/employees/${id}` : `/workstations/${id}`} size="sm">
      {label}
    </Anchor>
  );
}

/** The Summaries tab: time signed in, sessions and methods per employee, workstation or day; the last 30 days unless a period is chosen. */
export function SummariesTab() {
  const filters = useUrlFilters(KEYS);
  const { values } = filters;
  const groupBy = GROUPS.find((g) => g.value === values.groupBy)?.value ?? 'employee';
  const query: SummaryQuery = { ...activityQuery(values), groupBy };
  const summary = useSessionSummary(query);
  const groupLabel = GROUPS.find((g) => g.value === groupBy)!.label;

  return (
    <>
      <ActivityFilters values={values} setFilter={filters.setFilter} clearFilters={filters.clearFilters} hasFilters={filters.hasFilters}>
        <NativeSelect label="Group by" data={GROUPS} value={groupBy} onChange={(e) => filters.setFilter('groupBy', e.currentTarget.value)} />
        <ExportCsvButton href={summaryExportUrl(query)} />
      </ActivityFilters>
      <QueryState query={summary} />
      {summary.data ? (
        <>
          <Text size="sm" c="dimmed" mb="xs">
            Time signed in from {formatDateTime(summary.data.from)} to {formatDateTime(summary.data.to)}
          </Text>
          <div style={{ opacity: summary.isPlaceholderData ? 0.6 : 1 }}>
            <ListTable
              label="Session summary"
              columns={[groupLabel, 'Sessions', 'Signed in', 'Locked', 'Methods', 'Employees', 'Workstations']}
              isEmpty={summary.data.items.length === 0}
              empty="No sessions in this period"
            >
              {summary.data.items.map((r) => (
                <Table.Tr key={r.key ?? r.label}>
                  <Table.Td>
                    <RowLabel groupBy={summary.data.groupBy} id={r.key} label={r.label} />
                  </Table.Td>
                  <Table.Td>{r.sessions}</Table.Td>
                  <Table.Td>{formatDuration(r.signedInSeconds)}</Table.Td>
                  <Table.Td>{formatDuration(r.lockedSeconds)}</Table.Td>
                  <Table.Td>{methodsText(r.methods)}</Table.Td>
                  <Table.Td>{r.employees}</Table.Td>
                  <Table.Td>{r.workstations}</Table.Td>
                </Table.Tr>
              ))}
            </ListTable>
          </div>
        </>
      ) : null}
    </>
  );
}
