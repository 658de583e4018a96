import { NativeSelect, Paper } from '@mantine/core';
import type { SessionQuery } from '../../../shared/api/types';
import { QueryState } from '../../../shared/components/QueryState';
import { sessionsExportUrl, useWorkstationSessions } from '../../api/workstation-activity';
import { ExportCsvButton } from '../../components/ExportCsvButton';
import { Pager } from '../../components/Pager';
import { useUrlFilters } from '../../components/use-url-filters';
import { ACTIVITY_FILTER_KEYS, ActivityFilters, activityQuery } from './ActivityFilters';
import { SessionsTable } from './SessionsTable';

const KEYS = [...ACTIVITY_FILTER_KEYS, 'open'] as const;
const PAGE_SIZE = 50;
const openOptions = [
  { value: '', label: 'Open and ended' },
  { value: 'true', label: 'Open now' },
  { value: 'false', label: 'Ended' },
];

/** The Sessions tab: every workstation session, filtered in the address, with the same filters as CSV. */
export function SessionsTab() {
  const filters = useUrlFilters(KEYS);
  const { values, page } = filters;
  const filter: SessionQuery = activityQuery(values);
  if (values.open === 'true' || values.open === 'false') filter.open = values.open;
  const sessions = useWorkstationSessions({ ...filter, page, pageSize: PAGE_SIZE });

  return (
    <>
      <ActivityFilters values={values} setFilter={filters.setFilter} clearFilters={filters.clearFilters} hasFilters={filters.hasFilters}>
        <NativeSelect label="Sessions" data={openOptions} value={values.open} onChange={(e) => filters.setFilter('open', e.currentTarget.value)} />
        <ExportCsvButton href={sessionsExportUrl(filter)} />
      </ActivityFilters>
      <QueryState query={sessions} />
      {sessions.data ? (
        <Paper withBorder radius="md" p="xs" style={{ opacity: sessions.isPlaceholderData ? 0.6 : 1 }}>
          <SessionsTable sessions={sessions.data.items} />
          <Pager page={page} pageSize={PAGE_SIZE} total={sessions.data.total} onChange={filters.setPage} />
        </Paper>
      ) : null}
    </>
  );
}
