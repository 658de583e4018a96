import { Anchor, Button, Checkbox, Group, Paper, Select, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconCircleCheck, IconInfoCircle } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../../shared/api/client';
import type { TransitionResult } from '../../../shared/api/types';
import { formatDateTime } from '../../../shared/components/format';
import { FormErrorSummary, useServerForm } from '../../components/forms';
import { queryKeys } from '../../../shared/query-keys';
import { useAddHardwareKey, useHardwareKeys } from '../../api/directory';
import { useHardwareKeyList, usePasswordRotation } from '../../api/hardware-keys';
import { ActivationCodeModal, type IssuedCode } from './ActivationCodeModal';
import { KeyStateBadge } from './key-format';

/** "Rotated" or why not, in the server's words (GET /api/employees/:id/password-rotation). */
function RotationLine({ employeeId }: { employeeId: string }) {
  const status = usePasswordRotation(employeeId).data;
  if (!status) return null;
  return (
    <Group gap={6} mb="sm" data-testid="password-rotation">
      {status.eligible ? <IconCircleCheck size={16} color="var(--mantine-color-teal-6)" /> : <IconInfoCircle size={16} color="var(--mantine-color-gray-6)" />}
      <Text size="sm">
        {status.eligible
          ? 'Password rotated by Tessera: the domain password is delivered to their Active key.'
          : `Password not rotated. ${status.reason ?? status.code}.`}
      </Text>
    </Group>
  );
}

/** Reserve a Ready key from stock for this employee: pick it by serial, say why; the activation code is shown once. */
function ReserveFromStock({ employeeId, employeeName, onIssued }: { employeeId: string; employeeName: string; onIssued: (i: IssuedCode) => void }) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 300);
  const [keyId, setKeyId] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [mailCode, setMailCode] = useState(false);
  const stock = useHardwareKeyList({ state: 'ready', q: debounced.trim() || undefined, page: 1, pageSize: 20 });
  const qc = useQueryClient();
  const form = useServerForm();
  const reserve = useMutation({
    mutationFn: () =>
      api<TransitionResult>(`/api/hardware-keys/${encodeURIComponent(keyId ?? '')}/transitions`, {
        method: 'POST',
        body: { to: 'reserved', reason: reason.trim(), employeeId, mailCode },
      }),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: queryKeys.hardwareKeys.all }),
        qc.invalidateQueries({ queryKey: queryKeys.dashboard }),
        qc.invalidateQueries({ queryKey: queryKeys.passwordRotation(employeeId) }),
      ]),
  });
  const options = (stock.data?.items ?? []).map((k) => ({ value: k.id, label: `${k.serial}${k.model ? ` (${k.model})` : ''}` }));

  const submit = () =>
    void form.submit(() => reserve.mutateAsync(), {
      onSuccess: (r) => {
        if (r.activationCode)
          onIssued({
            code: r.activationCode,
            serial: r.key.serial,
            employee: employeeName,
            expiresAt: r.key.activation?.expiresAt ?? null,
            mailed: mailCode,
          });
        setKeyId(null);
        setReason('');
        setMailCode(false);
      },
    });

  return (
    <Stack gap="xs" mt="sm" data-form-scope>
      <Text size="sm" fw={500}>
        Reserve a key from stock
      </Text>
      <FormErrorSummary form={form} title="Not reserved" />
      <Group align="flex-end" wrap="wrap">
        <Select
          label="Key in stock"
          placeholder="Type part of the serial"
          data={options}
          value={keyId}
          onChange={setKeyId}
          searchable
          searchValue={search}
          onSearchChange={setSearch}
          filter={({ options: all }) => all}
          nothingFoundMessage={stock.isFetching ? 'Searching…' : 'No Ready key matches: import keys on the Hardware keys page'}
          w={280}
          {...form.field('keyId')}
        />
        <Textarea
          label="Reason"
          autosize
          minRows={1}
          maxLength={500}
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          w={280}
          {...form.field('reason')}
        />
        <Button onClick={submit} disabled={!keyId || !reason.trim()} loading={form.saving}>
          Reserve
        </Button>
      </Group>
      <Checkbox label="Also e-mail the activation code to the employee" checked={mailCode} onChange={(e) => setMailCode(e.currentTarget.checked)} />
    </Stack>
  );
}

/** A key the employee already holds, registered by serial and Active at once (no activation code). */
function RegisterHeldKey({ employeeId }: { employeeId: string }) {
  const add = useAddHardwareKey(employeeId);
  const form = useServerForm();
  const [serial, setSerial] = useState('');
  return (
    <Stack gap="xs" mt="sm" data-form-scope>
      <FormErrorSummary form={form} title="Could not register the key" />
      <Group align="flex-end">
        <TextInput
          label="Register a key they already hold"
          description="By its serial number; it is Active at once, without an activation code"
          value={serial}
          onChange={(e) => setSerial(e.currentTarget.value)}
          w={320}
          {...form.field('serial')}
        />
        <Button
          variant="default"
          disabled={!serial.trim()}
          loading={form.saving}
          onClick={() =>
            void form.submit(() => add.mutateAsync(serial.trim()), { success: `Key ${serial.trim()} registered.`, onSuccess: () => setSerial('') })
          }
        >
          Register
        </Button>
      </Group>
    </Stack>
  );
}

/** The employee page's Hardware keys card: their keys and states, password rotation status, reserve one from stock. */
export function EmployeeKeysCard({ employeeId, employeeName }: { employeeId: string; employeeName: string }) {
  const keys = useHardwareKeys(employeeId);
  const [issued, setIssued] = useState<IssuedCode | null>(null);
  const list = keys.data ?? [];
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-label="Hardware keys">
      <Title order={4} mb="xs">
        Hardware keys
      </Title>
      <RotationLine employeeId={employeeId} />
      {list.length === 0 ? (
        <Text size="sm" c="dimmed">
          No hardware key yet. Reserve one from stock below; {employeeName} then activates it on /enroll with the activation code.
        </Text>
      ) : (
        <Table aria-label="Employee hardware keys">
          <Table.Tbody>
            {list.map((k) => (
              <Table.Tr key={k.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/hardware-keys/${k.id}`} size="sm" fw={500}>
                    {k.serial}
                  </Anchor>
                  <Text size="xs" c="dimmed">
                    {k.model ?? ''}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <KeyStateBadge state={k.state} />
                </Table.Td>
                <Table.Td>
                  <Text size="xs" c="dimmed">
                    since {formatDateTime(k.stateChangedAt)}
                    {k.activation ? `; activation code valid until ${formatDateTime(k.activation.expiresAt)}` : ''}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <ReserveFromStock employeeId={employeeId} employeeName={employeeName} onIssued={setIssued} />
      <RegisterHeldKey employeeId={employeeId} />
      <ActivationCodeModal issued={issued} onClose={() => setIssued(null)} />
    </Paper>
  );
}
