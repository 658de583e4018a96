import type { AppAccess } from '../app-access.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../http/types.js';
import { sendErrorPage, sendPostForm } from '../../http/pages.js';
import { currentEmployee, endEmployeeSession, protocolRouteConfig, signInRedirect, type SignedInEmployee } from '../sso-session.js';
import { STATUS } from './messages.js';
import { continueParams, spStartParams, ssoMessage } from './saml.schemas.js';
import { SsoFailure, type SsoRequest } from './sso.service.js';
import { buildIdpMetadata } from './idp-metadata.js';
import { certBody, certPem } from '../saml-core/xml.js';
import { samlLogoutRoutes } from './slo.routes.js';
import * as state from './saml-state.repository.js';
import type { AuditService } from '../../audit/audit.service.js';
import type { Db } from '../../db/connection.js';
import type { SsoSessionDeps } from '../sso-session.js';
import type { SloRoutesDeps } from './slo.routes.js';
import type { SamlSsoService } from './sso.service.js';
import type { ReplayStore } from '../saml-core/replay-store.js';
import type { SamlKeyStore } from '../saml-core/keys.js';
import type { Clock } from '../../lib/clock.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type SamlRoutesDeps = {
  clock: Clock;
  samlKeys: SamlKeyStore;
  samlReplay: ReplayStore;
  samlSso: SamlSsoService;
  audit: AuditService;
  db: Db;
  appAccess: Pick<AppAccess, 'decideAppAccess'>;
} & SsoSessionDeps &
  SloRoutesDeps;

const employeeCtx = (request: FastifyRequest, who: SignedInEmployee) => ({
  ...request.ctx,
  actor: { type: 'employee' as const, id: who.employee.id, label: who.employee.email },
});

/**
 * SAML 2.0 IdP endpoints (saml-bindings §3.4 HTTP-Redirect, §3.5 HTTP-POST), outside /api: they
 * answer in SAML's own forms — a Response with a status to a registered ACS, or an error page.
 */
export async function samlProtocolRoutes(app: App, services: SamlRoutesDeps) {
  const limits = protocolRouteConfig(services);
  const sso = services.samlSso;
  const hide = { hide: true };
  app.addHook('onClose', async () => {
    await services.samlReplay.close();
  });
  // The signing key is made on first start (when the server listens), so that metadata is ready
  // before any SP asks; apps that never listen (tests with inject) make it on first use instead.
  app.addHook('onListen', async () => {
    await services.samlKeys.activeKey().catch((err: Error) => app.log.warn({ err: err.message }, 'SAML signing key not ready yet: it is made on first use'));
  });

  app.get('/saml/metadata', { config: limits, schema: hide }, async (_request, reply) => {
    const [keys, signingKey] = await Promise.all([services.samlKeys.publishedKeys(), services.samlKeys.activeKey()]);
    const xml = buildIdpMetadata({ ...sso.urls, keys, signingKey });
    return reply.header('Cache-Control', 'public, max-age=300').type('application/samlmetadata+xml; charset=utf-8').send(xml);
  });

  // The signing certificate alone, for SPs that ask for a file rather than metadata (GitHub,
  // Google Workspace): PEM, and DER as application/pkix-cert (RFC 2585 §4.1). It is the key that
  // signs now; during a rollover the metadata also carries the next one.
  app.get('/saml/certificate.pem', { config: limits, schema: hide }, async (_request, reply) => {
    const { certificate } = await services.samlKeys.activeKey();
    return reply
      .header('Cache-Control', 'public, max-age=300')
      .header('Content-Disposition', 'attachment; filename="tessera-saml-signing.pem"')
      .type('application/x-pem-file')
      .send(certPem(certificate));
  });
  app.get('/saml/certificate.cer', { config: limits, schema: hide }, async (_request, reply) => {
    const { certificate } = await services.samlKeys.activeKey();
    return reply
      .header('Cache-Control', 'public, max-age=300')
      .header('Content-Disposition', 'attachment; filename="tessera-saml-signing.cer"')
      .type('application/pkix-cert')
      .send(Buffer.from(certBody(certificate), 'base64'));
  });

  /** Answers a request whose SP is settled: now if the employee's session fits it, else after signing in. */
  async function proceed(request: FastifyRequest, reply: FastifyReply, sso_: SsoRequest, pendingId?: string) {
    const who = await currentEmployee(request, services);
    // ForceAuthn (saml-core §3.4.1): the sign-in must be newer than the request. Every sign-in
    // starts a new session, whose creation time is precise where the sign-in time is in seconds.
    const fresh = who && (!sso_.forceAuthn || who.session.createdAt.getTime() > sso_.receivedAt);
    if (!fresh) {
      // IsPassive: the IdP must not show anything; answer NoPassive (saml-core §3.2.2.2).
      if (sso_.isPassive) {
        if (pendingId) await sso.dropPending(pendingId);
        throw new SsoFailure('saml.no_passive', 'The employee is not signed in', {
          request: sso_,
          status: { top: STATUS.responder, second: STATUS.noPassive },
        });
      }
      let carried: string | undefined;
      if (who) {
        // Re-authentication: the sign-in page passes a signed-in employee straight through, so the
        // session ends here; its SAML sessions move to the new session on completion.
        carried = who.session.id;
        await endEmployeeSession(reply, services, who.session);
      }
      const data = { ...sso_, ...(carried ? { carriedSessionId: carried } : {}) } as SsoRequest;
      let id = pendingId;
      if (!id) id = await sso.savePending(data);
      else if (carried) await state.updatePending(services.db, id, data as unknown as Record<string, unknown>);
      return reply.redirect(signInRedirect(`/saml/continue/${id}`), 303);
    }
    const carried = (sso_ as SsoRequest & { carriedSessionId?: string }).carriedSessionId;
    if (carried) await state.moveSamlSessions(services.db, carried, who.session.id, who.employee.id);
    // May this employee sign in to applications (src/sso/app-access.ts)? A refusal is a Response
    // to the SP's registered ACS with Responder / RequestDenied (saml-core §3.2.2.2), audited.
    const access = await services.appAccess.decideAppAccess(who.employee, { protocol: 'saml', id: sso_.spId });
    if (!access.allowed) {
      if (pendingId) await sso.dropPending(pendingId);
      const refusal = await sso.refuse(
        employeeCtx(request, who),
        new SsoFailure(access.code, access.message, { request: sso_, status: { top: STATUS.responder, second: STATUS.requestDenied } }),
      );
      return sendPostForm(reply, refusal.action, refusal.fields);
    }
    const answer = await sso.answer(employeeCtx(request, who), sso_, who);
    if (pendingId) await sso.dropPending(pendingId);
    return sendPostForm(reply, answer.action, answer.fields);
  }

  async function guarded(request: FastifyRequest, reply: FastifyReply, run: () => Promise<unknown>) {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof SsoFailure)) throw err;
      if (err.answer) {
        const answer = await sso.refuse(request.ctx, err);
        return sendPostForm(reply, answer.action, answer.fields);
      }
      // No SP to answer: anyone can cause this at request speed, so it is counted, not chained one by one.
      services.audit.recordAnonymousFailure(request.ctx, { action: 'saml.sign_in_refused', details: { code: err.code, reason: err.message.slice(0, 300) } });
      return sendErrorPage(reply, 400, err.code, err.message, await services.branding.get().catch(() => undefined));
    }
  }

  app.get('/saml/sso', { config: limits, schema: { ...hide, querystring: ssoMessage } }, async (request, reply) =>
    guarded(request, reply, async () => {
      const { SAMLRequest, RelayState } = request.query;
      if (!SAMLRequest) throw new SsoFailure('saml.request_missing', 'No SAMLRequest in the request');
      const rawQuery = request.url.slice(request.url.indexOf('?') + 1);
      return proceed(request, reply, await sso.receive({ binding: 'redirect', message: SAMLRequest, relayState: RelayState ?? null, rawQuery }));
    }),
  );

  app.post('/saml/sso', { config: limits, schema: { ...hide, body: ssoMessage } }, async (request, reply) =>
    guarded(request, reply, async () => {
      const { SAMLRequest, RelayState } = request.body ?? {};
      if (!SAMLRequest) throw new SsoFailure('saml.request_missing', 'No SAMLRequest in the form');
      // A cross-site POST carries no SameSite=Lax cookie: keep the request and continue with a GET.
      const received = await sso.receive({ binding: 'post', message: SAMLRequest, relayState: RelayState ?? null });
      const id = await sso.savePending(received);
      return reply.redirect(`/saml/continue/${id}`, 303);
    }),
  );

  app.get('/saml/continue/:id', { config: limits, schema: { ...hide, params: continueParams } }, async (request, reply) =>
    guarded(request, reply, async () => {
      const pending = await sso.loadPending(request.params.id);
      if (!pending) throw new SsoFailure('saml.request_expired', 'This sign-in request has expired or was already completed: start again from the application');
      return proceed(request, reply, pending, request.params.id);
    }),
  );

  /** IdP-initiated sign-in, the portal's application link. */
  app.get('/saml/start/:id', { config: limits, schema: { ...hide, params: spStartParams } }, async (request, reply) =>
    guarded(request, reply, async () => proceed(request, reply, await sso.unsolicited(request.params.id))),
  );

  await samlLogoutRoutes(app, services);
}
