import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../http/types.js';
import { sendErrorPage, sendPostForm } from '../../http/pages.js';
import { currentEmployee, protocolRouteConfig, signInRedirect } from '../sso-session.js';
import { sendLogoutStep } from '../saml/slo.routes.js';
import { buildFederationMetadata } from './federation-metadata.js';
import { continueParams, wsfedQuery } from './wsfed.schemas.js';
import { WsFedFailure, wsfedCleanupUrl, type WsFedRequest } from './wsfed.service.js';
import type { AuditService } from '../../audit/audit.service.js';
import type { SamlKeyStore } from '../saml-core/keys.js';
import type { SamlLogoutService } from '../saml/slo.service.js';
import type { WsFedService } from './wsfed.service.js';
import type { SsoSessionDeps } from '../sso-session.js';
import type { SloRoutesDeps } from '../saml/slo.routes.js';
import type { AppAccess } from '../app-access.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type WsfedRoutesDeps = {
  audit: AuditService;
  samlKeys: SamlKeyStore;
  samlLogout: SamlLogoutService;
  wsfed: WsFedService;
  appAccess: Pick<AppAccess, 'decideAppAccess'>;
} & SsoSessionDeps &
  SloRoutesDeps;

/** WS-Federation passive requestor endpoints (WS-Federation 1.2 §13) and federation metadata. */
export async function wsfedRoutes(app: App, services: WsfedRoutesDeps) {
  const limits = protocolRouteConfig(services);
  const wsfed = services.wsfed;

  app.get('/FederationMetadata/2007-06/FederationMetadata.xml', { config: limits, schema: { hide: true } }, async (_request, reply) => {
    const [keys, signingKey] = await Promise.all([services.samlKeys.publishedKeys(), services.samlKeys.activeKey()]);
    return reply
      .header('Cache-Control', 'public, max-age=300')
      .type('application/xml; charset=utf-8')
      .send(buildFederationMetadata({ entityId: wsfed.urls.entityId, endpoint: wsfed.urls.endpoint, keys, signingKey }));
  });

  async function proceed(request: FastifyRequest, reply: FastifyReply, req: WsFedRequest, pendingId?: string) {
    const who = await currentEmployee(request, services);
    if (!who) {
      const id = pendingId ?? (await wsfed.savePending(req));
      return reply.redirect(signInRedirect(`/wsfed/continue/${id}`), 303);
    }
    const ctx = { ...request.ctx, actor: { type: 'employee' as const, id: who.employee.id, label: who.employee.email } };
    // May this employee sign in to applications (src/sso/app-access.ts)? WS-Fed has no error
    // message to the RP: the employee gets a page that says why, and the refusal is audited.
    const access = await services.appAccess.decideAppAccess(who.employee, { protocol: 'wsfed', id: req.rpId });
    if (!access.allowed) {
      if (pendingId) await wsfed.dropPending(pendingId);
      await services.audit.record(ctx, {
        action: 'wsfed.sign_in_refused',
        outcome: 'failure',
        target: { type: 'wsfed_rp', id: req.rpId, label: req.realm },
        details: { code: access.code },
      });
      return sendErrorPage(reply, 403, access.code, access.message, await services.branding.get().catch(() => undefined));
    }
    const answer = await wsfed.answer(ctx, req, who);
    if (pendingId) await wsfed.dropPending(pendingId);
    return sendPostForm(reply, answer.action, answer.fields);
  }

  async function guarded(request: FastifyRequest, reply: FastifyReply, run: () => Promise<unknown>) {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof WsFedFailure)) throw err;
      // Anyone can cause this at request speed: counted per source and minute, not chained one by one.
      services.audit.recordAnonymousFailure(request.ctx, { action: 'wsfed.sign_in_refused', details: { code: err.code, reason: err.message.slice(0, 300) } });
      return sendErrorPage(reply, 400, err.code, err.message, await services.branding.get().catch(() => undefined));
    }
  }

  app.get('/wsfed', { config: limits, schema: { hide: true, querystring: wsfedQuery } }, async (request, reply) =>
    guarded(request, reply, async () => {
      const q = request.query;
      if (q.wa === 'wsignin1.0') return proceed(request, reply, await wsfed.receive(q));
      if (q.wa === 'wsignout1.0' || q.wa === 'wsignoutcleanup1.0') {
        const who = await currentEmployee(request, services);
        const ctx = who ? { ...request.ctx, actor: { type: 'employee' as const, id: who.employee.id, label: who.employee.email } } : request.ctx;
        const { back } = await wsfed.signOut(ctx, q.wreply);
        if (!who) return sendLogoutStep(reply, services, { kind: 'done', back });
        // The RP that asked is signing out already: no cleanup image for it.
        return sendLogoutStep(
          reply,
          services,
          await services.samlLogout.fromIdp(ctx, who.session.id, {
            back,
            exceptCleanup: back && wsfedCleanupUrl({ acsEndpoints: [{ url: back, isDefault: true }] }),
          }),
        );
      }
      throw new WsFedFailure('wsfed.action_unsupported', `Unsupported action wa=${q.wa ?? '(none)'}: use wsignin1.0 or wsignout1.0`);
    }),
  );

  app.get('/wsfed/continue/:id', { config: limits, schema: { hide: true, params: continueParams } }, async (request, reply) =>
    guarded(request, reply, async () => {
      const pending = await wsfed.loadPending(request.params.id);
      if (!pending)
        throw new WsFedFailure('wsfed.request_expired', 'This sign-in request has expired or was already completed: start again from the application');
      return proceed(request, reply, pending, request.params.id);
    }),
  );
}
