import { adminRoutes } from '../admins/admin.routes.js';
import { authRoutes } from '../admins/auth.routes.js';
import { adminPasskeyRoutes } from '../admins/passkey.routes.js';
import { apiKeyRoutes } from '../api-keys/api-key.routes.js';
import { auditRoutes } from '../audit/audit.routes.js';
import { employeeCredentialRoutes } from '../authn/credential.routes.js';
import { signInRoutes } from '../authn/signin.routes.js';
import { brandingRoutes } from '../branding/branding.routes.js';
import { dashboardRoutes } from '../dashboard/dashboard.routes.js';
import { employeeRoutes } from '../employees/employee.routes.js';
import { organisationRoutes } from '../employees/organisation.routes.js';
import { enrollRoutes } from '../invitations/enroll.routes.js';
import { invitationRoutes } from '../invitations/invitation.routes.js';
import { mailRoutes } from '../mail/mail.routes.js';
import { portalRoutes } from '../portal/portal.routes.js';
import { settingsRoutes } from '../settings/settings.routes.js';
import { directoryRoutes } from '../directory/directory.routes.js';
import { entraPasskeyRoutes } from '../directory/entra/entra-passkey.routes.js';
import { hardwareKeyRoutes } from '../vaults/hardware-key.routes.js';
import { serviceProviderRoutes } from '../sso/saml/sp.routes.js';
import { oidcClientRoutes } from '../sso/oidc/oidc-client.routes.js';
import { oidcGrantRoutes } from '../sso/oidc/oidc-grant.routes.js';
import { agentRoutes } from '../workstations/agent.routes.js';
import { workstationRoutes } from '../workstations/workstation.routes.js';
import type { App } from '../http/types.js';
import type { Services } from './services.js';

/** Every API route, under /api. One place to see what the API offers. */
export async function registerRoutes(api: App, services: Services, opts: { signInRateLimit: number }) {
  api.addHook('onClose', async () => {
    await services.credentialLimiter.close();
    await services.agentPubSub.close();
  });
  await authRoutes(api, services, opts);
  await adminPasskeyRoutes(api, services, opts);
  await adminRoutes(api, services);
  await employeeRoutes(api, services);
  await organisationRoutes(api, services);
  await employeeCredentialRoutes(api, services);
  await invitationRoutes(api, services);
  await signInRoutes(api, services, opts);
  await enrollRoutes(api, services, opts);
  await portalRoutes(api, services, opts);
  await apiKeyRoutes(api, services);
  await auditRoutes(api, services);
  await settingsRoutes(api, services);
  await brandingRoutes(api, services);
  await mailRoutes(api, services);
  await dashboardRoutes(api, services);
  await oidcClientRoutes(api, services);
  await oidcGrantRoutes(api, services);
  await directoryRoutes(api, services, opts);
  await entraPasskeyRoutes(api, services);
  await hardwareKeyRoutes(api, services);
  await serviceProviderRoutes(api, services);
  await workstationRoutes(api, services);
  await agentRoutes(api, services);
}
