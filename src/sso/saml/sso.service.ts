import crypto from 'node:crypto';
import type { AuditService } from '../../audit/audit.service.js';
import type { Db } from '../../db/connection.js';
import type { Clock } from '../../lib/clock.js';
import type { RequestContext } from '../../lib/context.js';
import { buildAssertion20 } from '../saml-core/assertion.js';
import { encryptAssertion } from '../saml-core/encryption.js';
import type { SamlKeyStore } from '../saml-core/keys.js';
import type { ReplayStore } from '../saml-core/replay-store.js';
import { signElement, verifyRedirectSignature, verifyRootSignature } from '../saml-core/signature.js';
import { AUTHN_CONTEXT, mapAttributes, nameIdFor } from '../saml-core/subject.js';
import { newSamlId } from '../saml-core/xml.js';
import type { EmployeeAttributeSource } from '../employee-attributes.js';
import type { SignedInEmployee } from '../sso-session.js';
import { BINDING_POST, buildResponse, decodeMessage, readAuthnRequest, rootOf, STATUS, type Status } from './messages.js';
import * as state from './saml-state.repository.js';
import type { ServiceProviderService } from './sp.service.js';
import type { ServiceProviderRow } from './sp.repository.js';

/** An AuthnRequest is answered only this long after its IssueInstant (plus the SP's clock skew). */
const REQUEST_LIFETIME_S = 300;
/** A pending request waits this long for the employee to sign in. */
const PENDING_LIFETIME_S = 900;
/** Assertions are valid this long (saml-profiles §4.1.4.2: short-lived bearer assertions). */
const ASSERTION_LIFETIME_S = 300;

/** A request the SP is waiting on: where and how to answer. Kept server-side while the employee signs in. */
export interface SsoRequest {
  spId: string;
  acsUrl: string;
  requestId: string | null;
  relayState: string | null;
  forceAuthn: boolean;
  isPassive: boolean;
  /** Unix ms when the request arrived: ForceAuthn needs a sign-in after this. */
  receivedAt: number;
}

/**
 * A request that cannot be answered with an assertion. With `answer` the SP and its ACS are known
 * and registered, so the failure goes back as a SAML status; without, the browser sees an error page.
 */
export class SsoFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly answer?: { request: SsoRequest; status: Status },
  ) {
    super(message);
    this.name = 'SsoFailure';
  }
}

export interface PostAnswer {
  action: string;
  fields: Record<string, string | undefined>;
}

const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

export type SamlSsoService = ReturnType<typeof createSamlSsoService>;

export function createSamlSsoService(deps: {
  db: Db;
  keys: SamlKeyStore;
  sps: ServiceProviderService;
  replay: ReplayStore;
  audit: AuditService;
  clock: Clock;
  publicUrl: string;
  /** What the assertion says about the employee (src/sso/employee-attributes.ts). */
  attributes: Pick<EmployeeAttributeSource, 'load'>;
}) {
  const { db, keys, sps, replay, audit, clock } = deps;
  const urls = {
    entityId: `${deps.publicUrl}/saml/metadata`,
    sso: `${deps.publicUrl}/saml/sso`,
    slo: `${deps.publicUrl}/saml/slo`,
    certificatePem: `${deps.publicUrl}/saml/certificate.pem`,
    certificateDer: `${deps.publicUrl}/saml/certificate.cer`,
  };

  /** The ACS to answer to: only one registered for this SP (saml-profiles §4.1.4.1; no open redirect). */
  function chooseAcs(sp: ServiceProviderRow, url: string | null, index: number | null): string | undefined {
    const post = sp.acsEndpoints.filter((a) => a.binding === 'post');
    if (url) return post.find((a) => a.url === url)?.url;
    if (index !== null) return post.find((a) => a.index === index)?.url;
    return (post.find((a) => a.isDefault) ?? post[0])?.url;
  }

  /**
   * Decodes, authenticates and checks an AuthnRequest from either binding. Order matters: the
   * SP and ACS are settled before anything else, so every later failure can go back to the SP.
   */
  async function receive(input: { binding: 'redirect' | 'post'; message: string; relayState: string | null; rawQuery?: string }): Promise<SsoRequest> {
    let root;
    try {
      root = rootOf(decodeMessage(input.message, input.binding === 'redirect'));
    } catch (err) {
      throw new SsoFailure('saml.request_malformed', `The SAML request cannot be read: ${(err as Error).message}`);
    }
    let request;
    try {
      request = readAuthnRequest(root);
    } catch (err) {
      throw new SsoFailure('saml.request_malformed', `The SAML request cannot be used: ${(err as Error).message}`);
    }
    const sp = await sps.findEnabledByEntityId('saml', request.issuer);
    if (!sp) throw new SsoFailure('saml.sp_unknown', `No enabled service provider is registered with entity ID ${request.issuer}`);
    const acsUrl = chooseAcs(sp, request.acsUrl, request.acsIndex);
    if (!acsUrl)
      throw new SsoFailure(
        'saml.acs_unknown',
        `${request.acsUrl ?? `ACS index ${request.acsIndex}`} is not an assertion consumer service registered for ${sp.name}`,
      );
    const now = clock.now();
    const answerable: SsoRequest = {
      spId: sp.id,
      acsUrl,
      requestId: request.id,
      relayState: input.relayState,
      forceAuthn: request.forceAuthn,
      isPassive: request.isPassive,
      receivedAt: now.getTime(),
    };
    const refuse = (code: string, message: string, status: Status = { top: STATUS.requester, message }) =>
      new SsoFailure(code, message, { request: answerable, status });

    const isSigned = input.binding === 'redirect' ? /(^|&)Signature=/.test(input.rawQuery ?? '') : /Signature[\s>]/.test(decodeMessage(input.message, false));
    if (sp.requireSignedRequests || (isSigned && sp.certificates.length)) {
      try {
        if (input.binding === 'redirect') verifyRedirectSignature(input.rawQuery ?? '', 'SAMLRequest', sp.certificates);
        // POST: only the element the signature covers is read from here on.
        else request = readAuthnRequest(verifyRootSignature(decodeMessage(input.message, false), sp.certificates));
      } catch (err) {
        throw refuse('saml.signature_invalid', `The AuthnRequest signature is not valid: ${(err as Error).message}`, {
          top: STATUS.requester,
          second: STATUS.requestDenied,
          message: 'signature not valid',
        });
      }
      if (request.issuer !== sp.entityId || (request.acsUrl && request.acsUrl !== acsUrl))
        throw refuse('saml.signature_invalid', 'The signed request differs from the one received');
      // From here on only what the signature covers counts.
      Object.assign(answerable, { requestId: request.id, forceAuthn: request.forceAuthn, isPassive: request.isPassive });
    }
    if (request.protocolBinding && request.protocolBinding !== BINDING_POST)
      throw refuse('saml.binding_unsupported', 'Only the HTTP-POST binding is offered for responses', {
        top: STATUS.requester,
        second: STATUS.unsupportedBinding,
      });
    if (request.destination && request.destination !== urls.sso)
      throw refuse('saml.destination_mismatch', `The request is for ${request.destination}, not ${urls.sso}`);
    const skew = sp.clockSkewSeconds * 1000;
    const issued = request.issueInstant.getTime();
    if (issued > now.getTime() + skew || issued + REQUEST_LIFETIME_S * 1000 + skew < now.getTime())
      throw refuse('saml.request_expired', 'The request is too old or from the future (check the clocks)');
    // Replay: an ID is accepted once while it could still be valid (saml-profiles §4.1.4.5 spirit).
    const fresh = await replay.markSeen(`authn:${sp.id}:${request.id}`, new Date(issued + REQUEST_LIFETIME_S * 1000 + 2 * skew));
    if (!fresh)
      throw refuse('saml.request_replayed', 'This request was already used', {
        top: STATUS.requester,
        second: STATUS.requestDenied,
        message: 'request replayed',
      });
    return answerable;
  }

  /** The SAML Response for a signed-in employee: assertion signed, then encrypted, then the Response signed, as the SP asks. */
  async function answer(ctx: RequestContext, request: SsoRequest, who: SignedInEmployee): Promise<PostAnswer> {
    const sp = await sps.findEnabledById('saml', request.spId);
    if (!sp) throw new SsoFailure('saml.sp_unknown', 'The service provider was removed or disabled meanwhile');
    const now = clock.now();
    const key = await keys.activeKey();
    const person = await deps.attributes.load(who.employee.id);
    if (!person) throw new SsoFailure('saml.employee_unknown', 'The employee was removed meanwhile');
    const nameId = nameIdFor(person, sp);
    const sessionIndex = newSamlId(crypto.randomBytes);
    const sessionEnd = new Date(Math.min(now.getTime() + sp.sessionLifetimeMinutes * 60_000, who.session.expiresAt.getTime()));
    const assertionId = newSamlId(crypto.randomBytes);
    let assertion = buildAssertion20({
      id: assertionId,
      issuer: urls.entityId,
      issueInstant: now,
      subject: { nameId: nameId.value, format: nameId.format, spNameQualifier: sp.entityId },
      audience: sp.entityId,
      notBefore: new Date(now.getTime() - sp.clockSkewSeconds * 1000),
      notOnOrAfter: new Date(now.getTime() + ASSERTION_LIFETIME_S * 1000),
      confirmation: { recipient: request.acsUrl, inResponseTo: request.requestId ?? undefined },
      authn: {
        instant: new Date(who.authentication.time * 1000),
        contextClassRef: AUTHN_CONTEXT[who.authentication.method],
        sessionIndex,
        sessionNotOnOrAfter: sessionEnd,
      },
      attributes: mapAttributes(person, sp.attributes),
    });
    if (sp.signAssertion) assertion = signElement(assertion, key, { localName: 'Assertion', id: assertionId });
    if (sp.encryptAssertion) assertion = await encryptAssertion(assertion, sp.certificates[0]);
    const responseId = newSamlId(crypto.randomBytes);
    let response = buildResponse({
      id: responseId,
      issuer: urls.entityId,
      issueInstant: now,
      destination: request.acsUrl,
      inResponseTo: request.requestId,
      status: { top: STATUS.success },
      assertion,
    });
    if (sp.signResponse) response = signElement(response, key, { localName: 'Response', id: responseId });
    await state.insertSamlSession(
      db,
      {
        employeeId: who.employee.id,
        sessionId: who.session.id,
        spId: sp.id,
        nameId: nameId.value,
        nameIdFormat: nameId.format,
        sessionIndex,
        expiresAt: sessionEnd,
      },
      now,
    );
    await audit.record(ctx, {
      action: 'saml.sign_in',
      target: { type: 'saml_sp', id: sp.id, label: sp.name },
      details: {
        employeeId: who.employee.id,
        method: who.authentication.method,
        flow: request.requestId ? 'sp_initiated' : 'idp_initiated',
        acs: request.acsUrl,
      },
    });
    return { action: request.acsUrl, fields: { SAMLResponse: b64(response), RelayState: request.relayState ?? undefined } };
  }

  /** A Response with an error status to the SP's registered ACS (saml-core §3.2.2.2), signed when the SP wants signed responses. */
  async function refuse(ctx: RequestContext, failure: SsoFailure): Promise<PostAnswer> {
    const { request, status } = failure.answer!;
    const sp = await sps.findRowById(request.spId);
    const refused = { code: failure.code, reason: failure.message.slice(0, 300) };
    // A stranger can send AuthnRequests for a registered SP at request speed: counted per source
    // and minute; a signed-in employee's refusal stays one record.
    if (ctx.actor.type === 'anonymous')
      audit.recordAnonymousFailure(ctx, { action: 'saml.sign_in_refused', details: { spId: request.spId, sp: sp?.name ?? null, ...refused } });
    else
      await audit.record(ctx, {
        action: 'saml.sign_in_refused',
        outcome: 'failure',
        target: { type: 'saml_sp', id: request.spId, label: sp?.name ?? null },
        details: refused,
      });
    const id = newSamlId(crypto.randomBytes);
    let response = buildResponse({
      id,
      issuer: urls.entityId,
      issueInstant: clock.now(),
      destination: request.acsUrl,
      inResponseTo: request.requestId,
      status,
    });
    if (sp?.signResponse !== false) response = signElement(response, await keys.activeKey(), { localName: 'Response', id });
    return { action: request.acsUrl, fields: { SAMLResponse: b64(response), RelayState: request.relayState ?? undefined } };
  }

  return {
    urls,
    receive,
    answer,
    refuse,
    /** IdP-initiated sign-in (saml-profiles §4.1.5): an unsolicited Response to the SP's default ACS. */
    async unsolicited(spId: string): Promise<SsoRequest> {
      const sp = await sps.findEnabledById('saml', spId);
      if (!sp?.idpInitiated) throw new SsoFailure('saml.sp_unknown', 'This application does not offer sign-in from the portal');
      const acsUrl = chooseAcs(sp, null, null);
      if (!acsUrl) throw new SsoFailure('saml.acs_unknown', 'The application has no HTTP-POST assertion consumer service');
      return { spId, acsUrl, requestId: null, relayState: sp.startUrl, forceAuthn: false, isPassive: false, receivedAt: clock.now().getTime() };
    },
    async savePending(request: SsoRequest, kind = 'sso'): Promise<string> {
      const id = crypto.randomBytes(24).toString('base64url');
      await state.insertPending(db, {
        id,
        kind,
        data: request as unknown as Record<string, unknown>,
        expiresAt: new Date(clock.now().getTime() + PENDING_LIFETIME_S * 1000),
      });
      return id;
    },
    async loadPending<T = SsoRequest>(id: string, kind = 'sso'): Promise<T | undefined> {
      if (!/^[A-Za-z0-9_-]{16,64}$/.test(id)) return undefined;
      return (await state.findPending(db, id, kind, clock.now()))?.data as T | undefined;
    },
    async dropPending(id: string): Promise<void> {
      await state.deletePending(db, id, clock.now());
    },
  };
}
