import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { IconCircleCheck, IconKey } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router-dom';
import { activateHardwareKey, type ReservedKey } from '../api/enroll';
import { AuthCard } from '../../shared/components/AuthCard';
import { queryKeys } from '../../shared/query-keys';
import { activationProblem, isActivationCodeShaped } from './activation-problems';

/**
 * `/enroll` without an invitation token: the employee activates the security key an administrator
 * reserved for them, with their e-mail address and the activation code (shown to the admin, or in
 * the "Activate your security key" mail that links here).
 */
export function ActivateKeyPage() {
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [activated, setActivated] = useState<ReservedKey | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    // A code of the wrong length would only spend one of the key's 5 tries.
    if (!isActivationCodeShaped(code)) {
      setCodeError('The activation code has 16 letters and digits, such as ABCD-EFGH-JKMN-PQRS.');
      return;
    }
    setCodeError(null);
    setBusy(true);
    try {
      const { key } = await activateHardwareKey(email, code);
      // Activating signed the employee in: the portal must ask the server again.
      qc.removeQueries({ queryKey: queryKeys.portal.all });
      qc.removeQueries({ queryKey: queryKeys.employeeSession });
      setCode('');
      setActivated(key);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  if (activated) {
    return (
      <AuthCard brand="organisation" title="Your security key is active">
        <Stack>
          <IconCircleCheck size={48} color="var(--mantine-color-teal-6)" aria-hidden />
          <Text>Your key {activated.model ?? activated.serial} is active; you can now sign in with it.</Text>
          <Button component={Link} to="/signin">
            Go to sign-in
          </Button>
        </Stack>
      </AuthCard>
    );
  }

  const problem = error ? activationProblem(error) : null;
  return (
    <AuthCard
      brand="organisation"
      title="Activate your security key"
      subtitle="Enter your work e-mail address and the activation code you were given, then plug in or hold up the security key that came with it."
    >
      <form onSubmit={submit} noValidate>
        <Stack>
          {problem ? (
            <Alert color="red" title={problem.title}>
              {problem.message}
            </Alert>
          ) : null}
          <TextInput
            label="E-mail address"
            type="email"
            autoComplete="username"
            required
            maxLength={254}
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
          />
          <TextInput
            label="Activation code"
            description="16 letters and digits; dashes, spaces and case do not matter."
            placeholder="XXXX-XXXX-XXXX-XXXX"
            autoComplete="one-time-code"
            autoCapitalize="characters"
            spellCheck={false}
            required
            maxLength={64}
            value={code}
            error={codeError}
            onChange={(e) => setCode(e.currentTarget.value)}
          />
          <Button type="submit" size="md" leftSection={<IconKey size={20} />} loading={busy} disabled={!email.trim() || !code.trim()}>
            Activate my key
          </Button>
          <Text size="xs" c="dimmed">
            Have an invitation e-mail instead? Open the link in it. Already set up?{' '}
            <Anchor component={Link} to="/signin" size="xs">
              Sign in
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthCard>
  );
}
