import { Anchor, Group, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useReturnTo } from '../../../shared/api/return-to';
import { AuthCard } from '../../../shared/components/AuthCard';
import { notifySuccess } from '../../../shared/components/notify';
import { RecoveryCodes } from '../../components/RecoveryCodes';
import { TotpEnrollment } from '../../components/TotpEnrollment';

/** Reached after a password sign-in answered `totp_enrollment_required`: enroll, then enter the console. */
export function TotpEnrollPage() {
  const [params] = useSearchParams();
  const next = useReturnTo(params.get('next'), 'console');
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [enrolled, setEnrolled] = useState<{ email: string; codes: string[] }>();

  if (enrolled) {
    return (
      <AuthCard title="Two-factor authentication is on" subtitle="One more step: save your recovery codes.">
        <RecoveryCodes
          codes={enrolled.codes}
          label={enrolled.email}
          onDone={() => {
            qc.removeQueries();
            navigate(next ?? '/', { replace: true });
          }}
        />
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Set up two-factor authentication" subtitle="Your organisation requires administrators to use an authenticator app.">
      <Stack>
        <TotpEnrollment
          onEnrolled={(admin, codes) => {
            notifySuccess('Two-factor authentication is on.');
            setEnrolled({ email: admin.email, codes });
          }}
        />
        <Text size="sm" c="dimmed">
          You will need a code from this app each time you sign in.
        </Text>
        <Group justify="center">
          <Anchor component={Link} to="/login" size="sm">
            Back to sign in
          </Anchor>
        </Group>
      </Stack>
    </AuthCard>
  );
}
