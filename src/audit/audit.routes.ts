import { Readable } from 'node:stream';
import { csvCell } from '../lib/csv.js';
import type { App } from '../http/types.js';
import { errors, listOf, paged } from '../http/schemas.js';
import type { AuditFilter } from './audit.repository.js';
import { auditActionName, auditEventDto, auditExportQuery, auditPageQuery, toAuditDto, type AuditFilterQuery } from './audit.schemas.js';
import type { AuditService } from './audit.service.js';
import type { Clock } from '../lib/clock.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type AuditRoutesDeps = { audit: AuditService; clock: Clock };

const toFilter = (q: AuditFilterQuery): AuditFilter => ({
  ...q,
  from: q.from ? new Date(q.from) : undefined,
  to: q.to ? new Date(q.to) : undefined,
});

const CSV_COLUMNS = [
  'id',
  'at',
  'actorType',
  'actorId',
  'actorLabel',
  'action',
  'outcome',
  'targetType',
  'targetId',
  'targetLabel',
  'ip',
  'userAgent',
  'details',
] as const;
const EXPORT_LIMIT = 1_000_000;
const EXPORT_BATCH = 1000;

export async function auditRoutes(app: App, services: AuditRoutesDeps) {
  const tags = ['Audit log'];
  app.get(
    '/audit',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Search the audit log',
        description:
          "Pages through audit events, newest first (`page`, `pageSize` up to 500, `total`). Filters: `action` (see `/api/audit/actions`), `actor` (part of the actor's label, or their id), `outcome` (success or failure), `targetId`, `from` and `to` (ISO times), `q` (part of the action, actor, target or address). Each event has who, what, on which target, from which address and user agent, and its details.",
        tags,
        querystring: auditPageQuery,
        response: { 200: paged(auditEventDto), ...errors },
      },
    },
    async (request) => {
      const { page, pageSize, ...rest } = request.query;
      const { items, total } = await services.audit.find(toFilter(rest), { offset: (page - 1) * pageSize, limit: pageSize });
      return { items: items.map(toAuditDto), total, page, pageSize };
    },
  );

  app.get(
    '/audit/actions',
    {
      config: { access: 'read' },
      schema: {
        summary: 'List audit actions',
        description: 'Every action name that occurs in the audit log, for the action filter.',
        tags,
        response: { 200: listOf(auditActionName), ...errors },
      },
    },
    async () => ({
      items: await services.audit.actions(),
    }),
  );

  app.get(
    '/audit/export.csv',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Export the audit log as CSV',
        tags,
        querystring: auditExportQuery,
        description: 'Every event matching the same filters as `/api/audit` (no paging), oldest first, as a CSV file for a spreadsheet or a SIEM import.',
      },
    },
    async (request, reply) => {
      const f = toFilter(request.query);
      // The first batch is read before the first byte is sent: a filter the database refuses is then
      // an ordinary error answer, not a download cut short. Every filter value was checked by the
      // schema and the text guard, so a later batch runs the same query with another id only.
      let batch = await services.audit.findAfter(0, EXPORT_BATCH, f);
      const stamp = services.clock.now().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      reply.header('Content-Type', 'text/csv; charset=utf-8').header('Content-Disposition', `attachment; filename="tessera-audit-${stamp}.csv"`);
      async function* rows() {
        yield `${CSV_COLUMNS.join(',')}\r\n`;
        let sent = 0;
        while (batch.length > 0 && sent < EXPORT_LIMIT) {
          yield `${batch
            .map((r) => {
              const d = toAuditDto(r);
              return CSV_COLUMNS.map((c) => csvCell(d[c])).join(',');
            })
            .join('\r\n')}\r\n`;
          sent += batch.length;
          batch = await services.audit.findAfter(batch[batch.length - 1].id, EXPORT_BATCH, f);
        }
      }
      return reply.send(Readable.from(rows()));
    },
  );
}
