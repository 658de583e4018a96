import { Alert, Anchor, Button, Center, Loader, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useSetup, useSetupStatus } from '../../api/auth';
import { errorMessage } from '../../../shared/api/client';
import { AuthCard } from '../../../shared/components/AuthCard';
import { FormErrorSummary, useServerForm } from '../../components/forms';

interface SetupForm {
  token: string;
  email: string;
  name: string;
  password: string;
  confirm: string;
}

function validate(form: SetupForm): Partial<Record<keyof SetupForm, string>> {
  const errors: Partial<Record<keyof SetupForm, string>> = {};
  if (!form.token.trim()) errors.token = 'Paste the setup token printed by the server';
  if (!/^\S+@\S+\.\S+$/.test(form.email.trim())) errors.email = 'Enter a valid e-mail address';
  if (!form.name.trim()) errors.name = 'Enter your full name';
  if (!form.password) errors.password = 'Choose a password';
  if (form.confirm !== form.password) errors.confirm = 'Passwords do not match';
  return errors;
}

/** First-run page: creates the first administrator with the one-time token from the setup link. */
export function SetupPage() {
  const [params] = useSearchParams();
  const tokenFromLink = params.get('token') ?? '';
  const status = useSetupStatus();
  const setup = useSetup();
  const server = useServerForm();
  const navigate = useNavigate();
  const [form, setForm] = useState<SetupForm>({ token: tokenFromLink, email: '', name: '', password: '', confirm: '' });
  const [submitted, setSubmitted] = useState(false);
  const errors = submitted ? validate(form) : {};

  const field = (key: keyof SetupForm) => ({
    value: form[key],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [key]: e.currentTarget.value }),
    ...server.field(key, errors[key]),
  });

  if (status.isPending) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }

  if (status.data && !status.data.needsSetup && !setup.isSuccess) {
    return (
      <AuthCard title="Tessera is already set up">
        <Stack>
          <Text>An administrator account already exists, so this setup link can no longer be used.</Text>
          <Anchor component={Link} to="/login">
            Sign in
          </Anchor>
        </Stack>
      </AuthCard>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validate(form)).length > 0) return;
    void server.submit(() => setup.mutateAsync({ token: form.token.trim(), email: form.email.trim(), name: form.name.trim(), password: form.password }), {
      success: { title: 'Welcome to Tessera', message: 'Your administrator account is ready.' },
      onSuccess: () => navigate('/', { replace: true }),
    });
  };

  return (
    <AuthCard title="Set up Tessera" subtitle="Create the first administrator account.">
      <form onSubmit={submit} noValidate>
        <Stack>
          {status.isError ? <Alert color="red">{errorMessage(status.error)}</Alert> : null}
          <FormErrorSummary form={server} title="Setup failed" />
          {tokenFromLink ? null : (
            <TextInput label="Setup token" description="Open the setup link printed by the server, or paste its token here." {...field('token')} />
          )}
          <TextInput label="Email" type="email" autoComplete="username" {...field('email')} />
          <TextInput label="Full name" autoComplete="name" {...field('name')} />
          <PasswordInput label="Password" autoComplete="new-password" {...field('password')} />
          <PasswordInput label="Confirm password" autoComplete="new-password" {...field('confirm')} />
          <Button type="submit" loading={server.saving} fullWidth>
            Create admin account
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
