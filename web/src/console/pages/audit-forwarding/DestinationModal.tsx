import { Button, Checkbox, Group, Modal, NativeSelect, PasswordInput, SimpleGrid, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useCreateAuditDestination, useUpdateAuditDestination } from '../../api/audit-destinations';
import type { AuditDestination, AuditDestinationKind } from '../../../shared/api/types';
import { FormErrorSummary, useServerForm } from '../../components/forms';
import { clientErrors, emptyValues, KIND_LABELS, SYSLOG_FACILITIES, toCreate, toUpdate, valuesOf, type DestinationFormValues } from './destination-form';

/**
 * "Add destination" / "Edit destination": the kind (fixed once saved), its settings, the secret
 * (write-only: on edit the field stays empty and the saved one is kept), the filter.
 */
export function DestinationModal({ opened, editing, onClose }: { opened: boolean; editing: AuditDestination | null; onClose: () => void }) {
  const create = useCreateAuditDestination();
  const update = useUpdateAuditDestination();
  const form = useServerForm();
  const [v, setV] = useState<DestinationFormValues>(emptyValues());
  const [submitted, setSubmitted] = useState(false);
  const isNew = editing === null;

  useEffect(() => {
    if (opened) {
      setV(editing ? valuesOf(editing) : emptyValues());
      setSubmitted(false);
      form.clear();
    }
  }, [opened, editing]); // reset when the dialog opens

  const set = (changes: Partial<DestinationFormValues>) => setV((old) => ({ ...old, ...changes }));
  const errors = clientErrors(v, isNew);
  const shown = (name: string) => (submitted ? errors[name] : undefined);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length > 0) return;
    void form.submit(() => (editing ? update.mutateAsync({ id: editing.id, input: toUpdate(v) }) : create.mutateAsync(toCreate(v))), {
      success: editing ? `${v.name.trim()} saved.` : `${v.name.trim()} added: new audit records go there from now on.`,
      onSuccess: onClose,
    });
  };

  const secretLabel = v.kind === 'splunk' ? 'HEC token' : 'Signing key';
  const tlsFields = (
    <>
      <Textarea
        label="CA certificate (PEM)"
        description="The CA that signed the receiver’s certificate. Empty: the system’s trusted CAs."
        autosize
        minRows={2}
        maxRows={8}
        styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
        value={v.caCertificate}
        onChange={(e) => set({ caCertificate: e.currentTarget.value })}
        {...form.field('settings.caCertificate')}
      />
      <Checkbox
        label="Verify the receiver’s certificate"
        description={v.verifyTls ? undefined : 'Anyone on the network path could read and change the audit stream.'}
        checked={v.verifyTls}
        onChange={(e) => set({ verifyTls: e.currentTarget.checked })}
        {...form.field('settings.verifyTls')}
      />
    </>
  );

  return (
    <Modal opened={opened} onClose={onClose} title={isNew ? 'Add audit destination' : `Edit ${editing?.name ?? ''}`} centered size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={form} title={isNew ? 'Could not add the destination' : 'Not saved'} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label="Name"
              value={v.name}
              onChange={(e) => set({ name: e.currentTarget.value })}
              {...form.field('name', shown('name'))}
              data-autofocus
            />
            <NativeSelect
              label="Kind"
              disabled={!isNew}
              description={isNew ? undefined : 'Fixed once saved'}
              data={(Object.keys(KIND_LABELS) as AuditDestinationKind[]).map((k) => ({ value: k, label: KIND_LABELS[k] }))}
              value={v.kind}
              onChange={(e) => set({ kind: e.currentTarget.value as AuditDestinationKind })}
              {...form.field('kind')}
            />
          </SimpleGrid>
          {v.kind === 'syslog' ? (
            <>
              <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <TextInput
                  label="Host"
                  value={v.host}
                  onChange={(e) => set({ host: e.currentTarget.value })}
                  {...form.field('settings.host', shown('settings.host'))}
                />
                <TextInput
                  label="Port"
                  inputMode="numeric"
                  value={v.port}
                  onChange={(e) => set({ port: e.currentTarget.value })}
                  {...form.field('settings.port', shown('settings.port'))}
                />
                <NativeSelect
                  label="Transport"
                  data={[
                    { value: 'tls', label: 'TLS (RFC 5425)' },
                    { value: 'tcp', label: 'TCP (RFC 6587)' },
                    { value: 'udp', label: 'UDP (RFC 5426, no acknowledgement)' },
                  ]}
                  value={v.transport}
                  onChange={(e) => set({ transport: e.currentTarget.value as DestinationFormValues['transport'] })}
                  {...form.field('settings.transport')}
                />
              </SimpleGrid>
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <NativeSelect
                  label="Facility"
                  data={SYSLOG_FACILITIES}
                  value={v.facility}
                  onChange={(e) => set({ facility: e.currentTarget.value })}
                  {...form.field('settings.facility')}
                />
                {v.transport === 'tls' ? (
                  <TextInput
                    label="TLS server name"
                    description="Only when the certificate names another host"
                    value={v.tlsServerName}
                    onChange={(e) => set({ tlsServerName: e.currentTarget.value })}
                    {...form.field('settings.tlsServerName')}
                  />
                ) : null}
              </SimpleGrid>
              {v.transport === 'tls' ? tlsFields : null}
            </>
          ) : (
            <>
              <TextInput
                label={v.kind === 'splunk' ? 'Collector URL' : 'Webhook URL'}
                description={
                  v.kind === 'splunk' ? 'Such as https://splunk.example.com:8088 (/services/collector/event is added)' : 'https; http only on localhost'
                }
                value={v.url}
                onChange={(e) => set({ url: e.currentTarget.value })}
                {...form.field('settings.url', shown('settings.url'))}
              />
              <PasswordInput
                label={secretLabel}
                description={isNew ? 'Stored sealed; never shown again.' : 'A secret is saved. Leave empty to keep it; type a new one to replace it.'}
                value={v.secret}
                onChange={(e) => set({ secret: e.currentTarget.value })}
                autoComplete="off"
                {...form.field('secret', shown('secret'))}
              />
              {v.kind === 'splunk' ? (
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                  <TextInput
                    label="Index"
                    description="Empty: the token’s default index"
                    value={v.index}
                    onChange={(e) => set({ index: e.currentTarget.value })}
                    {...form.field('settings.index')}
                  />
                  <TextInput
                    label="Source type"
                    value={v.sourceType}
                    onChange={(e) => set({ sourceType: e.currentTarget.value })}
                    {...form.field('settings.sourceType')}
                  />
                </SimpleGrid>
              ) : null}
              {tlsFields}
            </>
          )}
          <Text size="sm" fw={600} mt="xs">
            Which records
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label="Actions"
              description="Names or prefixes, comma-separated (admin., directory.*, employee.sign_in). Empty: all."
              value={v.actions}
              onChange={(e) => set({ actions: e.currentTarget.value })}
              {...form.field('filter.actions')}
            />
            <NativeSelect
              label="Outcome"
              data={[
                { value: 'any', label: 'Success and failure' },
                { value: 'success', label: 'Success only' },
                { value: 'failure', label: 'Failure only' },
              ]}
              value={v.outcome}
              onChange={(e) => set({ outcome: e.currentTarget.value as DestinationFormValues['outcome'] })}
              {...form.field('filter.outcome')}
            />
          </SimpleGrid>
          {isNew ? (
            <Checkbox
              label="Send the existing audit log first"
              description="Otherwise only records written from now on are forwarded."
              checked={v.replayHistory}
              onChange={(e) => set({ replayHistory: e.currentTarget.checked })}
              {...form.field('replayHistory')}
            />
          ) : null}
          <Switch label="Enabled" checked={v.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} {...form.field('enabled')} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={form.saving}>
              Cancel
            </Button>
            <Button type="submit" loading={form.saving}>
              {isNew ? 'Add destination' : 'Save'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
