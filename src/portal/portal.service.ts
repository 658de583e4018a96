import type { AuditService } from '../audit/audit.service.js';

/** How many sign-ins the portal shows. */
const RECENT_SIGN_INS = 20;

export interface PortalSignIn {
  at: string;
  method: string | null;
  outcome: 'success' | 'failure';
  ip: string | null;
  userAgent: string | null;
}
export interface PortalApplication {
  id: string;
  name: string;
  url: string;
  protocol: 'oidc' | 'saml' | 'wsfed';
}
/** An application as the portal shows it: with the address of its icon, when it has one. */
export interface PortalApplicationView extends PortalApplication {
  iconUrl: string | null;
}
/** What the portal needs of application icons (src/applications). */
export interface IconVersions {
  versions(applicationIds: string[]): Promise<Map<string, Date>>;
}

/** Something that knows SSO applications (OIDC clients, SAML service providers, WS-Fed relying parties). */
export type ApplicationSource = (employeeId: string) => Promise<PortalApplication[]>;

export type PortalService = ReturnType<typeof createPortalService>;

/** What the portal shows besides the employee's own credentials: recent sign-ins, applications. */
export function createPortalService(deps: {
  audit: AuditService;
  icons: IconVersions;
  /** Those of these applications the employee may use (the decision the protocols make, src/sso/app-access.ts). */
  allowedFor: (employeeId: string, apps: PortalApplication[]) => Promise<PortalApplication[]>;
}) {
  const { audit, icons } = deps;
  const sources: ApplicationSource[] = [];
  return {
    /** Each SSO protocol registers the applications it can open, once, when the services are wired. */
    addApplicationSource(source: ApplicationSource): void {
      sources.push(source);
    },
    /** The employee's last sign-in attempts, from the audit log (the one record of them). */
    async recentSignIns(employeeId: string): Promise<PortalSignIn[]> {
      const { items } = await audit.find({ action: 'employee.sign_in', targetId: employeeId }, { offset: 0, limit: RECENT_SIGN_INS });
      return items.map((e) => ({
        at: e.at.toISOString(),
        method: typeof e.details.method === 'string' ? e.details.method : null,
        outcome: e.outcome === 'success' ? 'success' : 'failure',
        ip: e.ip,
        userAgent: e.userAgent,
      }));
    },
    /** The SSO applications the employee may open, from every protocol, by name. */
    async applications(employeeId: string): Promise<PortalApplicationView[]> {
      const lists = await Promise.all(sources.map((source) => source(employeeId)));
      const apps = (await deps.allowedFor(employeeId, lists.flat())).sort((a, b) => a.name.localeCompare(b.name));
      const versions = await icons.versions(apps.map((a) => a.id));
      return apps.map((a) => {
        const version = versions.get(a.id);
        // The version in the address: a replaced icon is a new address, so the browser's cache never shows the old one.
        return { ...a, iconUrl: version ? `/api/portal/applications/${a.id}/icon?v=${version.getTime()}` : null };
      });
    },
  };
}
