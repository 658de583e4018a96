import { Alert, Box, Button, Center, Container, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { IconLogout } from '@tabler/icons-react';
import { useState } from 'react';
import { Navigate } from 'react-router-dom';
import { errorMessage } from '../../shared/api/client';
import { usePortalMe } from '../api/portal';
import { BrandMark } from '../../shared/components/BrandMark';
import { signInPath } from '../return-to';
import { ApplicationsSection } from './ApplicationsSection';
import { MyAccountsSection } from './MyAccountsSection';
import { RecentSignInsSection } from './RecentSignInsSection';
import { SignInMethodsSection } from './SignInMethodsSection';
import { DomainPasswordSection } from './DomainPasswordSection';

/** `/portal`: the signed-in employee's applications, accounts (the vault), sign-in methods and recent sign-ins. */
export function PortalPage() {
  const me = usePortalMe();
  const [signingOut, setSigningOut] = useState(false);

  if (me.isPending) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (me.isError) {
    return (
      <Center mih="100vh" p="md">
        <Alert color="red" title="Cannot reach the server" maw={480}>
          {errorMessage(me.error)}
          <div>
            <Button mt="sm" size="xs" variant="light" onClick={() => me.refetch()}>
              Retry
            </Button>
          </div>
        </Alert>
      </Center>
    );
  }
  if (me.data === null) return <Navigate to={signInPath('/portal')} replace />;

  const { employee, branding } = me.data;
  const fullName = `${employee.firstName} ${employee.lastName}`.trim();

  // Signing out ends the employee's sessions at the SAML and WS-Fed applications too: the server
  // ends the Tessera session, walks each SAML SP's single logout in this tab, loads the WS-Fed
  // cleanup URLs, and ends on the sign-in page (a full page load: nothing of this session stays).
  const leave = () => {
    setSigningOut(true);
    window.location.assign('/saml/logout?from=portal');
  };

  return (
    <Box mih="100vh" bg="var(--mantine-color-gray-light)">
      <Box component="header" bg="var(--mantine-color-body)" style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}>
        <Container size="lg" py="sm">
          <Group justify="space-between" wrap="nowrap">
            <BrandMark branding={branding} size="sm" />
            <Group gap="sm" wrap="nowrap">
              <Text size="sm" fw={500} visibleFrom="xs">
                {fullName}
              </Text>
              <Button variant="default" size="sm" leftSection={<IconLogout size={16} />} onClick={leave} loading={signingOut}>
                Sign out
              </Button>
            </Group>
          </Group>
        </Container>
      </Box>
      <Container size="lg" py="lg" component="main">
        <Stack>
          <div>
            <Title order={1} size="h2">
              Hello, {employee.firstName}
            </Title>
            <Text c="dimmed" size="sm">
              {employee.email}
            </Text>
          </div>
          <ApplicationsSection />
          <MyAccountsSection />
          <SignInMethodsSection me={me.data} />
          <DomainPasswordSection />
          <RecentSignInsSection />
        </Stack>
      </Container>
    </Box>
  );
}
