import { Badge, Tabs } from '@mantine/core';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useWorkstationCounts } from '../../api/workstations';
import { PageHeader } from '../../components/PageHeader';

/** The tabs of /workstations, each its own address so that a link (the banner's, the dashboard's) opens it. */
const tabs = [
  { to: '/workstations', label: 'Workstations' },
  { to: '/workstations/tokens', label: 'Enrolment tokens' },
  { to: '/workstations/profiles', label: 'Profiles' },
  { to: '/workstations/sessions', label: 'Sessions' },
  { to: '/workstations/events', label: 'Events' },
  { to: '/workstations/summaries', label: 'Summaries' },
  { to: '/workstations/emergency', label: 'Emergency block' },
];

/** Workstations: the computers whose agents report to Tessera, how they join, their rules and what they saw. */
export function WorkstationsPage() {
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const counts = useWorkstationCounts();
  const c = counts.data;
  const current = tabs.find((t) => t.to === pathname.replace(/\/+$/, ''))?.to ?? '/workstations';

  return (
    <>
      <PageHeader
        title="Workstations"
        description={c ? `${c.total} ${c.total === 1 ? 'workstation' : 'workstations'}, ${c.online} online, ${c.pending} waiting for approval` : undefined}
      />
      <Tabs value={current} onChange={(to) => to && navigate(to)} mb="md">
        <Tabs.List>
          {tabs.map((t) => (
            <Tabs.Tab
              key={t.to}
              value={t.to}
              rightSection={
                t.to === '/workstations' && c && c.pending > 0 ? (
                  <Badge size="xs" color="yellow" circle aria-label={`${c.pending} pending`}>
                    {c.pending}
                  </Badge>
                ) : null
              }
            >
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Outlet />
    </>
  );
}
