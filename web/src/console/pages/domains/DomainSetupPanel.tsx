import { Alert, Badge, Button, Group, List, Paper, Stack, Table, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { errorMessage } from '../../../shared/api/client';
import { usePreviewDomainDraft, useTestDomainDraft, type DomainDraft, type SyncPreview } from '../../api/directory';
import { OUTCOME_TEXT, OUTCOME_TITLE } from './connection-test';

const ACTION_LABEL: Record<string, string> = {
  create: 'Create',
  link: 'Link to the existing employee',
  update: 'Update',
  deactivate: 'Deactivate',
  reactivate: 'Reactivate',
  delete: 'Delete',
  unlink: 'Unlink',
  keep: 'Keep (left the group)',
};

const COUNT_LABEL: [key: string, label: string][] = [
  ['created', 'to create'],
  ['linked', 'to link'],
  ['updated', 'to update'],
  ['deactivated', 'to deactivate'],
  ['reactivated', 'to reactivate'],
  ['deleted', 'to delete'],
  ['unchanged', 'unchanged'],
  ['skipped', 'skipped'],
];

function PreviewResult({ preview }: { preview: SyncPreview }) {
  const c = preview.counts;
  const shown = COUNT_LABEL.filter(([k]) => (c[k] ?? 0) > 0 || k === 'created');
  return (
    <Stack gap="xs" role="status" aria-label="Sync preview">
      <Text size="sm" fw={500}>
        {`${c.listed ?? 0} in the sync group: ${shown.map(([k, label]) => `${c[k] ?? 0} ${label}`).join(', ')}; ${preview.totalGroups} group${preview.totalGroups === 1 ? '' : 's'} found.`}
      </Text>
      <Text size="xs" c="dimmed">
        Nothing was changed: this is what a sync would do now.
      </Text>
      {preview.wouldHold ? (
        <Alert color="yellow" p="xs">
          This sync would remove more employees than the removal threshold allows: it would wait for your confirmation.
        </Alert>
      ) : null}
      {!preview.rotationGroupFound ? (
        <Alert color="yellow" p="xs">
          The password rotation group was not found: rotation would stop, the import would not.
        </Alert>
      ) : null}
      {preview.changes.length > 0 ? (
        <Table.ScrollContainer minWidth={360} mah={260}>
          <Table aria-label="Preview changes" verticalSpacing={4} fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Change</Table.Th>
                <Table.Th>Who</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {preview.changes.map((ch) => (
                <Table.Tr key={`${ch.action}:${ch.externalId}`}>
                  <Table.Td>{ACTION_LABEL[ch.action] ?? ch.action}</Table.Td>
                  <Table.Td>
                    {ch.label}
                    {ch.fields?.length ? (
                      <Text span size="xs" c="dimmed">
                        {` (${ch.fields.join(', ')})`}
                      </Text>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
      {preview.totalChanges > preview.changes.length ? (
        <Text size="xs" c="dimmed">{`The first ${preview.changes.length} of ${preview.totalChanges} changes.`}</Text>
      ) : null}
      {preview.groups.length > 0 ? (
        <Group gap={4} aria-label="Groups found">
          <Text size="sm">Groups:</Text>
          {preview.groups.map((g) => (
            <Badge key={g} variant="light" tt="none">
              {g}
            </Badge>
          ))}
          {preview.totalGroups > preview.groups.length ? <Text size="xs" c="dimmed">{`and ${preview.totalGroups - preview.groups.length} more`}</Text> : null}
        </Group>
      ) : null}
      {preview.skipped.length > 0 ? (
        <List size="xs" c="dimmed">
          {preview.skipped.map((s) => (
            <List.Item key={s.username}>{`${s.username} would be skipped: ${s.reason}`}</List.Item>
          ))}
        </List>
      ) : null}
    </Stack>
  );
}

/**
 * Test connection and Preview sync inside a domain form, with the values the form holds (a blank
 * password: the saved one). The results appear right under the buttons; nothing is saved.
 */
export function DomainSetupPanel({ draft }: { draft: () => DomainDraft }) {
  const test = useTestDomainDraft();
  const preview = usePreviewDomainDraft();
  const results = useRef<HTMLDivElement>(null);
  const hasResult = test.isSuccess || test.isError || preview.isSuccess || preview.isError;
  useEffect(() => {
    if (hasResult) results.current?.scrollIntoView?.({ block: 'nearest' });
  }, [hasResult]);

  return (
    <Paper withBorder p="sm" radius="md" component="section" aria-label="Check before saving">
      <Group gap="xs">
        <Button
          variant="light"
          onClick={() => {
            preview.reset();
            test.mutate(draft());
          }}
          loading={test.isPending}
        >
          Test connection
        </Button>
        <Button
          variant="light"
          onClick={() => {
            test.reset();
            preview.mutate(draft());
          }}
          loading={preview.isPending}
        >
          Preview sync
        </Button>
        <Text size="xs" c="dimmed">
          With the values in this form; nothing is saved or synced.
        </Text>
      </Group>
      <div ref={results}>
        {test.data ? (
          <Alert mt="sm" color={test.data.outcome === 'ok' ? 'teal' : 'red'} title={OUTCOME_TITLE[test.data.outcome] ?? test.data.outcome} role="status">
            <Text size="sm">
              {OUTCOME_TEXT[test.data.outcome] ?? ''} {test.data.steps.some((s) => s.message === test.data.message) ? null : test.data.message}
            </Text>
            {test.data.steps.length > 0 ? (
              <List size="sm" mt="xs">
                {test.data.steps.map((s) => (
                  <List.Item key={s.step}>
                    {s.ok ? '✓' : '✗'} {s.message}
                  </List.Item>
                ))}
              </List>
            ) : null}
          </Alert>
        ) : null}
        {test.isError ? (
          <Alert mt="sm" color="red" title="Could not test" role="alert">
            {errorMessage(test.error)}
          </Alert>
        ) : null}
        {preview.data ? (
          <Paper mt="sm" p="sm" bg="var(--mantine-color-gray-light)">
            <PreviewResult preview={preview.data} />
          </Paper>
        ) : null}
        {preview.isError ? (
          <Alert mt="sm" color="red" title="Could not preview the sync" role="alert">
            {errorMessage(preview.error)}
          </Alert>
        ) : null}
      </div>
    </Paper>
  );
}
