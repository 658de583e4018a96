import { Button, Checkbox, Divider, Group, NativeSelect, NumberInput, Paper, SimpleGrid, Stack, Switch, Textarea, Title } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useUpdatePolicy, type SettingsWithPolicy } from '../../api/authenticator-policy';
import type { PolicySettings, SecondFactor } from '../../../shared/api/sign-in-types';
import type { Settings } from '../../../shared/api/types';
import { formToPolicyPatch, POLICY_LIMITS, policyToForm, validatePolicy, type PolicyFormValues } from './policy-form';
import { FormErrorSummary, SavedNote, useServerForm } from '../../components/forms';

// GET /api/settings carries the policy groups; the console's Settings type leaves them to this file.
const policyOf = (settings: Settings | PolicySettings): PolicySettings => {
  const { authenticators, invitations } = settings as SettingsWithPolicy;
  return { authenticators, invitations };
};

/**
 * "Authenticator policy" and "Invitation validity (days)": which authenticators employees may
 * register and how they sign in. A form of its own with "Save policy", so that saving it never
 * touches the settings above (and theirs never this).
 */
export function AuthenticatorPolicySection({ settings }: { settings: Settings }) {
  const update = useUpdatePolicy();
  const form = useServerForm();
  // The last policy the server confirmed: the settings query, or the answer of our own save.
  const [saved, setSaved] = useState<PolicySettings>(() => policyOf(settings));
  const [values, setValues] = useState<PolicyFormValues>(() => policyToForm(policyOf(settings)));
  const [submitted, setSubmitted] = useState(false);
  const errors = submitted ? validatePolicy(values) : {};
  const set = (changes: Partial<PolicyFormValues>) => setValues((current) => ({ ...current, ...changes }));
  const number = (key: 'maxCredentialsPerEmployee' | 'validityDays') => ({
    value: values[key],
    onChange: (value: number | string) => set({ [key]: value }),
    error: errors[key],
    min: POLICY_LIMITS[key].min,
    max: POLICY_LIMITS[key].max,
    allowDecimal: false,
  });

  // A refetch or another section's save brings a new settings object: follow it only when the
  // policy itself changed there.
  const fromServer = JSON.stringify(policyOf(settings));
  useEffect(() => {
    const policy = JSON.parse(fromServer) as PolicySettings;
    setSaved(policy);
    setValues(policyToForm(policy));
  }, [fromServer]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validatePolicy(values)).length > 0) return;
    void form.submit(() => update.mutateAsync(formToPolicyPatch(values)), {
      onSuccess: (answer) => {
        const policy = policyOf(answer);
        setSaved(policy);
        setValues(policyToForm(policy));
        setSubmitted(false);
      },
      success: 'Authenticator policy saved.',
    });
  };

  return (
    <Paper withBorder radius="md" p="md" mt="md" component="section" aria-labelledby="settings-authenticator-policy">
      <Title order={2} size="h4" id="settings-authenticator-policy" mb="md">
        Authenticator policy
      </Title>
      <form onSubmit={submit} noValidate>
        <Stack>
          <FormErrorSummary form={form} title="The authenticator policy was not saved" />
          <Switch
            label="Allow platform authenticators"
            description="Passkeys kept by a device or a password manager (Windows Hello, Touch ID, Android, iCloud Keychain). Off: employees can only register hardware security keys, which cannot be copied or synced."
            checked={values.allowPlatform}
            onChange={(e) => set({ allowPlatform: e.currentTarget.checked })}
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NativeSelect
              label="User verification"
              description="Whether the authenticator must check a PIN or biometrics."
              value={values.userVerification}
              onChange={(e) => set({ userVerification: e.currentTarget.value as PolicyFormValues['userVerification'] })}
              data={[
                { value: 'required', label: 'Required' },
                { value: 'preferred', label: 'Preferred' },
              ]}
            />
            <NativeSelect
              label="Attestation"
              description="Direct: the authenticator proves its model when it is registered."
              value={values.attestation}
              onChange={(e) => set({ attestation: e.currentTarget.value as PolicyFormValues['attestation'] })}
              data={[
                { value: 'none', label: 'None' },
                { value: 'direct', label: 'Direct' },
              ]}
            />
          </SimpleGrid>
          <Textarea
            label="Allowed authenticator models (AAGUIDs)"
            description="One AAGUID per line. Empty: any model may be registered."
            placeholder="cb69481e-8ff7-4039-93ec-0a2729a154a8"
            autosize
            minRows={2}
            maxRows={8}
            value={values.aaguids}
            onChange={(e) => set({ aaguids: e.currentTarget.value })}
            {...form.field('authenticators.aaguidAllowList', errors.aaguids)}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NumberInput label="Maximum sign-in methods per employee" {...number('maxCredentialsPerEmployee')} />
            <NativeSelect
              label="When a signature counter goes backwards"
              description="A counter that goes backwards can mean a cloned security key."
              value={values.signCountPolicy}
              onChange={(e) => set({ signCountPolicy: e.currentTarget.value as PolicyFormValues['signCountPolicy'] })}
              data={[
                { value: 'refuse', label: 'Refuse the sign-in' },
                { value: 'flag', label: 'Allow it and flag it in the audit log' },
              ]}
            />
          </SimpleGrid>
          <Switch
            label="Allow password sign-in"
            description="Employees may also sign in with their e-mail address and a password, always followed by a second factor."
            checked={values.allowPasswordSignIn}
            onChange={(e) => set({ allowPasswordSignIn: e.currentTarget.checked })}
          />
          <Checkbox.Group
            label="Second factors"
            description="What may follow a password."
            value={values.secondFactors}
            onChange={(value) => set({ secondFactors: value as SecondFactor[] })}
            {...form.field('authenticators.secondFactors', errors.secondFactors)}
          >
            <Group mt="xs">
              <Checkbox value="totp" label="Authenticator app (TOTP)" />
              <Checkbox value="passkey" label="Security key or passkey" />
            </Group>
          </Checkbox.Group>
          <Divider />
          <NumberInput label="Invitation validity (days)" description="How long an invitation link works." maw={320} {...number('validityDays')} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setValues(policyToForm(saved))} disabled={form.saving}>
              Discard changes
            </Button>
            <SavedNote form={form} />
            <Button type="submit" loading={form.saving}>
              Save policy
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
