import { Alert, Button, Center, Loader } from '@mantine/core';
import { Navigate, Outlet, useLocation } from 'react-router-dom';
import { useMe, useSetupStatus } from '../api/auth';
import { errorMessage } from '../../shared/api/client';
import { AppLayout } from './AppLayout';

export function loginPath(returnTo: string, expired = false): string {
  const params = new URLSearchParams();
  if (returnTo && returnTo !== '/' && !returnTo.startsWith('/login')) params.set('next', returnTo);
  if (expired) params.set('expired', '1');
  const query = params.toString();
  return query ? `/login?${query}` : '/login';
}

function FullPageLoader() {
  return (
    <Center mih="100vh">
      <Loader aria-label="Loading" />
    </Center>
  );
}

/** Layout route: the app shell for a signed-in admin; otherwise /setup (first run) or /login. */
export function RequireAuth() {
  const me = useMe();
  const location = useLocation();
  const signedOut = me.data === null;
  const setup = useSetupStatus(signedOut);

  if (me.isPending) return <FullPageLoader />;
  if (me.isError) {
    return (
      <Center mih="100vh" p="md">
        <Alert color="red" title="Cannot reach the Tessera server" maw={480}>
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
  if (me.data === null) {
    if (setup.isPending) return <FullPageLoader />;
    if (setup.data?.needsSetup) return <Navigate to="/setup" replace />;
    return <Navigate to={loginPath(location.pathname + location.search)} replace />;
  }
  return (
    <AppLayout me={me.data}>
      <Outlet />
    </AppLayout>
  );
}
