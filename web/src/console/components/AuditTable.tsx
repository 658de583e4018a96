import { ActionIcon, Code, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { Fragment, useState } from 'react';
import type { AuditEvent } from '../../shared/api/types';
import { formatTimestamp } from '../../shared/components/format';
import { OutcomeBadge } from '../../shared/components/StatusBadge';

export function actorText(event: AuditEvent): string {
  return event.actorLabel ?? event.actorId ?? event.actorType;
}

function targetText(event: AuditEvent): string {
  const label = event.targetLabel ?? event.targetId;
  if (!label) return event.targetType ?? '—';
  return event.targetType ? `${event.targetType}: ${label}` : label;
}

/**
 * Audit events as a table: Time, Actor, Action, Target, Outcome, IP. With `expandable`, each row has
 * a "Show details" button that opens a row below with the event's details JSON and user agent.
 */
export function AuditTable({ events, expandable = false, empty = 'No audit events' }: { events: AuditEvent[]; expandable?: boolean; empty?: string }) {
  const [open, setOpen] = useState<Set<string | number>>(new Set());
  const toggle = (id: string | number) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const columns = expandable ? 7 : 6;

  return (
    <Table.ScrollContainer minWidth={720}>
      {/* Fixed layout: long actors, targets and actions are cut with an ellipsis (whole text in the title) rather than push Outcome and IP out of view. */}
      <Table striped highlightOnHover verticalSpacing="xs" layout="fixed">
        <Table.Thead>
          <Table.Tr>
            {expandable ? (
              <Table.Th w={40}>
                <VisuallyHidden>Details</VisuallyHidden>
              </Table.Th>
            ) : null}
            <Table.Th w={175}>Time</Table.Th>
            <Table.Th>Actor</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Target</Table.Th>
            <Table.Th w={100}>Outcome</Table.Th>
            <Table.Th w={130}>IP</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={columns}>
                <Text c="dimmed" py="md">
                  {empty}
                </Text>
              </Table.Td>
            </Table.Tr>
          ) : null}
          {events.map((event) => {
            const expanded = open.has(event.id);
            return (
              <Fragment key={event.id}>
                <Table.Tr>
                  {expandable ? (
                    <Table.Td>
                      <Tooltip label={expanded ? 'Hide details' : 'Show details'}>
                        <ActionIcon
                          variant="subtle"
                          color="gray"
                          onClick={() => toggle(event.id)}
                          aria-expanded={expanded}
                          aria-controls={`audit-details-${event.id}`}
                          aria-label={expanded ? 'Hide details' : 'Show details'}
                        >
                          {expanded ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
                        </ActionIcon>
                      </Tooltip>
                    </Table.Td>
                  ) : null}
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatTimestamp(event.at)}</Table.Td>
                  <Table.Td>
                    <Text size="sm" truncate="end" title={actorText(event)}>
                      {actorText(event)}
                    </Text>
                    {actorText(event) !== event.actorType ? (
                      <Text size="xs" c="dimmed">
                        {event.actorType}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <Code
                      title={event.action}
                      style={{
                        display: 'inline-block',
                        maxWidth: '100%',
                        overflow: 'hidden',
                        textOverflow: 'ellipsis',
                        whiteSpace: 'nowrap',
                        verticalAlign: 'bottom',
                      }}
                    >
                      {event.action}
                    </Code>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" truncate="end" title={targetText(event)}>
                      {targetText(event)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <OutcomeBadge outcome={event.outcome} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" truncate="end" title={event.ip ?? undefined}>
                      {event.ip ?? '—'}
                    </Text>
                  </Table.Td>
                </Table.Tr>
                {expandable && expanded ? (
                  <Table.Tr id={`audit-details-${event.id}`}>
                    <Table.Td colSpan={columns}>
                      {event.userAgent ? (
                        <Text size="xs" c="dimmed" mb={4} style={{ overflowWrap: 'anywhere' }}>
                          User agent: {event.userAgent}
                        </Text>
                      ) : null}
                      <Code block aria-label="Event details" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                        {JSON.stringify(event.details ?? {}, null, 2)}
                      </Code>
                    </Table.Td>
                  </Table.Tr>
                ) : null}
              </Fragment>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
