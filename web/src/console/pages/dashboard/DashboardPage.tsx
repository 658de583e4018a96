import { Anchor, Group, Paper, Progress, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useDashboard } from '../../api/dashboard';
import { useWorkstationCounts } from '../../api/workstations';
import { AuditTable } from '../../components/AuditTable';
import { PageHeader } from '../../components/PageHeader';
import { HardwareKeyTiles } from '../hardware-keys/HardwareKeyTiles';
import { useIdpInfo } from '../../api/saml';
import { RolloverNotice } from '../saml/RolloverNotice';
import { CertificatesCard, DirectorySyncCard, MailHealthCard } from './HealthCards';
import { QueryState } from '../../../shared/components/QueryState';
import type { Dashboard } from '../../../shared/api/types';

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

/** The passwordless rollout among active employees: the share enrolled, each state (linking to the filtered list), the largest departments. */
function RolloutCard({ rollout }: { rollout: Dashboard['rollout'] }) {
  const { counts } = rollout;
  const list = (state: string, departmentId?: string) => `/employees?status=active&enrolment=${state}${departmentId ? `&departmentId=${departmentId}` : ''}`;
  // A department's count opens its employees in that state; "no department" cannot be filtered on, so its counts stay text.
  const countLink = (n: number, state: string, departmentId: string | undefined) =>
    departmentId && n > 0 ? (
      <Anchor component={Link} to={list(state, departmentId)} aria-label={`${n} ${state.replace(/_/g, ' ')}`}>
        {n}
      </Anchor>
    ) : (
      n
    );
  return (
    <section aria-label="Rollout">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          Rollout
        </Title>
        <Anchor component={Link} to={list('never_invited')} size="sm">
          Who has not been invited
        </Anchor>
      </Group>
      <Paper withBorder p="md" radius="md" mb="sm">
        <Group justify="space-between" mb={6}>
          <Text fw={600} id="rollout-progress-label">
            {rollout.enrolledPercent} % enrolled
          </Text>
          <Text size="sm" c="dimmed">
            {counts.enrolled} of {rollout.total} active employees hold a passkey or security key that signs in
          </Text>
        </Group>
        <Progress value={rollout.enrolledPercent} color="teal" size="lg" aria-label={`${rollout.enrolledPercent} % of active employees enrolled`} />
      </Paper>
      <SimpleGrid cols={{ base: 2, md: 4 }} mb="sm">
        <Stat label="Enrolled" value={counts.enrolled} color="teal" link={{ to: list('enrolled'), label: 'See enrolled' }} />
        <Stat label="Invited" value={counts.invited} color="blue" link={{ to: list('invited'), label: 'See invited' }} />
        <Stat
          label="Invitation expired"
          value={counts.invitation_expired}
          color={counts.invitation_expired > 0 ? 'orange' : undefined}
          link={{ to: list('invitation_expired'), label: 'See whose invitation expired' }}
        />
        <Stat label="Never invited" value={counts.never_invited} link={{ to: list('never_invited'), label: 'See never invited' }} />
      </SimpleGrid>
      {rollout.byDepartment.length > 0 ? (
        <Paper withBorder radius="md">
          <Table aria-label="Rollout by department">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Department</Table.Th>
                <Table.Th>Enrolled</Table.Th>
                <Table.Th>Invited</Table.Th>
                <Table.Th>Invitation expired</Table.Th>
                <Table.Th>Never invited</Table.Th>
                <Table.Th w="25%">Progress</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rollout.byDepartment.map((d) => (
                <Table.Tr key={d.department?.id ?? 'none'}>
                  <Table.Td>
                    {d.department ? (
                      <Anchor component={Link} to={`/employees?status=active&departmentId=${d.department.id}`}>
                        {d.department.name}
                      </Anchor>
                    ) : (
                      <Text c="dimmed">No department</Text>
                    )}
                  </Table.Td>
                  <Table.Td>{countLink(d.counts.enrolled, 'enrolled', d.department?.id)}</Table.Td>
                  <Table.Td>{countLink(d.counts.invited, 'invited', d.department?.id)}</Table.Td>
                  <Table.Td>{countLink(d.counts.invitation_expired, 'invitation_expired', d.department?.id)}</Table.Td>
                  <Table.Td>{countLink(d.counts.never_invited, 'never_invited', d.department?.id)}</Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Progress
                        value={d.enrolledPercent}
                        color="teal"
                        flex={1}
                        aria-label={`${d.department?.name ?? 'No department'}: ${d.enrolledPercent} % enrolled`}
                      />
                      <Text size="xs" c="dimmed">
                        {d.enrolledPercent} %
                      </Text>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      ) : null}
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
          <RolloutCard rollout={data.rollout} />
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <DirectorySyncCard domains={data.directorySync} />
            <MailHealthCard mail={data.mail} />
          </SimpleGrid>
          <CertificatesCard certificates={data.certificates} />
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
