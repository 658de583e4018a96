import { Badge, Button, Group, Modal, Paper, Progress, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconLock, IconLockOpen } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { formatDateTime } from '../../../shared/components/format';
import { QueryState } from '../../../shared/components/QueryState';
import { EMERGENCY_PHRASE, useEmergencyBlock, useLiftEmergencyBlock, useStartEmergencyBlock } from '../../api/emergency-block';
import { Fact } from '../../components/Fact';
import { FormErrorSummary, useServerForm } from '../../components/forms';

/** "Block all workstations": the phrase typed exactly, and a reason, before the button works. */
function BlockModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const start = useStartEmergencyBlock();
  const form = useServerForm();
  const [phrase, setPhrase] = useState('');
  const [reason, setReason] = useState('');
  const ready = phrase === EMERGENCY_PHRASE && reason.trim().length >= 3;
  const close = () => {
    setPhrase('');
    setReason('');
    form.clear();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!ready) return;
    void form.submit(() => start.mutateAsync({ confirmation: phrase, reason: reason.trim() }), {
      success: { title: 'Emergency block on', message: 'Every workstation with the agent is being locked.' },
      onSuccess: close,
    });
  };
  return (
    <Modal opened={opened} onClose={close} title="Block all workstations" centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={form} title="Could not turn the block on" />
          <Text size="sm">
            Every workstation with the agent, approved or waiting for approval, locks at once and refuses every unlock until the block is lifted. Workstations
            that are offline get it first when they connect.
          </Text>
          <TextInput
            label={`Type ${EMERGENCY_PHRASE} to confirm`}
            value={phrase}
            onChange={(e) => setPhrase(e.currentTarget.value)}
            autoComplete="off"
            spellCheck={false}
            data-autofocus
            {...form.field('confirmation')}
          />
          <Textarea
            label="Reason"
            description="Shown to every admin while the block is on, and kept in the audit log"
            autosize
            minRows={2}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            {...form.field('reason')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={form.saving}>
              Cancel
            </Button>
            <Button type="submit" color="red" leftSection={<IconLock size={16} />} disabled={!ready} loading={form.saving}>
              Block all workstations
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function LiftModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const lift = useLiftEmergencyBlock();
  const form = useServerForm();
  const [reason, setReason] = useState('');
  const close = () => {
    setReason('');
    form.clear();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim().length < 3) return;
    void form.submit(() => lift.mutateAsync(reason.trim()), {
      success: { title: 'Emergency block lifted', message: 'People can unlock their computers again.' },
      onSuccess: close,
    });
  };
  return (
    <Modal opened={opened} onClose={close} title="Lift the emergency block" centered>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={form} title="Could not lift the block" />
          <Text size="sm">
            Agents stop refusing unlock. Computers the block locked stay locked until each person unlocks their own; none unlocks by itself.
          </Text>
          <Textarea
            label="Reason"
            autosize
            minRows={2}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            data-autofocus
            {...form.field('reason')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={form.saving}>
              Cancel
            </Button>
            <Button type="submit" leftSection={<IconLockOpen size={16} />} disabled={reason.trim().length < 3} loading={form.saving}>
              Lift the block
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The emergency block: its state, how many workstations acknowledged it, and the two actions. */
export function EmergencyTab() {
  const block = useEmergencyBlock({ fastPoll: true });
  const [dialog, setDialog] = useState<'block' | 'lift' | null>(null);
  const s = block.data;

  return (
    <>
      <QueryState query={block} />
      {s ? (
        <Paper withBorder radius="md" p="md" component="section" aria-labelledby="emergency-title">
          <Group justify="space-between" mb="md">
            <Group gap="sm">
              <Title order={2} size="h4" id="emergency-title">
                Emergency block
              </Title>
              <Badge color={s.active ? 'red' : 'gray'} variant={s.active ? 'filled' : 'light'} data-testid="emergency-state">
                {s.active ? 'On' : 'Off'}
              </Badge>
            </Group>
            {s.active ? (
              <Button leftSection={<IconLockOpen size={16} />} onClick={() => setDialog('lift')}>
                Lift the block
              </Button>
            ) : (
              <Button color="red" leftSection={<IconLock size={16} />} onClick={() => setDialog('block')}>
                Block all workstations
              </Button>
            )}
          </Group>
          <Text size="sm" c="dimmed" mb="md">
            For a breach or stolen credentials: every workstation with the agent, approved or waiting for approval, locks and refuses every unlock until an
            admin lifts the block.
          </Text>
          {s.changedAt ? (
            <SimpleGrid cols={{ base: 1, sm: 4 }}>
              <Fact label={s.active ? 'On since' : 'Lifted'}>{formatDateTime(s.changedAt)}</Fact>
              <Fact label="By">{s.changedBy ?? '—'}</Fact>
              <Fact label="Reason">{s.reason ?? '—'}</Fact>
              {s.active ? (
                <Fact label="Acknowledged">
                  <Text size="sm" data-testid="emergency-acknowledged">
                    {s.acknowledged} of {s.workstations} workstations
                  </Text>
                  <Progress
                    value={s.workstations ? (100 * s.acknowledged) / s.workstations : 0}
                    color="red"
                    size="sm"
                    mt={4}
                    aria-label="Workstations that acknowledged"
                  />
                </Fact>
              ) : null}
            </SimpleGrid>
          ) : (
            <Text size="sm">The block has never been used.</Text>
          )}
        </Paper>
      ) : null}
      <BlockModal opened={dialog === 'block'} onClose={() => setDialog(null)} />
      <LiftModal opened={dialog === 'lift'} onClose={() => setDialog(null)} />
    </>
  );
}
