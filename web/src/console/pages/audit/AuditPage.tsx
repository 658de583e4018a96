import { Paper } from '@mantine/core';
import { auditExportUrl, useAuditEvents } from '../../api/audit';
import { AuditTable } from '../../components/AuditTable';
import { ExportCsvButton } from '../../components/ExportCsvButton';
import { PageHeader } from '../../components/PageHeader';
import { Pager } from '../../components/Pager';
import { QueryState } from '../../../shared/components/QueryState';
import { AuditFilterBar } from './AuditFilterBar';
import { AUDIT_PAGE_SIZE, useAuditQuery } from './use-audit-query';

export function AuditPage() {
  const { values, filters, page, setFilter, clearFilters, setPage } = useAuditQuery();
  const events = useAuditEvents(filters, page, AUDIT_PAGE_SIZE);

  return (
    <>
      <PageHeader title="Audit log" description="Every admin action and authentication event." actions={<ExportCsvButton href={auditExportUrl(filters)} />} />
      <AuditFilterBar values={values} setFilter={setFilter} clearFilters={clearFilters} />
      <QueryState query={events} />
      {events.data ? (
        <Paper withBorder radius="md" p="xs" style={{ opacity: events.isPlaceholderData ? 0.6 : 1 }}>
          <AuditTable
            events={events.data.items}
            expandable
            empty={Object.values(values).some(Boolean) ? 'No audit events match these filters: widen the dates or clear the filters.' : 'No audit events yet'}
          />
          <Pager page={page} pageSize={AUDIT_PAGE_SIZE} total={events.data.total} onChange={setPage} />
        </Paper>
      ) : null}
    </>
  );
}
