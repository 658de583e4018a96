import { Alert, Anchor, Badge, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { formatDate, formatDateTime } from '../../../shared/components/format';
import type { Dashboard } from '../../../shared/api/types';

const RUN_COLOR: Record<string, string> = {
  succeeded: 'teal',
  failed: 'red',
  awaiting_confirmation: 'orange',
  running: 'blue',
  cancelled: 'gray',
  confirmed: 'gray',
};
const RUN_LABEL: Record<string, string> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  awaiting_confirmation: 'Waits for confirmation',
  running: 'Running',
  cancelled: 'Cancelled',
  confirmed: 'Confirmed',
};

/** "12 created, 3 updated" from a run's counts, zeros left out. */
const countsText = (counts: Record<string, number>) =>
  Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`)
    .join(', ') || 'no changes';

/** Each directory domain's sync: the last run, the next scheduled one, and held runs with a link to confirm them. */
export function DirectorySyncCard({ domains }: { domains: Dashboard['directorySync'] }) {
  return (
    <section aria-label="Directory sync">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          Directory sync
        </Title>
        <Anchor component={Link} to="/settings/domains" size="sm">
          Domains
        </Anchor>
      </Group>
      {domains.length === 0 ? (
        <Paper withBorder p="md" radius="md">
          <Text size="sm" c="dimmed">
            No directory is connected: employees are added by hand.{' '}
            <Anchor component={Link} to="/settings/domains">
              Connect Active Directory or Entra ID
            </Anchor>
          </Text>
        </Paper>
      ) : (
        <Stack gap="sm">
          {domains.map((d) => (
            <Paper withBorder p="md" radius="md" key={d.domain.id} role="group" aria-label={`Sync of ${d.domain.name}`}>
              <Group justify="space-between" wrap="wrap">
                <Text fw={600}>{d.domain.name}</Text>
                {d.lastRun ? (
                  <Badge color={RUN_COLOR[d.lastRun.status] ?? 'gray'}>{RUN_LABEL[d.lastRun.status] ?? d.lastRun.status}</Badge>
                ) : (
                  <Badge color="gray">Never synced</Badge>
                )}
              </Group>
              <Text size="sm">
                Last run:{' '}
                {d.lastRun
                  ? `${formatDateTime(d.lastRun.finishedAt ?? d.lastRun.startedAt)} (${d.lastRun.trigger}), ${countsText(d.lastRun.counts)}`
                  : 'none yet'}
              </Text>
              {d.lastRun?.status === 'failed' && d.lastRun.error ? (
                <Text size="sm" c="red">
                  {d.lastRun.error}
                </Text>
              ) : null}
              <Text size="sm" c="dimmed">
                {d.schedule === 'scheduled'
                  ? `Next scheduled run: ${formatDateTime(d.nextRunAt)} (every ${d.intervalMinutes} min)`
                  : d.schedule === 'on_demand'
                    ? 'No schedule: syncs run only when started'
                    : 'Not scheduled: no bind password or client secret is saved'}
              </Text>
              {d.heldRuns.length > 0 ? (
                <Alert color="orange" mt="xs" title={`${d.heldRuns.length === 1 ? 'A sync waits' : `${d.heldRuns.length} syncs wait`} for your confirmation`}>
                  <Text size="sm">
                    Held {formatDateTime(d.heldRuns[0].startedAt)}: it would apply {countsText(d.heldRuns[0].counts)}, more removals than the domain's threshold
                    allows.{' '}
                    <Anchor component={Link} to={`/settings/domains?domain=${d.domain.id}`}>
                      Review and confirm
                    </Anchor>
                  </Text>
                </Alert>
              ) : null}
            </Paper>
          ))}
        </Stack>
      )}
    </section>
  );
}

/** Outgoing mail: configured or not, the last send, the last failure in words, failures in the last 24 hours. */
export function MailHealthCard({ mail }: { mail: Dashboard['mail'] }) {
  const color = !mail.isConfigured ? 'orange' : mail.lastAttempt?.outcome === 'failed' ? 'red' : 'teal';
  const label = !mail.isConfigured
    ? 'Not configured'
    : !mail.lastAttempt
      ? 'Nothing sent yet'
      : mail.lastAttempt.outcome === 'sent'
        ? 'Working'
        : 'Last send failed';
  return (
    <section aria-label="Outgoing mail">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          Outgoing mail
        </Title>
        <Anchor component={Link} to="/settings" size="sm">
          SMTP settings
        </Anchor>
      </Group>
      <Paper withBorder p="md" radius="md">
        <Group justify="space-between" mb={4}>
          <Badge color={color}>{label}</Badge>
          <Text size="sm" c={mail.failuresLast24h > 0 ? 'red' : 'dimmed'}>
            {mail.failuresLast24h} failed {mail.failuresLast24h === 1 ? 'attempt' : 'attempts'} in the last 24 h
          </Text>
        </Group>
        {!mail.isConfigured ? (
          <Text size="sm">
            Invitations cannot go out until SMTP is set up{mail.pending > 0 ? `: ${mail.pending} mail waiting` : ''}.{' '}
            <Anchor component={Link} to="/settings">
              Set up SMTP
            </Anchor>
          </Text>
        ) : (
          <Text size="sm">
            Last send: {mail.lastAttempt ? `${formatDateTime(mail.lastAttempt.at)}, ${mail.lastAttempt.outcome === 'sent' ? 'sent' : 'failed'}` : 'none yet'}
            {mail.pending > 0 ? ` · ${mail.pending} waiting` : ''}
          </Text>
        )}
        {mail.lastFailure ? (
          <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            Last failure {formatDateTime(mail.lastFailure.at)}: {mail.lastFailure.error}
          </Text>
        ) : null}
      </Paper>
    </section>
  );
}

/** The signing certificates: days left, a warning under 30 days with no rollover published, a link to renew. */
export function CertificatesCard({ certificates }: { certificates: Dashboard['certificates'] }) {
  return (
    <section aria-label="Signing certificates">
      <Title order={2} size="h4" mb="sm">
        Signing certificates
      </Title>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {certificates.map((c) => (
          <Paper withBorder p="md" radius="md" key={c.fingerprint} role="group" aria-label={c.label}>
            <Group justify="space-between" mb={4} wrap="wrap">
              <Text fw={600}>{c.label}</Text>
              <Badge color={c.isExpiringSoon ? 'red' : c.next ? 'blue' : 'teal'}>
                {c.daysLeft < 0 ? 'Expired' : c.isExpiringSoon ? `${c.daysLeft} days left` : c.next ? 'Rollover under way' : 'Valid'}
              </Badge>
            </Group>
            <Text size="sm">
              Expires {formatDate(c.expiresAt)} ({c.daysLeft} days)
            </Text>
            {c.next ? (
              <Text size="sm" c="dimmed">
                The next certificate is published and signs from {formatDate(c.next.activatesAt)}.
              </Text>
            ) : null}
            {c.isExpiringSoon ? (
              <Text size="sm" c="red">
                Start a rollover now, so that applications pick up the next certificate before this one expires.{' '}
                <Anchor component={Link} to={c.renewPath}>
                  Renew it
                </Anchor>
              </Text>
            ) : (
              <Anchor component={Link} to={c.renewPath} size="sm">
                Certificate and rollover
              </Anchor>
            )}
          </Paper>
        ))}
      </SimpleGrid>
    </section>
  );
}
