import type { AdminRow } from '../admins/admin.repository.js';
import type { ApiKeyRow } from '../api-keys/api-key.repository.js';
import type { EmployeeRow } from '../employees/employee.repository.js';
import type { GuardDeps, GuardSession } from '../http/auth.js';
import type { Session } from '../sessions/session.service.js';
import type { Services } from './services.js';
import type { AgentWorkstation } from '../workstations/agent-auth.service.js';

// The route guard (src/http/auth.ts) knows people and keys only by shape; here they get the
// features' row types, so that `request.auth.admin` is an AdminRow in every route handler.
declare module '../http/auth.js' {
  interface AuthSubjects {
    admin: AdminRow;
    employee: EmployeeRow;
    apiKey: ApiKeyRow;
    session: Session;
    workstation: AgentWorkstation;
  }
}

/** A session as the sessions feature keeps it must be one the guard can judge. */
const _sessionFits = (s: Session): GuardSession => s;
void _sessionFits;

/** What the guard asks of the features, from the service graph. */
export function guardDeps(services: Services): GuardDeps {
  return {
    config: services.config,
    csrfKey: services.csrfKey,
    authenticateApiKey: (secret) => services.apiKeys.authenticate(secret),
    resolveSession: (token) => services.sessions.resolve(token),
    findAdmin: (id) => services.admins.findById(id),
    authenticateAgent: (assertion, ip) => services.agentAuth.authenticate(assertion, ip),
    findActiveEmployee: (id) => services.employeeAuth.findActiveEmployee(id),
    recordAnonymousFailure: (ctx, entry) => services.audit.recordAnonymousFailure(ctx, entry),
  };
}
