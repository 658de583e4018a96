import { NativeSelect, Paper } from '@mantine/core';
import type { EventQuery, WorkstationEventType } from '../../../shared/api/types';
import { QueryState } from '../../../shared/components/QueryState';
import { eventsExportUrl, useWorkstationEvents } from '../../api/workstation-activity';
import { ExportCsvButton } from '../../components/ExportCsvButton';
import { Pager } from '../../components/Pager';
import { useUrlFilters } from '../../components/use-url-filters';
import { ACTIVITY_FILTER_KEYS, ActivityFilters, activityQuery } from './ActivityFilters';
import { EventsTable } from './EventsTable';
import { EVENT_TYPE_LABELS, EVENT_TYPES } from './workstation-format';

const KEYS = [...ACTIVITY_FILTER_KEYS, 'type'] as const;
const PAGE_SIZE = 50;
const typeOptions = [{ value: '', label: 'All events' }, ...EVENT_TYPES.map((t) => ({ value: t, label: EVENT_TYPE_LABELS[t] }))];

/** The Events tab: what agents reported, newest first, filtered in the address, with the same filters as CSV. */
export function EventsTab() {
  const filters = useUrlFilters(KEYS);
  const { values, page } = filters;
  const filter: EventQuery = activityQuery(values);
  if (values.type) filter.type = values.type as WorkstationEventType;
  const events = useWorkstationEvents({ ...filter, page, pageSize: PAGE_SIZE });

  return (
    <>
      <ActivityFilters values={values} setFilter={filters.setFilter} clearFilters={filters.clearFilters} hasFilters={filters.hasFilters}>
        <NativeSelect label="Event" data={typeOptions} value={values.type} onChange={(e) => filters.setFilter('type', e.currentTarget.value)} />
        <ExportCsvButton href={eventsExportUrl(filter)} />
      </ActivityFilters>
      <QueryState query={events} />
      {events.data ? (
        <Paper withBorder radius="md" p="xs" style={{ opacity: events.isPlaceholderData ? 0.6 : 1 }}>
          <EventsTable events={events.data.items} />
          <Pager page={page} pageSize={PAGE_SIZE} total={events.data.total} onChange={filters.setPage} />
        </Paper>
      ) : null}
    </>
  );
}
