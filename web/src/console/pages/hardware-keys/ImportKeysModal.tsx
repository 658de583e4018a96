import { Badge, Button, Code, FileButton, Group, Modal, Stack, Table, Text, Textarea } from '@mantine/core';
import { IconFileImport } from '@tabler/icons-react';
import { useState } from 'react';
import type { ImportResult } from '../../../shared/api/types';
import { useImportKeys } from '../../api/hardware-keys';
import { FormErrorSummary, useServerForm } from '../../components/forms';

const EXAMPLE = 'serial,model,aaguid,badge,batch\n19837465,YubiKey 5 NFC,ee882879-721c-4913-9775-3dfcce97072a,RFID-0042,2026-Q4';

const statusColors = { created: 'teal', duplicate: 'yellow', invalid: 'red' } as const;
const statusLabels = { created: 'imported', duplicate: 'skipped', invalid: 'refused' } as const;

/** The server's answer, one line of the file a row: imported, skipped (already in stock) or refused with the reason. */
function ImportReport({ result }: { result: ImportResult }) {
  return (
    <Stack gap="xs">
      <Text size="sm" fw={500} data-testid="import-summary">
        {result.created} imported, {result.duplicate} skipped (already in the inventory), {result.invalid} refused.
      </Text>
      <Table.ScrollContainer minWidth={500} mah={320}>
        <Table aria-label="Import report" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Line</Table.Th>
              <Table.Th>Serial</Table.Th>
              <Table.Th>Result</Table.Th>
              <Table.Th>Reason</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {result.rows.map((r) => (
              <Table.Tr key={r.line} data-testid="import-row">
                <Table.Td>{r.line}</Table.Td>
                <Table.Td>{r.serial ?? '—'}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={statusColors[r.status]}>
                    {statusLabels[r.status]}
                  </Badge>
                </Table.Td>
                <Table.Td>{r.error ?? ''}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

/** Import keys into stock (Ready) from a CSV file or pasted text, then show the per-line report. */
export function ImportKeysModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const importKeys = useImportKeys();
  const form = useServerForm();
  const [csv, setCsv] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);

  const close = () => {
    setCsv('');
    setFileName(null);
    setResult(null);
    form.clear();
    onClose();
  };

  const pick = async (file: File | null) => {
    if (!file) return;
    setFileName(file.name);
    setCsv(await file.text());
  };

  const run = () => void form.submit(() => importKeys.mutateAsync(csv), { onSuccess: setResult });

  return (
    <Modal opened={opened} onClose={close} title="Import hardware keys" size="xl" centered closeOnClickOutside={false}>
      {result ? (
        <Stack>
          <ImportReport result={result} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setResult(null)}>
              Import more
            </Button>
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <Stack>
          <Text size="sm">
            One key a line: <Code>serial,model,aaguid</Code>, optionally followed by <Code>badge</Code> (badge or RFID number) and <Code>batch</Code>. A first
            line of column names is skipped. The AAGUID is the model's (printed in the vendor's documentation): a key enrolled for a reservation must match it.
            Imported keys are Ready (in stock); a serial already in the inventory is skipped.
          </Text>
          <Code block>{EXAMPLE}</Code>
          <Group>
            <FileButton onChange={(f) => void pick(f)} accept=".csv,text/csv,text/plain">
              {(props) => (
                <Button variant="light" leftSection={<IconFileImport size={16} />} {...props}>
                  Choose a CSV file
                </Button>
              )}
            </FileButton>
            {fileName ? <Text size="sm">{fileName}</Text> : null}
          </Group>
          <Textarea
            label="CSV"
            description="Or paste the lines here"
            autosize
            minRows={5}
            maxRows={14}
            value={csv}
            onChange={(e) => {
              setCsv(e.currentTarget.value);
              setFileName(null);
            }}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          />
          <FormErrorSummary form={form} title="Nothing was imported" />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button onClick={run} disabled={!csv.trim()} loading={form.saving}>
              Import
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
