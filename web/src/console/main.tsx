import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import { Anchor, Badge, ColorInput, createTheme, MantineProvider, PasswordInput } from '@mantine/core';
import { notifications, Notifications } from '@mantine/notifications';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router-dom';
import { readableColors } from '../shared/accessible-colors';
import { ApiError, setUnauthorizedHandler } from '../shared/api/client';
import { loginPath } from './components/RequireAuth';
import { router } from './router';
import { startStackedTables } from '../shared/stacked-tables';
import { queryKeys } from '../shared/query-keys';

const theme = createTheme({
  // Every text on a colour reaches WCAG AA contrast (shared/accessible-colors.ts).
  colors: readableColors(),
  primaryColor: 'indigo',
  defaultRadius: 'md',
  components: {
    // Mantine's eye-dropper button has no name of its own.
    ColorInput: ColorInput.extend({ defaultProps: { eyeDropperButtonProps: { 'aria-label': 'Pick a colour from the screen' } } }),
    // A link in a sentence must not be told apart by its colour alone (WCAG 1.4.1).
    Anchor: Anchor.extend({ defaultProps: { underline: 'always' } }),
    // Mantine names the eye button "Toggle password visibility", which a label lookup for
    // "Password" would also find; a name without that word keeps every password field unique.
    PasswordInput: PasswordInput.extend({
      defaultProps: { visibilityToggleButtonProps: { 'aria-label': 'Show or hide characters' } },
    }),
    // A badge clips its label with an ellipsis, and a table column shrinks to the clipped width
    // ("PENDI…") when its neighbours want room: a badge holds one short word, so keep all of it.
    Badge: Badge.extend({ styles: { root: { minWidth: 'max-content' } } }),
  },
});

const queryClient = new QueryClient({
  queryCache: new QueryCache(),
  mutationCache: new MutationCache(),
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      // 4xx answers will not change by asking again.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
    },
    mutations: { retry: false },
  },
});

// A 401 auth.required / auth.session_expired from any call: sign in again, then come back here.
setUnauthorizedHandler((error) => {
  const { pathname, search } = window.location;
  if (pathname.startsWith('/login') || pathname.startsWith('/setup')) return;
  queryClient.setQueryData(queryKeys.me, null);
  notifications.clean();
  void router.navigate(loginPath(pathname + search, error.code === 'auth.session_expired'), { replace: true });
});

// On a phone, tables become cards (shared/stacked-tables.css).
startStackedTables();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light">
      {/* Bottom-left, like desktop snackbars: clear of the header menu, page actions and Save buttons. */}
      <Notifications position="bottom-left" />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
