import { ActionIcon, Alert, Anchor, Badge, Button, Card, CopyButton, Group, Progress, Stack, Text, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy, IconEye, IconEyeOff, IconKey, IconNotes, IconPencil, IconTrash } from '@tabler/icons-react';
import type { VaultAccount } from '../../shared/api/vault-types';
import { formatDateTime } from '../../shared/components/format';
import { CLIPBOARD_MS, useReveal, type Revealed } from './use-reveal';

const wrap = { overflowWrap: 'anywhere', wordBreak: 'break-word' } as const;

/** What the passkey check opened: the value with its countdown, or the OTP code with its own. */
function RevealedValue({ name, revealed, now, onHide }: { name: string; revealed: Revealed; now: number; onHide: () => void }) {
  if (revealed.field === 'otp') {
    const { otp } = revealed;
    const current = now < Date.parse(otp.validUntil) ? { code: otp.code, until: otp.validUntil } : { code: otp.next.code, until: otp.next.validUntil };
    const left = Math.max(0, Math.ceil((Date.parse(current.until) - now) / 1000));
    return (
      <Stack gap={4} p="xs" bg="var(--mantine-color-gray-light)" style={{ borderRadius: 'var(--mantine-radius-sm)' }}>
        <Group justify="space-between" wrap="nowrap">
          <Text ff="monospace" size="xl" fw={700} aria-label={`One-time code of ${name}`} data-testid="otp-code" style={{ letterSpacing: '0.15em' }}>
            {current.code}
          </Text>
          <Group gap={4} wrap="nowrap">
            <CopyButton value={current.code}>
              {({ copied, copy }) => (
                <Tooltip label={copied ? 'Copied' : 'Copy code'}>
                  <ActionIcon variant="subtle" onClick={copy} aria-label="Copy code">
                    {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                  </ActionIcon>
                </Tooltip>
              )}
            </CopyButton>
            <ActionIcon variant="subtle" onClick={onHide} aria-label="Hide code">
              <IconEyeOff size={16} />
            </ActionIcon>
          </Group>
        </Group>
        <Progress value={(left / otp.period) * 100} size="sm" aria-hidden />
        <Text size="xs" c="dimmed">
          Changes in {left} s{current.code === otp.code ? '; the next code follows, then it is hidden' : '; then it is hidden'}
        </Text>
      </Stack>
    );
  }
  const left = Math.max(0, Math.ceil((revealed.hideAt - now) / 1000));
  const label = revealed.field === 'password' ? `Password of ${name}` : `Notes of ${name}`;
  return (
    <Stack gap={4} p="xs" bg="var(--mantine-color-gray-light)" style={{ borderRadius: 'var(--mantine-radius-sm)' }}>
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Text ff="monospace" size="sm" aria-label={label} data-testid={`revealed-${revealed.field}`} style={{ ...wrap, whiteSpace: 'pre-wrap' }}>
          {revealed.value}
        </Text>
        <ActionIcon variant="subtle" onClick={onHide} aria-label={revealed.field === 'password' ? 'Hide password' : 'Hide notes'}>
          <IconEyeOff size={16} />
        </ActionIcon>
      </Group>
      <Text size="xs" c="dimmed">
        Hidden again in {left} s
      </Text>
    </Stack>
  );
}

/** One account of "My accounts": what it is, and the reveal, copy and code buttons (each a passkey check). */
export function VaultAccountCard({ account, onEdit, onDelete }: { account: VaultAccount; onEdit: () => void; onDelete: () => void }) {
  const r = useReveal(account.id);
  const busy = (field: string, purpose: 'reveal' | 'copy') => r.pending?.field === field && r.pending.purpose === purpose;
  const anyPending = r.pending !== null;
  const kindBadge =
    account.kind === 'shared' ? (
      <Badge variant="light" color="grape">
        Shared
      </Badge>
    ) : account.kind === 'directory' ? (
      <Badge variant="light" color="blue">
        Directory
      </Badge>
    ) : null;

  return (
    <Card component="li" withBorder radius="md" padding="sm" aria-label={account.name} data-testid="vault-account">
      <Stack gap="xs">
        <Group justify="space-between" gap="xs" wrap="wrap" align="flex-start">
          <Text fw={600} style={wrap}>
            {account.name}
          </Text>
          <Group gap={4}>
            {kindBadge}
            {account.isReadOnly ? (
              <Badge variant="outline" color="gray">
                Read-only
              </Badge>
            ) : null}
            {account.workstationUse ? (
              <Badge variant="light" color="teal">
                Workstation logon
              </Badge>
            ) : null}
          </Group>
        </Group>
        {account.login ? (
          <Group gap={4} wrap="nowrap">
            <Text size="sm" c="dimmed">
              Login:
            </Text>
            <Text size="sm" style={wrap}>
              {account.login}
            </Text>
            <CopyButton value={account.login}>
              {({ copied, copy }) => (
                <ActionIcon variant="subtle" size="sm" onClick={copy} aria-label={copied ? 'Login copied' : 'Copy login'}>
                  {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
                </ActionIcon>
              )}
            </CopyButton>
          </Group>
        ) : null}
        {account.urls.map((url) => (
          <Anchor key={url} href={url} target="_blank" rel="noopener noreferrer" size="sm" style={wrap}>
            {url}
          </Anchor>
        ))}
        {account.kind === 'shared' ? (
          <Text size="xs" c="dimmed">
            Shared with you by your administrator, who keeps it up to date.
          </Text>
        ) : null}
        {account.kind === 'directory' ? (
          <Text size="xs" c="dimmed">
            {account.hasPassword
              ? `Your domain account. Tessera changes its password${account.passwordChangedAt ? ` (last on ${formatDateTime(account.passwordChangedAt)})` : ''}; your security key types it at workstation logon.`
              : 'Your domain account. Tessera does not manage its password, so there is nothing to show here.'}
          </Text>
        ) : null}
        {r.revealed ? <RevealedValue name={account.name} revealed={r.revealed} now={r.now} onHide={r.hide} /> : null}
        {r.copied ? (
          <Alert color="teal" variant="light" p="xs" withCloseButton onClose={r.hide} role="status">
            {r.copied === 'password' ? 'Password' : 'Notes'} copied. The clipboard is cleared in {CLIPBOARD_MS / 1000} seconds if it still holds it.
          </Alert>
        ) : null}
        {r.problem ? (
          <Alert color="red" title={r.problem.title} withCloseButton onClose={r.dismissProblem} p="xs" role="alert">
            {r.problem.message}
          </Alert>
        ) : null}
        <Group gap="xs">
          {account.hasPassword ? (
            <>
              <Button
                size="compact-sm"
                variant="light"
                leftSection={<IconEye size={14} />}
                loading={busy('password', 'reveal')}
                disabled={anyPending}
                onClick={() => r.reveal('password')}
              >
                Show password
              </Button>
              <Button
                size="compact-sm"
                variant="light"
                leftSection={<IconCopy size={14} />}
                loading={busy('password', 'copy')}
                disabled={anyPending}
                onClick={() => r.copy('password')}
              >
                Copy password
              </Button>
            </>
          ) : null}
          {account.hasOtp ? (
            <Button
              size="compact-sm"
              variant="light"
              leftSection={<IconKey size={14} />}
              loading={busy('otp', 'reveal')}
              disabled={anyPending}
              onClick={() => r.reveal('otp')}
            >
              Show code
            </Button>
          ) : null}
          {account.hasNotes ? (
            <Button
              size="compact-sm"
              variant="light"
              leftSection={<IconNotes size={14} />}
              loading={busy('notes', 'reveal')}
              disabled={anyPending}
              onClick={() => r.reveal('notes')}
            >
              Show notes
            </Button>
          ) : null}
          {account.kind === 'personal' ? (
            <>
              <Button size="compact-sm" variant="default" leftSection={<IconPencil size={14} />} onClick={onEdit}>
                Edit
              </Button>
              <Button size="compact-sm" variant="subtle" color="red" leftSection={<IconTrash size={14} />} onClick={onDelete}>
                Delete
              </Button>
            </>
          ) : null}
        </Group>
      </Stack>
    </Card>
  );
}
