// The employee pages (/signin, /enroll, /portal): a bundle of their own, without the admin console.
import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import { Center, Loader, MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, useEffect, useMemo } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router-dom';
import { useBranding } from '../shared/api/branding';
import { ApiError, setUnauthorizedHandler } from '../shared/api/client';
import { portalRouter } from './router';
import { startStackedTables } from '../shared/stacked-tables';
import { brandTheme } from './theme';
import { queryKeys } from '../shared/query-keys';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
    mutations: { retry: false },
  },
});

// A session that ended while the portal is open: its page goes to the sign-in page and comes back.
setUnauthorizedHandler(() => {
  if (window.location.pathname.startsWith('/portal')) queryClient.setQueryData(queryKeys.portal.me, null);
});

/** Mantine in the organisation's colour once GET /api/branding has answered (the default colour if it fails). */
function Branded() {
  const branding = useBranding();
  const theme = useMemo(() => brandTheme(branding.data?.primaryColor), [branding.data?.primaryColor]);
  const organisation = branding.data?.organisationName;
  useEffect(() => {
    if (organisation) document.title = `${organisation} sign-in`;
  }, [organisation]);

  return (
    <MantineProvider theme={theme} defaultColorScheme="light">
      <Notifications position="bottom-left" />
      {branding.isPending ? (
        <Center mih="100vh">
          <Loader aria-label="Loading" />
        </Center>
      ) : (
        <RouterProvider router={portalRouter} />
      )}
    </MantineProvider>
  );
}

// On a phone, tables become cards (shared/stacked-tables.css).
startStackedTables();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <Branded />
    </QueryClientProvider>
  </StrictMode>,
);
