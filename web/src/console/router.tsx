import { createBrowserRouter } from 'react-router-dom';
import { RequireAuth } from './components/RequireAuth';
import { AdminsPage } from './pages/admins/AdminsPage';
import { ApiKeysPage } from './pages/api-keys/ApiKeysPage';
import { AuditPage } from './pages/audit/AuditPage';
import { AuditForwardingPage } from './pages/audit-forwarding/AuditForwardingPage';
import { DashboardPage } from './pages/dashboard/DashboardPage';
import { EmployeeEditPage } from './pages/employees/EmployeeEditPage';
import { EmployeesPage } from './pages/employees/EmployeesPage';
import { GroupPage } from './pages/groups/GroupPage';
import { GroupsPage } from './pages/groups/GroupsPage';
import { EntraPasskeysPage } from './pages/entra-passkeys/EntraPasskeysPage';
import { LoginPage } from './pages/login/LoginPage';
import { TotpEnrollPage } from './pages/login/TotpEnrollPage';
import { NotFoundPage } from './pages/not-found/NotFoundPage';
import { OidcClientsPage } from './pages/oidc-clients/OidcClientsPage';
import { OrganisationPage } from './pages/organisation/OrganisationPage';
import { ProfilePage } from './pages/profile/ProfilePage';
import { SamlPage } from './pages/saml/SamlPage';
import { SettingsPage } from './pages/settings/SettingsPage';
import { SetupPage } from './pages/setup/SetupPage';
import { DomainsPage } from './pages/domains/DomainsPage';
import { hardwareKeyRoutes } from './pages/hardware-keys/routes';
import { EmergencyTab } from './pages/workstations/EmergencyTab';
import { EnrolmentTokensTab } from './pages/workstations/EnrolmentTokensTab';
import { EventsTab } from './pages/workstations/EventsTab';
import { ProfilesTab } from './pages/workstations/ProfilesTab';
import { SessionsTab } from './pages/workstations/SessionsTab';
import { SummariesTab } from './pages/workstations/SummariesTab';
import { WorkstationDetailPage } from './pages/workstations/WorkstationDetailPage';
import { WorkstationList } from './pages/workstations/WorkstationList';
import { WorkstationsPage } from './pages/workstations/WorkstationsPage';
import { SharedAccountsTab } from './pages/vault/SharedAccountsTab';
import { TemplatesTab } from './pages/vault/TemplatesTab';
import { VaultPage } from './pages/vault/VaultPage';

/** Paths at the site root: the server serves this SPA at `/` with an HTML fallback. */
export const router = createBrowserRouter([
  { path: '/setup', element: <SetupPage /> },
  { path: '/login', element: <LoginPage /> },
  { path: '/login/totp-setup', element: <TotpEnrollPage /> },
  {
    element: <RequireAuth />,
    children: [
      { index: true, element: <DashboardPage /> },
      { path: 'employees', element: <EmployeesPage /> },
      { path: 'employees/:id', element: <EmployeeEditPage /> },
      { path: 'groups', element: <GroupsPage /> },
      { path: 'groups/:id', element: <GroupPage /> },
      {
        path: 'workstations',
        element: <WorkstationsPage />,
        children: [
          { index: true, element: <WorkstationList /> },
          { path: 'tokens', element: <EnrolmentTokensTab /> },
          { path: 'profiles', element: <ProfilesTab /> },
          { path: 'sessions', element: <SessionsTab /> },
          { path: 'events', element: <EventsTab /> },
          { path: 'summaries', element: <SummariesTab /> },
          { path: 'emergency', element: <EmergencyTab /> },
        ],
      },
      // A static tab above wins over an id here (React Router ranks static segments first).
      { path: 'workstations/:id', element: <WorkstationDetailPage /> },
      ...hardwareKeyRoutes,
      {
        path: 'vault',
        element: <VaultPage />,
        children: [
          { index: true, element: <SharedAccountsTab /> },
          { path: 'templates', element: <TemplatesTab /> },
        ],
      },
      { path: 'organisation', element: <OrganisationPage /> },
      { path: 'admins', element: <AdminsPage /> },
      { path: 'api-keys', element: <ApiKeysPage /> },
      { path: 'audit', element: <AuditPage /> },
      { path: 'audit/forwarding', element: <AuditForwardingPage /> },
      { path: 'entra-passkeys', element: <EntraPasskeysPage /> },
      { path: 'settings', element: <SettingsPage /> },
      { path: 'settings/domains', element: <DomainsPage /> },
      { path: 'oidc-clients', element: <OidcClientsPage /> },
      { path: 'saml', element: <SamlPage /> },
      { path: 'profile', element: <ProfilePage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
