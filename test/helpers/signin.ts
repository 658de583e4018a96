/** Employees, policies and passkeys for the sign-in tests. */
import type { WebAuthnSubject } from '../../src/authn/webauthn.service.js';
import type { EmployeeDto } from '../../src/employees/employee.schemas.js';
import { cliContext } from '../../src/lib/context.js';
import { totpCode } from '../../src/security/totp.js';
import type { SettingsPatch } from '../../src/settings/settings.schemas.js';
import type { Client, TestApp } from './app.js';
import type { ClientOverrides, SoftAuthenticator } from './soft-authenticator.js';

/** The test app's PUBLIC_URL origin, which the browser side of every ceremony reports. */
export const ORIGIN = 'http://localhost:8080';

let counter = 0;

export async function createEmployee(
  t: TestApp,
  overrides: Partial<{ email: string; firstName: string; lastName: string; status: 'active' | 'disabled' | 'deactivated' }> = {},
): Promise<EmployeeDto> {
  counter++;
  return t.services.employees.create(cliContext(), {
    email: overrides.email ?? `employee${counter}.${Date.now()}@corp.example`,
    firstName: overrides.firstName ?? 'Grace',
    lastName: overrides.lastName ?? `Hopper${counter}`,
    ...(overrides.status ? { status: overrides.status } : {}),
  });
}

export const subjectOf = (e: EmployeeDto): WebAuthnSubject => ({ type: 'employee', id: e.id, name: e.email, displayName: `${e.firstName} ${e.lastName}` });

export async function setPolicy(t: TestApp, authenticators: NonNullable<SettingsPatch['authenticators']>, rest: Omit<SettingsPatch, 'authenticators'> = {}) {
  await t.services.settings.update(cliContext(), { ...rest, authenticators });
}

/** The default policy of a fresh server, to restore between tests. */
export const DEFAULT_POLICY = {
  allowPlatform: false,
  userVerification: 'required',
  attestation: 'none',
  aaguidAllowList: [],
  maxCredentialsPerEmployee: 5,
  allowPasswordSignIn: false,
  secondFactors: ['totp', 'passkey'],
  signCountPolicy: 'refuse',
} as const satisfies NonNullable<SettingsPatch['authenticators']>;

/** Registers a credential for an employee through the service (what enrolment and the portal do). */
export async function registerKey(
  t: TestApp,
  employee: EmployeeDto,
  key: SoftAuthenticator,
  kind: 'passkey' | 'security_key' = 'security_key',
  o: Partial<ClientOverrides> = {},
) {
  const { ceremonyId, options } = await t.services.webauthn.startRegistration(subjectOf(employee), kind);
  return t.services.webauthn.finishRegistration(cliContext(), {
    subject: subjectOf(employee),
    ceremonyId,
    response: key.register(options, { origin: ORIGIN, ...o }),
  });
}

/** Username-less sign-in through the API; returns the verify answer. */
export async function passkeySignIn(client: Client, key: SoftAuthenticator, o: Partial<ClientOverrides> = {}, body: { email?: string } = {}) {
  const start = await client.post('/api/signin/webauthn/options', body);
  if (start.status !== 200) throw new Error(`options failed: ${start.raw}`);
  return client.post('/api/signin/webauthn/verify', {
    ceremonyId: start.body.ceremonyId,
    response: key.authenticate(start.body.options, { origin: ORIGIN, ...o }),
  });
}

/**
 * Gives an employee a password and a TOTP as enrolment does (policy must allow them at that
 * moment; it is restored afterwards). Returns the TOTP seed.
 */
export async function givePasswordAndTotp(t: TestApp, employee: EmployeeDto, password: string): Promise<string> {
  const before = (await t.services.settings.get()).authenticators;
  await setPolicy(t, { allowPasswordSignIn: true, secondFactors: ['totp', 'passkey'] });
  const { secret } = await t.services.employeeFactors.beginTotp(employee);
  const prepared = await t.services.employeeFactors.preparePasswordAndTotp(employee, password, totpCode(secret, t.services.clock.now().getTime()));
  await t.services.db.transaction((tx) => t.services.employeeFactors.savePasswordAndTotp(cliContext(), tx, employee, prepared));
  await setPolicy(t, before);
  return secret;
}
