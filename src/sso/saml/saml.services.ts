import type { AuditService } from '../../audit/audit.service.js';
import type { Db } from '../../db/connection.js';
import type { Clock } from '../../lib/clock.js';
import type { PortalService } from '../../portal/portal.service.js';
import type { Sealer } from '../../security/sealing.js';
import type { SessionService } from '../../sessions/session.service.js';
import type { EmployeeAttributeSource } from '../employee-attributes.js';
import { createSamlKeyStore } from '../saml-core/keys.js';
import { createReplayStore } from '../saml-core/replay-store.js';
import { createWsFedService } from '../wsfed/wsfed.service.js';
import { createSamlLogoutService } from './slo.service.js';
import { createServiceProviderService } from './sp.service.js';
import { createSamlSsoService } from './sso.service.js';

/**
 * The SAML 2.0 IdP and WS-Federation services, wired once: one key store and one registry of
 * service providers / relying parties serve both protocols. Applications enabled for sign-in
 * from the portal are offered there as "my applications".
 */
export function createSamlServices(deps: {
  db: Db;
  sealer: Sealer;
  audit: AuditService;
  clock: Clock;
  sessions: SessionService;
  portal: PortalService;
  publicUrl: string;
  redisUrl?: string;
  redisPrefix?: string;
  attributes: Pick<EmployeeAttributeSource, 'load'>;
}) {
  const { db, sealer, audit, clock, sessions, portal, publicUrl } = deps;
  const samlReplay = createReplayStore({ db, clock, redisUrl: deps.redisUrl, redisPrefix: deps.redisPrefix ?? 'tessera:' });
  const samlKeys = createSamlKeyStore({ db, sealer, clock, audit, commonName: `Tessera SAML signing ${new URL(publicUrl).host}` });
  const serviceProviders = createServiceProviderService({ db, audit, clock });
  const samlSso = createSamlSsoService({ db, keys: samlKeys, sps: serviceProviders, replay: samlReplay, audit, clock, publicUrl, attributes: deps.attributes });
  const samlLogout = createSamlLogoutService({ db, keys: samlKeys, sps: serviceProviders, replay: samlReplay, sessions, audit, clock, urls: samlSso.urls });
  const wsfed = createWsFedService({ db, keys: samlKeys, sps: serviceProviders, audit, clock, publicUrl, attributes: deps.attributes });
  portal.addApplicationSource(async () => [
    ...(await serviceProviders.listEnabled('saml'))
      .filter((sp) => sp.idpInitiated)
      .map((sp) => ({ id: sp.id, name: sp.name, url: `/saml/start/${sp.id}`, protocol: 'saml' as const })),
    ...(await serviceProviders.listEnabled('wsfed'))
      .filter((rp) => rp.startUrl)
      .map((rp) => ({ id: rp.id, name: rp.name, url: rp.startUrl!, protocol: 'wsfed' as const })),
  ]);
  return { samlKeys, samlReplay, serviceProviders, samlSso, samlLogout, wsfed };
}
