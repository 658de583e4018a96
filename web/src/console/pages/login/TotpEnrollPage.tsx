import { Anchor, Group, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useReturnTo } from '../../../shared/api/return-to';
import { AuthCard } from '../../../shared/components/AuthCard';
import { notifySuccess } from '../../../shared/components/notify';
import { TotpEnrollment } from '../../components/TotpEnrollment';

/** Reached after a password sign-in answered `totp_enrollment_required`: enroll, then enter the console. */
export function TotpEnrollPage() {
  const [params] = useSearchParams();
  const next = useReturnTo(params.get('next'), 'console');
  const navigate = useNavigate();
  const qc = useQueryClient();

  return (
    <AuthCard title="Set up two-factor authentication" subtitle="Your organisation requires administrators to use an authenticator app.">
      <Stack>
        <TotpEnrollment
          onEnrolled={() => {
            qc.removeQueries();
            notifySuccess('Two-factor authentication is on.');
            navigate(next ?? '/', { replace: true });
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
