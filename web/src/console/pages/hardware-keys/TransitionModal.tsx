import { Alert, Button, Checkbox, Code, Group, List, Modal, Stack, Text, Textarea } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { type FormEvent, useEffect, useState } from 'react';
import { ApiError } from '../../../shared/api/client';
import type { AllowedTransition, HardwareKeyDetail, TransitionResult } from '../../../shared/api/types';
import { useLastDefined } from '../../../shared/components/use-last-defined';
import { useConfirmReset, useTransitionKey } from '../../api/hardware-keys';
import { EmployeePicker } from '../../components/EmployeePicker';
import { FormErrorSummary, useServerForm } from '../../components/forms';
import { actionEffects, actionLabel, stateLabels } from './key-format';

/** Actions that issue a one-time activation code (hardware-key.states.ts: issuesActivationCode). */
const ISSUES_CODE = new Set(['reserve', 'unlock']);

/** A transition of the server's 409, when the key moved on since the page was drawn. */
function refusedDetails(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.code !== 'hardware_keys.transition_not_allowed') return null;
  const allowed = (error.details as { allowed?: AllowedTransition[] } | undefined)?.allowed ?? [];
  return allowed.length ? `Allowed now: ${allowed.map(actionLabel).join(', ')}.` : 'No change is allowed from its state.';
}

/** Explains what marking a key compromised does, before the admin confirms it. */
function CompromiseWarning({ hasEmployee }: { hasEmployee: boolean }) {
  return (
    <Alert color="red" icon={<IconAlertTriangle />} title="This cannot be undone">
      <Text size="sm">A compromised key never becomes usable again. At once:</Text>
      <List size="sm" mt={4}>
        <List.Item>the FIDO credentials bound to it are revoked, so it signs nobody in;</List.Item>
        {hasEmployee ? (
          <>
            <List.Item>every session of its employee ends (portal, single sign-on, tokens; their computers lock as their profile says);</List.Item>
            <List.Item>the domain passwords delivered to it are rotated, so a copy read off the key no longer works.</List.Item>
          </>
        ) : (
          <List.Item>it is assigned to nobody, so no session or password is affected.</List.Item>
        )}
      </List>
    </Alert>
  );
}

/** The reset procedure of a returned key, and the admin's confirmation that it was done. */
function ResetSteps({ steps, confirmed, onConfirmed }: { steps: string[]; confirmed: boolean; onConfirmed: (v: boolean) => void }) {
  return (
    <>
      <Alert color="blue" title="Reset the key before it goes back to stock">
        <Text size="sm" mb={4}>
          A FIDO credential cannot be erased remotely: the key must be reset in hand. Without a vendor tool, <Code>fido2-token -R /dev/hidrawN</Code> (from
          fido2-tools) resets it too.
        </Text>
        <List type="ordered" size="sm" data-testid="reset-steps">
          {steps.map((s) => (
            <List.Item key={s}>{s}</List.Item>
          ))}
        </List>
      </Alert>
      <Checkbox
        label="I reset this key as described; it holds no credential and no PIN"
        checked={confirmed}
        onChange={(e) => onConfirmed(e.currentTarget.checked)}
      />
    </>
  );
}

/**
 * One lifecycle action on a key: the reason (always asked, kept in the history and the audit log),
 * the employee for a reservation, the confirmation for Compromised and for a reset. The server has
 * the last word: a refusal shows its own sentence.
 */
export function TransitionModal(props: {
  hardwareKey: HardwareKeyDetail;
  transition: AllowedTransition | null;
  onClose: () => void;
  onDone: (result: TransitionResult, transition: AllowedTransition, opts: { mailed: boolean; employeeId: string | null }) => void;
}) {
  const { hardwareKey: key, onClose } = props;
  const t = useLastDefined(props.transition);
  const move = useTransitionKey(key.id);
  const reset = useConfirmReset(key.id);
  const form = useServerForm();
  const [reason, setReason] = useState('');
  const [employeeId, setEmployeeId] = useState('');
  const [mailCode, setMailCode] = useState(false);
  const [confirmed, setConfirmed] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const refused = form.failure ? refusedDetails(move.error ?? reset.error) : null;

  useEffect(() => {
    if (props.transition) {
      setReason('');
      setEmployeeId(key.employeeId ?? '');
      setMailCode(false);
      setConfirmed(false);
      setSubmitted(false);
      move.reset();
      reset.reset();
      form.clear();
    }
  }, [props.transition]); // a fresh form each time the dialog opens

  if (!t) return null;
  const isCompromise = t.action === 'report_compromised';
  const needsConfirm = isCompromise || t.needsResetConfirmation;
  const reasonError = submitted && !reason.trim() ? 'Say why: it is kept in the key’s history and the audit log' : null;
  const employeeError = submitted && t.needsEmployee && !employeeId ? 'Choose the employee the key is for' : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (!reason.trim() || (t.needsEmployee && !employeeId) || (needsConfirm && !confirmed)) return;
    const why = reason.trim();
    const done = (result: TransitionResult) =>
      props.onDone(result, t, { mailed: ISSUES_CODE.has(t.action) && mailCode, employeeId: result.key.employeeId ?? (employeeId || null) });
    void form.submit(
      () =>
        t.needsResetConfirmation
          ? reset.mutateAsync(why)
          : move.mutateAsync({
              to: t.to,
              reason: why,
              ...(t.needsEmployee ? { employeeId } : {}),
              ...(ISSUES_CODE.has(t.action) ? { mailCode } : {}),
            }),
      { onSuccess: done },
    );
  };

  return (
    <Modal opened={props.transition !== null} onClose={onClose} title={`${actionLabel(t)}: key ${key.serial}`} centered size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={form} title="The server refused">
            {refused ? (
              <Text size="sm" data-testid="transition-allowed-now">
                {refused}
              </Text>
            ) : null}
          </FormErrorSummary>
          <Text size="sm">
            {stateLabels[key.state]} → <strong>{stateLabels[t.to]}</strong>. {actionEffects[t.action] ?? ''}
          </Text>
          {isCompromise ? <CompromiseWarning hasEmployee={Boolean(key.employeeId)} /> : null}
          {t.needsResetConfirmation ? <ResetSteps steps={key.resetSteps} confirmed={confirmed} onConfirmed={setConfirmed} /> : null}
          {t.needsEmployee ? (
            <EmployeePicker
              label="Employee"
              placeholder="Type a name or e-mail address"
              value={employeeId}
              onChange={setEmployeeId}
              activeOnly
              required
              w="100%"
              {...form.field('employeeId', employeeError)}
            />
          ) : null}
          <Textarea
            label="Reason"
            description="Kept in the key's history and the audit log"
            required
            autosize
            minRows={2}
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            data-autofocus
            {...form.field('reason', reasonError)}
          />
          {ISSUES_CODE.has(t.action) ? (
            <Checkbox
              label="Also e-mail the activation code to the employee"
              description="The code is shown to you once either way"
              checked={mailCode}
              onChange={(e) => setMailCode(e.currentTarget.checked)}
            />
          ) : null}
          {isCompromise ? (
            <Checkbox
              label="I understand: revoke its credentials, end the sessions and rotate the passwords"
              checked={confirmed}
              onChange={(e) => setConfirmed(e.currentTarget.checked)}
              error={submitted && !confirmed ? 'Confirm to go on' : null}
            />
          ) : null}
          {t.needsResetConfirmation && submitted && !confirmed ? (
            <Text size="sm" c="red">
              Confirm the reset to return the key to stock
            </Text>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={form.saving}>
              Cancel
            </Button>
            <Button type="submit" color={isCompromise || t.action === 'deactivate' ? 'red' : undefined} loading={form.saving}>
              {actionLabel(t)}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
