import { Anchor, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useDashboard } from '../../api/dashboard';
import { useIdpInfo } from '../../api/saml';
import { useWorkstationCounts } from '../../api/workstations';
import { AuditTable } from '../../components/AuditTable';
import { PageHeader } from '../../components/PageHeader';
import { HardwareKeyTiles } from '../hardware-keys/HardwareKeyTiles';
import { RolloverNotice } from '../saml/RolloverNotice';
import { QueryState } from '../../../shared/components/QueryState';

function Stat({ label, value, hint, color, link }: { label: string; value: number; hint?: string; color?: string; link?: { to: string; label: string } }) {
  const id = `stat-${label.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <Paper withBorder p="md" radius="md" role="group" aria-labelledby={id}>
      <Text id={id} size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text fw={700} fz={28} c={color}>
        {value}
      </Text>
      {hint ? (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      ) : null}
      {link ? (
        <Anchor component={Link} to={link.to} size="xs">
          {link.label}
        </Anchor>
      ) : null}
    </Paper>
  );
}

/** Workstations online, waiting for approval, and locked by the emergency block (GET /api/workstations/counts). */
function WorkstationTiles() {
  const counts = useWorkstationCounts();
  const c = counts.data;
  if (!c) return null;
  return (
    <section aria-label="Workstations">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          Workstations
        </Title>
        <Anchor component={Link} to="/workstations" size="sm">
          See all workstations
        </Anchor>
      </Group>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Stat label="Workstations online" value={c.online} hint={`of ${c.total} enrolled`} color="teal" />
        <Stat
          label="Pending approval"
          value={c.pending}
          color={c.pending > 0 ? 'yellow.7' : undefined}
          link={c.pending > 0 ? { to: '/workstations?status=pending', label: 'Review pending workstations' } : undefined}
        />
        <Stat
          label="Locked by the emergency block"
          value={c.emergencyBlocked}
          color={c.emergencyBlocked > 0 ? 'red' : undefined}
          link={c.emergencyBlocked > 0 ? { to: '/workstations/emergency', label: 'Emergency block' } : undefined}
        />
      </SimpleGrid>
    </section>
  );
}

/** A notice when a SAML signing-certificate rollover is under way or due; nothing otherwise. */
function SigningCertificateNotice() {
  const info = useIdpInfo();
  if (!info.data) return null;
  return <RolloverNotice rollover={info.data.rollover} quiet linkToSaml />;
}

export function DashboardPage() {
  const dashboard = useDashboard();
  const data = dashboard.data;

  return (
    <>
      <PageHeader title="Dashboard" />
      <QueryState query={dashboard} />
      {data ? (
        <Stack gap="xl">
          <SigningCertificateNotice />
          <section aria-label="Employees">
            <Title order={2} size="h4" mb="sm">
              Employees
            </Title>
            <SimpleGrid cols={{ base: 2, md: 4 }}>
              <Stat label="Total employees" value={data.employees.total} />
              <Stat label="Active" value={data.employees.active} color="teal" />
              <Stat label="Deactivated" value={data.employees.deactivated} color="yellow.7" />
              <Stat label="Disabled" value={data.employees.disabled} color="red" />
            </SimpleGrid>
          </section>
          <section aria-label="Access">
            <Title order={2} size="h4" mb="sm">
              Access
            </Title>
            <SimpleGrid cols={{ base: 2, md: 4 }}>
              <Stat label="Admins" value={data.admins} />
              <Stat label="Successful sign-ins today" value={data.signInsToday.success} color="teal" />
              <Stat label="Failed sign-ins today" value={data.signInsToday.failure} color="red" />
            </SimpleGrid>
          </section>
          <WorkstationTiles />
          <HardwareKeyTiles counts={data.hardwareKeys} />
          <section aria-label="Recent events">
            <Group justify="space-between" mb="sm">
              <Title order={2} size="h4">
                Recent events
              </Title>
              <Anchor component={Link} to="/audit" size="sm">
                See all events
              </Anchor>
            </Group>
            <Paper withBorder radius="md">
              <AuditTable events={data.recentEvents.slice(0, 10)} />
            </Paper>
          </section>
        </Stack>
      ) : null}
    </>
  );
}
