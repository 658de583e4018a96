import { Anchor, Button, Center, Loader, Stack, Text } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useInvitation } from '../api/enroll';
import { formatDateTime } from '../../shared/components/format';
import { AuthCard } from '../../shared/components/AuthCard';
import { ActivateKeyPage } from './ActivateKeyPage';
import { EnrollMethods, enrolmentChoices } from './EnrollMethods';
import { invitationProblem, type Problem } from './invitation-problems';
import { queryKeys } from '../../shared/query-keys';

function ProblemPage({ problem, onRetry }: { problem: Problem; onRetry?: () => void }) {
  return (
    <AuthCard brand="organisation" title={problem.title}>
      <Stack>
        <Text>{problem.message}</Text>
        {problem.offerSignIn ? (
          <Anchor component={Link} to="/signin?return_to=/portal">
            Go to sign-in
          </Anchor>
        ) : null}
        {problem.retry && onRetry ? (
          <div>
            <Button variant="light" onClick={onRetry}>
              Try again
            </Button>
          </div>
        ) : null}
      </Stack>
    </AuthCard>
  );
}

/**
 * `/enroll?token=…`: the link of an invitation e-mail, where an employee sets up a way to sign in.
 * `/enroll` without a token: activation of a reserved security key with its activation code.
 */
export function EnrollPage() {
  const [params] = useSearchParams();
  const token = params.get('token')?.trim() ?? '';
  const invitation = useInvitation(token);
  const qc = useQueryClient();
  const [done, setDone] = useState(false);

  if (!token) return <ActivateKeyPage />;

  if (done) {
    return (
      <AuthCard brand="organisation" title="You're all set">
        <Stack>
          <IconCircleCheck size={48} color="var(--mantine-color-teal-6)" aria-hidden />
          <Text>You are signed in. From now on, sign in with what you just set up.</Text>
          <Button component={Link} to="/portal">
            Go to my portal
          </Button>
        </Stack>
      </AuthCard>
    );
  }

  if (invitation.isPending) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading your invitation" />
      </Center>
    );
  }
  if (invitation.isError) return <ProblemPage problem={invitationProblem(invitation.error)} onRetry={() => invitation.refetch()} />;

  const { employee, policy, branding, expiresAt } = invitation.data;
  const finished = () => {
    // Enrolling signed the employee in: the portal must ask the server again.
    qc.removeQueries({ queryKey: queryKeys.portal.all });
    qc.removeQueries({ queryKey: queryKeys.employeeSession });
    setDone(true);
  };

  return (
    <AuthCard
      brand="organisation"
      title={`Welcome, ${employee.firstName}`}
      subtitle={
        <>
          <Text size="sm">
            {enrolmentChoices(policy) > 1
              ? `Choose how you will sign in to ${branding.organisationName}.`
              : `Set up the security key you will sign in to ${branding.organisationName} with.`}
          </Text>
          <Text size="xs" mt={4}>
            This invitation for {employee.email} is valid until {formatDateTime(expiresAt)}.
          </Text>
        </>
      }
    >
      <EnrollMethods token={token} policy={policy} onDone={finished} />
    </AuthCard>
  );
}
