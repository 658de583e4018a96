import { Anchor, Button, Code, Group, NativeSelect, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { IconArrowLeft } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import type { Credential } from '../../../shared/api/sign-in-types';
import type { AllowedTransition, Employee, HardwareKeyDetail, TransitionResult } from '../../../shared/api/types';
import { queryKeys } from '../../../shared/query-keys';
import { formatDateTime } from '../../../shared/components/format';
import { notifyError, notifySuccess } from '../../../shared/components/notify';
import { QueryState } from '../../../shared/components/QueryState';
import { useEmployeeCredentials } from '../../api/employee-access';
import { employeeLabel, useAccessProfiles, useAssignKeyProfile, useEmployeesById, useHardwareKey, useKeyAccessProfile } from '../../api/hardware-keys';
import { Fact } from '../../components/Fact';
import { PageHeader } from '../../components/PageHeader';
import { ActivationCodeModal, type IssuedCode } from './ActivationCodeModal';
import { actionLabel, KeyStateBadge, stateHints, stateLabels } from './key-format';
import { TransitionModal } from './TransitionModal';

function EmployeeLink({ id }: { id: string | null }) {
  const employees = useEmployeesById([id]);
  if (!id) return <span data-testid="key-employee">Nobody (in stock)</span>;
  const e = employees.get(id);
  return (
    <Anchor component={Link} to={`/employees/${id}`} size="sm" data-testid="key-employee">
      {e ? `${employeeLabel(e)} (${e.email})` : 'Employee'}
    </Anchor>
  );
}

/** The WebAuthn credentials bound to the key, named as the employee's sign-in methods list them. */
function BoundCredentials({ k }: { k: HardwareKeyDetail }) {
  // A key with credentials is always assigned: they are its employee's.
  if (k.employeeId && k.credentialIds.length > 0) return <BoundCredentialList k={k} employeeId={k.employeeId} />;
  return <CredentialsSection k={k} known={new Map()} />;
}

function BoundCredentialList({ k, employeeId }: { k: HardwareKeyDetail; employeeId: string }) {
  const credentials = useEmployeeCredentials(employeeId);
  return <CredentialsSection k={k} known={new Map((credentials.data?.items ?? []).map((c) => [c.id, c]))} />;
}

function CredentialsSection({ k, known }: { k: HardwareKeyDetail; known: Map<string, Credential> }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Bound credentials">
      <Title order={2} size="h4" mb="xs">
        Bound FIDO credentials
      </Title>
      {k.credentialIds.length === 0 ? (
        <Text size="sm" c="dimmed">
          {k.state === 'reserved'
            ? 'None yet: the key is bound when its employee activates it on /enroll with the activation code.'
            : 'None. A key signs in only with a credential bound to it while it is Active.'}
        </Text>
      ) : (
        <Table aria-label="Bound credentials">
          <Table.Tbody>
            {k.credentialIds.map((id) => {
              const c = known.get(id);
              return (
                <Table.Tr key={id}>
                  <Table.Td>{c?.name ?? 'Security key'}</Table.Td>
                  <Table.Td>
                    <Text size="xs" c="dimmed">
                      {c ? `registered ${formatDateTime(c.createdAt)}` : ''}
                      {c?.lastUsedAt ? `, last used ${formatDateTime(c.lastUsedAt)}` : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Code>{id}</Code>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
    </Paper>
  );
}

/** The profile in force for the key (its own, the default, or the built-in), and a choice to change it. */
function AccessProfileCard({ k }: { k: HardwareKeyDetail }) {
  const effective = useKeyAccessProfile(k.id);
  const profiles = useAccessProfiles();
  const assign = useAssignKeyProfile(k.id);
  const e = effective.data;
  const source = e?.source === 'key' ? 'its own' : e?.source === 'default' ? 'the default profile' : 'built-in default: no profile applies';
  const options = [
    { value: '', label: 'None of its own (the default applies)' },
    ...(profiles.data ?? []).map((p) => ({ value: p.id, label: p.isDefault ? `${p.name} (default)` : p.name })),
  ];
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Access profile">
      <Title order={2} size="h4" mb="xs">
        Access profile
      </Title>
      {e ? (
        <Text size="sm" mb="sm" data-testid="effective-profile">
          In force: <strong>{e.name}</strong> ({source}). User verification {e.userVerificationRequired ? 'required' : 'not required'}; minimum PIN length{' '}
          {e.minPinLength ?? 'any'}; {e.allowedAaguids.length ? `${e.allowedAaguids.length} allowed model(s)` : 'any model'}; re-authentication every{' '}
          {e.reauthMinutes} minutes.
        </Text>
      ) : null}
      <NativeSelect
        label="Its own profile"
        data={options}
        value={k.accessProfileId ?? ''}
        disabled={assign.isPending || k.state === 'compromised'}
        onChange={(ev) =>
          assign.mutate(ev.currentTarget.value || null, {
            onSuccess: (p) => notifySuccess(`Key ${k.serial} now follows ${p.name}.`, 'Access profile changed'),
            onError: (err) => notifyError(err, 'Could not change the access profile'),
          })
        }
        maw={360}
      />
    </Paper>
  );
}

/** Every transition of the key, newest first (as the API answers them), with who, when and why. */
function History({ k }: { k: HardwareKeyDetail }) {
  const employees = useEmployeesById(k.history.map((h) => h.employeeId));
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="History">
      <Title order={2} size="h4" mb="xs">
        History
      </Title>
      <Table.ScrollContainer minWidth={700}>
        <Table aria-label="Key history" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>When</Table.Th>
              <Table.Th>Change</Table.Th>
              <Table.Th>By</Table.Th>
              <Table.Th>Employee</Table.Th>
              <Table.Th>Reason</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {k.history.map((h) => {
              const e = h.employeeId ? employees.get(h.employeeId) : undefined;
              return (
                <Table.Tr key={`${h.at}-${h.from}-${h.to}`} data-testid="history-row">
                  <Table.Td>{formatDateTime(h.at)}</Table.Td>
                  <Table.Td>{h.from ? `${stateLabels[h.from]} → ${stateLabels[h.to]}` : `${stateLabels[h.to]} (created)`}</Table.Td>
                  <Table.Td>{h.actor.label ?? (h.actor.type === 'system' ? 'Tessera' : h.actor.type)}</Table.Td>
                  <Table.Td>{e ? employeeLabel(e) : h.employeeId ? 'Employee' : '—'}</Table.Td>
                  <Table.Td>{h.reason}</Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

/** What Compromised and Deactivated did besides the state change, as the server reported it. */
function reportOutcome(result: TransitionResult, serial: string) {
  if (result.compromise) {
    const c = result.compromise;
    const parts = [`${c.credentialsRevoked} credential(s) revoked`, c.sessionsEnded ? 'sessions ended' : 'no employee: no session to end'];
    parts.push(`${c.passwordsRotated} password(s) rotated`);
    if (c.passwordsFailed > 0) notifyError(new Error(`${c.passwordsFailed} password(s) could not be rotated; see the audit log.`), 'Rotation failed');
    notifySuccess(`${parts.join(', ')}.`, `Key ${serial} marked compromised`);
  } else if (result.deactivation) {
    const d = result.deactivation;
    notifySuccess(`${d.passwordsRotated} password(s) rotated${d.passwordsFailed ? `, ${d.passwordsFailed} failed` : ''}.`, `Key ${serial} deactivated`);
  } else notifySuccess(`Key ${serial} is now ${stateLabels[result.key.state]}.`, 'Key updated');
}

/** One key: its facts, who holds it, its credentials, profile and history, and only the actions its state allows. */
export function HardwareKeyDetailPage() {
  const { id = '' } = useParams();
  const key = useHardwareKey(id);
  const [acting, setActing] = useState<AllowedTransition | null>(null);
  const [issued, setIssued] = useState<IssuedCode | null>(null);
  const qc = useQueryClient();
  const k = key.data;

  const done = (result: TransitionResult, t: AllowedTransition, opts: { mailed: boolean; employeeId: string | null }) => {
    setActing(null);
    if (result.activationCode) {
      // The employee picker (or the employee link) has fetched them already.
      const e = opts.employeeId ? qc.getQueryData<Employee>(queryKeys.employee(opts.employeeId)) : undefined;
      setIssued({
        code: result.activationCode,
        serial: result.key.serial,
        employee: e ? employeeLabel(e) : 'the employee',
        expiresAt: result.key.activation?.expiresAt ?? null,
        mailed: opts.mailed,
      });
    }
    if (t.action !== 'reserve' || !result.activationCode) reportOutcome(result, result.key.serial);
  };

  return (
    <>
      <Anchor component={Link} to="/hardware-keys" size="sm" mb="sm" display="inline-flex" style={{ alignItems: 'center', gap: 4 }}>
        <IconArrowLeft size={14} /> Back to hardware keys
      </Anchor>
      <PageHeader
        title={k ? `Key ${k.serial}` : 'Hardware key'}
        description={k ? [k.model, k.batch ? `batch ${k.batch}` : null].filter(Boolean).join(', ') : undefined}
      />
      <QueryState query={key} />
      {k ? (
        <Stack>
          <Paper withBorder p="md" radius="md" component="section" aria-label="Facts">
            <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }}>
              <Fact label="State">
                <Group gap={6}>
                  <KeyStateBadge state={k.state} />
                  <Text size="xs" c="dimmed">
                    {stateHints[k.state]}
                  </Text>
                </Group>
              </Fact>
              <Fact label="Employee">
                <EmployeeLink id={k.employeeId} />
              </Fact>
              <Fact label="Serial">{k.serial}</Fact>
              <Fact label="Model">{k.model ?? '—'}</Fact>
              <Fact label="AAGUID">{k.aaguid ? <Code>{k.aaguid}</Code> : '—'}</Fact>
              <Fact label="Badge / RFID">{k.badge ?? '—'}</Fact>
              <Fact label="Batch">{k.batch ?? '—'}</Fact>
              <Fact label="State since">{formatDateTime(k.stateChangedAt)}</Fact>
              <Fact label="Activation code">
                {k.activation
                  ? `pending until ${formatDateTime(k.activation.expiresAt)}, ${k.activation.attempts} failed tr${k.activation.attempts === 1 ? 'y' : 'ies'}`
                  : 'none'}
              </Fact>
              <Fact label="In inventory since">{formatDateTime(k.createdAt)}</Fact>
            </SimpleGrid>
          </Paper>
          <Paper withBorder p="md" radius="md" component="section" aria-label="Actions">
            <Title order={2} size="h4" mb="xs">
              Actions
            </Title>
            {k.allowedTransitions.length === 0 ? (
              <Text size="sm" c="dimmed">
                None: a compromised key never leaves that state.
              </Text>
            ) : (
              <Group gap="sm">
                {k.allowedTransitions.map((t) => (
                  <Button
                    key={`${t.action}-${t.to}`}
                    variant={t.action === 'report_compromised' ? 'outline' : 'light'}
                    color={t.action === 'report_compromised' || t.action === 'deactivate' ? 'red' : undefined}
                    onClick={() => setActing(t)}
                  >
                    {actionLabel(t)}
                  </Button>
                ))}
              </Group>
            )}
            {k.state === 'reserved' ? (
              // A sentence, not a one-word state: a badge would not wrap it on a phone.
              <Text size="sm" c="dimmed" mt="sm">
                Waiting for the employee to activate it on /enroll
              </Text>
            ) : null}
          </Paper>
          <BoundCredentials k={k} />
          <AccessProfileCard k={k} />
          <History k={k} />
          <TransitionModal hardwareKey={k} transition={acting} onClose={() => setActing(null)} onDone={done} />
        </Stack>
      ) : null}
      <ActivationCodeModal issued={issued} onClose={() => setIssued(null)} />
    </>
  );
}
