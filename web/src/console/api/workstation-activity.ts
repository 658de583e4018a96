import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, buildQuery } from '../../shared/api/client';
import type { EventQuery, Paged, SessionQuery, SessionSummary, SummaryQuery, WorkstationEvent, WorkstationSession } from '../../shared/api/types';
import { queryKeys } from '../../shared/query-keys';
import { AGENT_DRIVEN } from './workstations';

/** How often a list of what agents report is asked again while it shows (`false`: never). */
type Poll = { refetchInterval?: number | false };

export function useWorkstationEvents(query: EventQuery, opts: Poll = {}) {
  return useQuery({
    queryKey: queryKeys.workstationActivity.events(query),
    queryFn: ({ signal }) => api<Paged<WorkstationEvent>>('/api/workstation-events', { query: { ...query }, signal }),
    placeholderData: keepPreviousData,
    ...AGENT_DRIVEN,
    refetchInterval: opts.refetchInterval ?? false,
  });
}

export function useWorkstationSessions(query: SessionQuery, opts: Poll = {}) {
  return useQuery({
    queryKey: queryKeys.workstationActivity.sessions(query),
    queryFn: ({ signal }) => api<Paged<WorkstationSession>>('/api/workstation-sessions', { query: { ...query }, signal }),
    placeholderData: keepPreviousData,
    ...AGENT_DRIVEN,
    refetchInterval: opts.refetchInterval ?? false,
  });
}

export function useSessionSummary(query: SummaryQuery) {
  return useQuery({
    queryKey: queryKeys.workstationActivity.summary(query),
    queryFn: ({ signal }) => api<SessionSummary>('/api/workstation-sessions/summary', { query: { ...query }, signal }),
    placeholderData: keepPreviousData,
    ...AGENT_DRIVEN,
  });
}

// CSV downloads with the same filters as the table: plain links, authenticated by the session cookie.
const withoutPaging = <T extends { page?: number; pageSize?: number }>({ page: _p, pageSize: _s, ...rest }: T) => rest;
export const eventsExportUrl = (query: EventQuery) => `/api/workstation-events/export.csv${buildQuery(withoutPaging(query))}`;
export const sessionsExportUrl = (query: SessionQuery) => `/api/workstation-sessions/export.csv${buildQuery(withoutPaging(query))}`;
export const summaryExportUrl = (query: SummaryQuery) => `/api/workstation-sessions/summary.csv${buildQuery({ ...query })}`;
