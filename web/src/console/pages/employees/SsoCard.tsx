import { Group, Paper, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useUpdateEmployee } from '../../api/employees';
import type { EffectiveSso, Employee, EmployeePatch } from '../../../shared/api/types';
import { notifyError, notifySuccess } from '../../../shared/components/notify';

const FROM: Record<EffectiveSso['enabledFrom'], string> = {
  override: "this employee's own setting",
  domain: "the importing domain's default",
  builtin: 'the built-in default (no directory domain)',
};
const METHOD: Record<EffectiveSso['method'], string> = {
  passwordless: 'Passwordless (passkey or security key only)',
  password_2fa: 'Password and a second factor',
  any: 'Any path the authenticator policy allows',
};

const FOLLOW = 'follow';

/**
 * "Single sign-on" of one employee: whether they may sign in to applications and with which
 * method, as it applies now and where each value comes from (src/sso/app-access.ts), and their
 * own override of the domain's default (saved at once; "Follow the domain" clears it).
 */
export function SsoCard({ employee }: { employee: Employee }) {
  const update = useUpdateEmployee(employee.id);
  const sso = employee.effectiveSso;
  const own = employee.ssoOverride;
  const save = (patch: EmployeePatch, what: string) =>
    update.mutate(patch, {
      onSuccess: () => notifySuccess(what, 'Single sign-on updated'),
      onError: (error) => notifyError(error, 'Could not change single sign-on'),
    });
  const followLabel = employee.source === 'manual' ? 'Built-in default' : 'Follow the domain default';

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="employee-sso-title">
      <Title order={2} size="h4" id="employee-sso-title" mb="md">
        Single sign-on
      </Title>
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }} aria-label="Effective single sign-on">
          <div data-testid="effective-sso-enabled">
            <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
              Sign-in to applications
            </Text>
            <Text size="sm" fw={600}>
              {sso.enabled ? 'On' : 'Off'}
            </Text>
            <Text size="xs" c="dimmed">
              from {FROM[sso.enabledFrom]}
            </Text>
          </div>
          <div data-testid="effective-sso-method">
            <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
              Sign-in method
            </Text>
            <Text size="sm" fw={600}>
              {METHOD[sso.method]}
            </Text>
            <Text size="xs" c="dimmed">
              from {FROM[sso.methodFrom]}
            </Text>
          </div>
        </SimpleGrid>
        <Group grow align="flex-start">
          <Select
            label="Override: sign-in to applications"
            allowDeselect={false}
            disabled={update.isPending}
            value={own.enabled === null ? FOLLOW : own.enabled ? 'on' : 'off'}
            data={[
              { value: FOLLOW, label: followLabel },
              { value: 'on', label: 'On' },
              { value: 'off', label: 'Off' },
            ]}
            onChange={(v) => v && save({ ssoEnabled: v === FOLLOW ? null : v === 'on' }, v === FOLLOW ? 'SSO follows the default again.' : `SSO turned ${v}.`)}
          />
          <Select
            label="Override: sign-in method"
            allowDeselect={false}
            disabled={update.isPending}
            value={own.method ?? FOLLOW}
            data={[
              { value: FOLLOW, label: followLabel },
              { value: 'passwordless', label: METHOD.passwordless },
              { value: 'password_2fa', label: METHOD.password_2fa },
            ]}
            onChange={(v) =>
              v &&
              save(
                { ssoMethod: v === FOLLOW ? null : (v as 'passwordless' | 'password_2fa') },
                v === FOLLOW ? 'The sign-in method follows the default again.' : 'Sign-in method changed.',
              )
            }
          />
        </Group>
        <Text size="xs" c="dimmed">
          Off: no sign-in to applications (OIDC, SAML, WS-Fed); workstation unlock follows the workstation profile. The method decides which sign-in paths the
          sign-in page offers and the server accepts.
        </Text>
      </Stack>
    </Paper>
  );
}
