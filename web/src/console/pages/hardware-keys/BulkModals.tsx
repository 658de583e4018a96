import { Alert, Button, Code, CopyButton, Group, Modal, NativeSelect, Stack, Table, Text, Textarea } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { BulkKeyResult, HardwareKeyListItem } from '../../../shared/api/types';
import { useAccessProfiles, useBulkAssignProfile, useBulkReserve, useBulkSuspend } from '../../api/hardware-keys';
import { EmployeePicker } from '../../components/EmployeePicker';
import { FormErrorSummary, useServerForm } from '../../components/forms';

export type BulkAction = 'reserve' | 'suspend' | 'profile';

/** A selected key as the bulk dialogs show it (the selection may span pages: what the page knew of it). */
export type SelectedKey = Pick<HardwareKeyListItem, 'id' | 'serial' | 'state'>;

/** Each key's outcome, and the activation codes of the reserved ones (shown this once). */
function BulkReport({ result, keys, onClose }: { result: BulkKeyResult; keys: Map<string, SelectedKey>; onClose: () => void }) {
  const codes = result.items
    .filter((i) => i.activationCode)
    .map((i) => `${keys.get(i.keyId)?.serial ?? i.keyId}\t${i.activationCode}`)
    .join('\n');
  return (
    <Stack>
      {codes ? (
        <Alert color="yellow" icon={<IconAlertTriangle />}>
          The activation codes below will not be shown again. Copy them now and give each to its employee; each works for its key only.
        </Alert>
      ) : null}
      <Table aria-label="Bulk result" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Key</Table.Th>
            <Table.Th>Result</Table.Th>
            <Table.Th>Activation code / reason</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {result.items.map((i) => (
            <Table.Tr key={i.keyId}>
              <Table.Td>{keys.get(i.keyId)?.serial ?? i.keyId}</Table.Td>
              <Table.Td>{i.status === 'done' ? 'Done' : 'Refused'}</Table.Td>
              <Table.Td>{i.activationCode ? <Code>{i.activationCode}</Code> : (i.error?.message ?? '')}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group justify="space-between">
        {codes ? (
          <CopyButton value={codes}>
            {({ copied, copy }) => (
              <Button variant="light" leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />} onClick={copy}>
                {copied ? 'Copied' : 'Copy serials and codes'}
              </Button>
            )}
          </CopyButton>
        ) : (
          <span />
        )}
        <Button onClick={onClose}>Done</Button>
      </Group>
    </Stack>
  );
}

/**
 * Reserve (one employee per key), Suspend (one reason) or set the access profile of the selected
 * keys. Each key is done on its own by the server; the report says which were refused and why.
 */
export function BulkModal({ action, keys, onClose, onDone }: { action: BulkAction | null; keys: SelectedKey[]; onClose: () => void; onDone: () => void }) {
  const reserve = useBulkReserve();
  const suspend = useBulkSuspend();
  const assign = useBulkAssignProfile();
  const profiles = useAccessProfiles();
  const form = useServerForm();
  const [reason, setReason] = useState('');
  const [employees, setEmployees] = useState<Record<string, string>>({});
  const [profileId, setProfileId] = useState('');
  const [result, setResult] = useState<BulkKeyResult | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const byId = new Map(keys.map((k) => [k.id, k]));

  useEffect(() => {
    if (action) {
      setReason('');
      setEmployees({});
      setProfileId('');
      setResult(null);
      setSubmitted(false);
      reserve.reset();
      suspend.reset();
      assign.reset();
      form.clear();
    }
  }, [action]); // a fresh form each time the dialog opens

  const pending = form.saving;
  const ready = keys.filter((k) => k.state === 'ready');
  const close = () => {
    if (result) onDone();
    onClose();
  };

  const submit = () => {
    setSubmitted(true);
    if (action === 'profile') {
      void form.submit(() => assign.mutateAsync({ accessProfileId: profileId || null, keyIds: keys.map((k) => k.id) }), {
        onSuccess: (r) => {
          setResult({
            items: keys.map((k) =>
              r.notFound.includes(k.id)
                ? { keyId: k.id, status: 'refused', error: { code: 'hardware_keys.not_found', message: 'Hardware key was not found' } }
                : { keyId: k.id, status: 'done' },
            ),
          });
        },
      });
      return;
    }
    if (!reason.trim()) return;
    if (action === 'suspend') void form.submit(() => suspend.mutateAsync({ reason: reason.trim(), keyIds: keys.map((k) => k.id) }), { onSuccess: setResult });
    if (action === 'reserve') {
      const items = ready.filter((k) => employees[k.id]).map((k) => ({ keyId: k.id, employeeId: employees[k.id] }));
      if (items.length === 0) return;
      void form.submit(() => reserve.mutateAsync({ reason: reason.trim(), items }), { onSuccess: setResult });
    }
  };

  const title = action === 'reserve' ? 'Reserve keys' : action === 'suspend' ? 'Suspend keys' : 'Set access profile';
  return (
    <Modal opened={action !== null} onClose={close} title={title} size="xl" centered closeOnClickOutside={false}>
      {result ? (
        <BulkReport result={result} keys={byId} onClose={close} />
      ) : (
        <Stack>
          <FormErrorSummary form={form} title="The server refused" />
          {action === 'reserve' ? (
            <>
              <Text size="sm">
                Choose the employee each key is for. Each reserved key gets its own one-time activation code, shown after this step; the employee activates the
                key with it on /enroll.
                {ready.length < keys.length ? ` ${keys.length - ready.length} of the selected keys are not Ready and are left out.` : ''}
              </Text>
              <Table aria-label="Keys to reserve">
                <Table.Tbody>
                  {ready.map((k) => (
                    <Table.Tr key={k.id}>
                      <Table.Td>{k.serial}</Table.Td>
                      <Table.Td>
                        <EmployeePicker
                          label={`Employee for ${k.serial}`}
                          placeholder="Type a name or e-mail address"
                          activeOnly
                          value={employees[k.id] ?? ''}
                          onChange={(id) => setEmployees((e) => ({ ...e, [k.id]: id }))}
                          w={360}
                        />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              {submitted && ready.every((k) => !employees[k.id]) ? (
                <Text size="sm" c="red">
                  Choose an employee for at least one key
                </Text>
              ) : null}
            </>
          ) : null}
          {action === 'suspend' ? (
            <Text size="sm">
              {`Suspend ${keys.length} ${keys.length === 1 ? 'key' : 'keys'}? Sign-in and credential delivery with them are refused until they are resumed. Only Active keys can be suspended; the others are reported as refused.`}
            </Text>
          ) : null}
          {action === 'profile' ? (
            <NativeSelect
              label="Access profile"
              description={`For ${keys.length} ${keys.length === 1 ? 'key' : 'keys'}`}
              data={[
                { value: '', label: 'None of their own (the default applies)' },
                ...(profiles.data ?? []).map((p) => ({ value: p.id, label: p.isDefault ? `${p.name} (default)` : p.name })),
              ]}
              value={profileId}
              onChange={(e) => setProfileId(e.currentTarget.value)}
              {...form.field('accessProfileId')}
            />
          ) : (
            <Textarea
              label="Reason"
              description="Kept in each key's history and the audit log"
              required
              autosize
              minRows={2}
              maxLength={500}
              value={reason}
              onChange={(e) => setReason(e.currentTarget.value)}
              {...form.field('reason', submitted && !reason.trim() ? 'Say why' : null)}
            />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={pending}>
              Cancel
            </Button>
            <Button onClick={submit} loading={pending} color={action === 'suspend' ? 'orange' : undefined}>
              {title}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
