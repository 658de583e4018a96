import { z } from 'zod';
import { errors } from '../http/schemas.js';
import type { App } from '../http/types.js';
import { checkReturnTo } from '../lib/return-to.js';
import type { Config } from '../config/config.js';
import type { OidcService } from './oidc/oidc.service.js';
import type { SamlSsoService } from './saml/sso.service.js';
import type { ServiceProviderService } from './saml/sp.service.js';
import type { WsFedService } from './wsfed/wsfed.service.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type SignInContextRoutesDeps = {
  config: Config;
  oidc: Pick<OidcService, 'runtime' | 'clients'>;
  samlSso: Pick<SamlSsoService, 'loadPending'>;
  wsfed: Pick<WsFedService, 'loadPending'>;
  serviceProviders: Pick<ServiceProviderService, 'findEnabledById'>;
};

const contextQuery = z.object({ return_to: z.string().max(8192).optional() }).strict();
const contextAnswer = z.object({
  application: z
    .object({
      name: z.string().describe('The name an administrator gave the application in Tessera'),
      protocol: z.enum(['oidc', 'saml', 'wsfed']),
    })
    .nullable(),
});
type Application = z.infer<typeof contextAnswer>['application'];

/** The resume paths that the protocols send to /signin (signInRedirect in sso-session.ts), and nothing else. */
const RESUME = /^\/(saml\/continue|wsfed\/continue|oidc\/interaction)\/([A-Za-z0-9_-]{1,128})$/;

/**
 * `GET /api/signin/context?return_to=…`: which application a sign-in is for, so that the sign-in
 * page can say "Sign in to <application>". The answer comes only from what the server itself
 * holds: the return address must be one of the protocols' resume paths, whose id names a pending
 * request Tessera stored (a SAML AuthnRequest, a WS-Fed sign-in, an OIDC interaction) for an
 * application that is registered and enabled; its name is the one an administrator gave it.
 * Nothing of the request is echoed, and anything else answers `application: null`. The ids are
 * random and short-lived; knowing one already lets a browser continue that sign-in.
 */
export async function signInContextRoutes(app: App, services: SignInContextRoutesDeps, opts: { signInRateLimit: number }) {
  app.get(
    '/signin/context',
    {
      config: { access: 'public', rateLimit: { max: opts.signInRateLimit, timeWindow: '1 minute' } },
      schema: {
        tags: ['Employee sign-in'],
        summary: 'Which application a sign-in is for',
        querystring: contextQuery,
        response: { 200: contextAnswer, ...errors },
        description:
          "The application a sign-in page's `return_to` resumes (a pending SAML request, WS-Fed sign-in or OIDC interaction), by the name registered in Tessera; `application: null` for any other address or one that has expired.",
      },
    },
    async (request) => ({ application: await applicationOf(services, request.query.return_to) }),
  );
}

async function applicationOf(services: SignInContextRoutesDeps, returnTo: string | undefined): Promise<Application> {
  if (!returnTo) return null;
  const path = checkReturnTo(returnTo, { publicUrl: services.config.publicUrl, fallback: '' });
  const match = RESUME.exec(path);
  if (!match) return null;
  const [, kind, id] = match;
  if (kind === 'saml/continue') {
    const pending = await services.samlSso.loadPending(id);
    const sp = pending && (await services.serviceProviders.findEnabledById('saml', pending.spId));
    return sp ? { name: sp.name, protocol: 'saml' } : null;
  }
  if (kind === 'wsfed/continue') {
    const pending = await services.wsfed.loadPending(id);
    const rp = pending && (await services.serviceProviders.findEnabledById('wsfed', pending.rpId));
    return rp ? { name: rp.name, protocol: 'wsfed' } : null;
  }
  const provider = services.oidc.runtime.provider;
  const interaction = provider ? await provider.Interaction.find(id).catch(() => undefined) : undefined;
  const clientId = interaction?.params?.client_id;
  if (typeof clientId !== 'string') return null;
  const client = await services.oidc.clients.findByClientId(clientId);
  return client ? { name: client.name, protocol: 'oidc' } : null;
}
