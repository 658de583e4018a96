import { Anchor, Badge, Paper, Tabs } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { QueryState } from '../../../shared/components/QueryState';
import { useWorkstationEvents, useWorkstationSessions } from '../../api/workstation-activity';
import { isCommandOpen, useWorkstationCommands } from '../../api/workstations';
import { Pager } from '../../components/Pager';
import { CommandsTable } from './CommandsTable';
import { EventsTable } from './EventsTable';
import { SessionsTable } from './SessionsTable';

const PAGE_SIZE = 20;
/** What agents report arrives on its own: the open tab asks again this often. */
const POLL_MS = 10_000;

function SessionsPanel({ workstationId }: { workstationId: string }) {
  const [page, setPage] = useState(1);
  const sessions = useWorkstationSessions({ workstationId, page, pageSize: PAGE_SIZE }, { refetchInterval: POLL_MS });
  return (
    <>
      <QueryState query={sessions} />
      {sessions.data ? (
        <>
          <SessionsTable sessions={sessions.data.items} hide="workstation" />
          <Pager page={page} pageSize={PAGE_SIZE} total={sessions.data.total} onChange={setPage} />
          <Anchor component={Link} to={`/workstations/sessions?workstationId=${workstationId}`} size="sm">
            All sessions of this workstation, with filters and CSV
          </Anchor>
        </>
      ) : null}
    </>
  );
}

function EventsPanel({ workstationId }: { workstationId: string }) {
  const [page, setPage] = useState(1);
  const events = useWorkstationEvents({ workstationId, page, pageSize: PAGE_SIZE }, { refetchInterval: POLL_MS });
  return (
    <>
      <QueryState query={events} />
      {events.data ? (
        <>
          <EventsTable events={events.data.items} hideWorkstation />
          <Pager page={page} pageSize={PAGE_SIZE} total={events.data.total} onChange={setPage} />
          <Anchor component={Link} to={`/workstations/events?workstationId=${workstationId}`} size="sm">
            All events of this workstation, with filters and CSV
          </Anchor>
        </>
      ) : null}
    </>
  );
}

/** The workstation's sessions, events and commands; the commands are asked every 2 s while one is on its way. */
export function WorkstationActivityTabs({ workstationId }: { workstationId: string }) {
  const [tab, setTab] = useState<string | null>('sessions');
  const commands = useWorkstationCommands(workstationId);
  const open = (commands.data ?? []).filter(isCommandOpen).length;

  return (
    <Paper withBorder radius="md" p="md">
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="sessions">Sessions</Tabs.Tab>
          <Tabs.Tab value="events">Events</Tabs.Tab>
          <Tabs.Tab
            value="commands"
            rightSection={
              open > 0 ? (
                <Badge size="xs" circle aria-label={`${open} on the way`}>
                  {open}
                </Badge>
              ) : null
            }
          >
            Commands
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="sessions">
          <SessionsPanel workstationId={workstationId} />
        </Tabs.Panel>
        <Tabs.Panel value="events">
          <EventsPanel workstationId={workstationId} />
        </Tabs.Panel>
        <Tabs.Panel value="commands">
          <QueryState query={commands} />
          {commands.data ? <CommandsTable commands={commands.data} /> : null}
        </Tabs.Panel>
      </Tabs>
    </Paper>
  );
}
