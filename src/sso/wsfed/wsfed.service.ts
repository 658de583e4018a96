import crypto from 'node:crypto';
import type { AuditService } from '../../audit/audit.service.js';
import type { Db } from '../../db/connection.js';
import type { Clock } from '../../lib/clock.js';
import type { RequestContext } from '../../lib/context.js';
import { buildAssertion11, buildAssertion20 } from '../saml-core/assertion.js';
import type { SamlKeyStore } from '../saml-core/keys.js';
import { signElement } from '../saml-core/signature.js';
import { AUTHN_CONTEXT, mapAttributes, nameIdFor } from '../saml-core/subject.js';
import { newSamlId, samlTime, xmlEscape as x } from '../saml-core/xml.js';
import * as state from '../saml/saml-state.repository.js';
import type { ServiceProviderService } from '../saml/sp.service.js';
import type { EmployeeAttributeSource } from '../employee-attributes.js';
import type { SignedInEmployee } from '../sso-session.js';

/** Tokens are valid this long; the RP turns them into its own session. */
const TOKEN_LIFETIME_S = 3600;
const PENDING_LIFETIME_S = 900;

/** A sign-in request from a relying party (WS-Federation 1.2 §13.2.1 wsignin1.0). */
export interface WsFedRequest {
  rpId: string;
  realm: string;
  replyUrl: string;
  wctx: string | null;
  receivedAt: number;
}

export class WsFedFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'WsFedFailure';
  }
}

const TOKEN_TYPE = { saml11: 'urn:oasis:names:tc:SAML:1.0:assertion', saml20: 'urn:oasis:names:tc:SAML:2.0:assertion' } as const;
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';

export type WsFedService = ReturnType<typeof createWsFedService>;

/** A relying party's sign-out cleanup URL (WS-Federation 1.2 §13.2.4 wsignoutcleanup1.0), on its default reply URL. */
export function wsfedCleanupUrl(rp: { acsEndpoints: { url: string; isDefault: boolean }[] }): string | undefined {
  const url = (rp.acsEndpoints.find((a) => a.isDefault) ?? rp.acsEndpoints[0])?.url;
  return url && `${url}${url.includes('?') ? '&' : '?'}wa=wsignoutcleanup1.0`;
}

/**
 * WS-Federation passive requestor profile: a signed SAML 1.1 or 2.0 token in a WS-Trust
 * RequestSecurityTokenResponse, posted to the relying party's registered reply URL.
 */
export function createWsFedService(deps: {
  db: Db;
  keys: SamlKeyStore;
  sps: ServiceProviderService;
  audit: AuditService;
  clock: Clock;
  publicUrl: string;
  /** What the token says about the employee (src/sso/employee-attributes.ts). */
  attributes: Pick<EmployeeAttributeSource, 'load'>;
}) {
  const { db, keys, sps, audit, clock } = deps;
  const urls = {
    entityId: `${deps.publicUrl}/wsfed`,
    endpoint: `${deps.publicUrl}/wsfed`,
    metadata: `${deps.publicUrl}/FederationMetadata/2007-06/FederationMetadata.xml`,
  };

  /** The registered reply URLs of an RP: wreply must be one of them exactly (no open redirect). */
  const replyUrls = (rp: { acsEndpoints: { url: string; isDefault: boolean }[] }) => rp.acsEndpoints.map((a) => a.url);

  return {
    urls,
    async receive(input: { wtrealm?: string; wreply?: string; wctx?: string }): Promise<WsFedRequest> {
      if (!input.wtrealm) throw new WsFedFailure('wsfed.realm_missing', 'The sign-in request names no realm (wtrealm)');
      const rp = await sps.findEnabledByEntityId('wsfed', input.wtrealm);
      if (!rp) throw new WsFedFailure('wsfed.rp_unknown', `No enabled relying party is registered with realm ${input.wtrealm}`);
      const replyUrl = input.wreply ? replyUrls(rp).find((u) => u === input.wreply) : (rp.acsEndpoints.find((a) => a.isDefault) ?? rp.acsEndpoints[0])?.url;
      if (!replyUrl) throw new WsFedFailure('wsfed.reply_unknown', `${input.wreply} is not a reply URL registered for ${rp.name}`);
      return { rpId: rp.id, realm: rp.entityId, replyUrl, wctx: input.wctx ?? null, receivedAt: clock.now().getTime() };
    },
    async answer(ctx: RequestContext, request: WsFedRequest, who: SignedInEmployee): Promise<{ action: string; fields: Record<string, string | undefined> }> {
      const rp = await sps.findEnabledById('wsfed', request.rpId);
      if (!rp) throw new WsFedFailure('wsfed.rp_unknown', 'The relying party was removed or disabled meanwhile');
      const now = clock.now();
      const expires = new Date(now.getTime() + TOKEN_LIFETIME_S * 1000);
      const key = await keys.activeKey();
      const person = await deps.attributes.load(who.employee.id);
      if (!person) throw new WsFedFailure('wsfed.employee_unknown', 'The employee was removed meanwhile');
      const nameId = nameIdFor(person, rp);
      const id = newSamlId(crypto.randomBytes);
      const isSaml11 = rp.tokenType === 'saml11';
      const input = {
        id,
        issuer: urls.entityId,
        issueInstant: now,
        subject: { nameId: nameId.value, format: nameId.format },
        audience: rp.entityId,
        notBefore: new Date(now.getTime() - rp.clockSkewSeconds * 1000),
        notOnOrAfter: expires,
        authn: { instant: new Date(who.authentication.time * 1000), contextClassRef: AUTHN_CONTEXT[who.authentication.method] },
        attributes: mapAttributes(person, rp.attributes),
      };
      const token = isSaml11
        ? signElement(buildAssertion11(input), key, { localName: 'Assertion', id, idAttribute: 'AssertionID' })
        : signElement(buildAssertion20(input), key, { localName: 'Assertion', id });
      const rstr =
        `<t:RequestSecurityTokenResponse xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust">` +
        `<t:Lifetime><wsu:Created xmlns:wsu="${WSU}">${samlTime(now)}</wsu:Created><wsu:Expires xmlns:wsu="${WSU}">${samlTime(expires)}</wsu:Expires></t:Lifetime>` +
        `<wsp:AppliesTo xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy"><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>${x(rp.entityId)}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>` +
        `<t:RequestedSecurityToken>${token}</t:RequestedSecurityToken>` +
        `<t:TokenType>${isSaml11 ? TOKEN_TYPE.saml11 : TOKEN_TYPE.saml20}</t:TokenType>` +
        '<t:RequestType>http://schemas.xmlsoap.org/ws/2005/02/trust/Issue</t:RequestType>' +
        '<t:KeyType>http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey</t:KeyType>' +
        '</t:RequestSecurityTokenResponse>';
      await state.insertSamlSession(
        db,
        {
          employeeId: who.employee.id,
          sessionId: who.session.id,
          spId: rp.id,
          nameId: nameId.value,
          nameIdFormat: nameId.format,
          sessionIndex: newSamlId(crypto.randomBytes),
          expiresAt: new Date(Math.min(now.getTime() + rp.sessionLifetimeMinutes * 60_000, who.session.expiresAt.getTime())),
        },
        now,
      );
      await audit.record(ctx, {
        action: 'wsfed.sign_in',
        target: { type: 'wsfed_rp', id: rp.id, label: rp.name },
        details: { employeeId: who.employee.id, method: who.authentication.method, tokenType: rp.tokenType, reply: request.replyUrl },
      });
      return { action: request.replyUrl, fields: { wa: 'wsignin1.0', wresult: rstr, wctx: request.wctx ?? undefined } };
    },
    /**
     * wsignout1.0 / wsignoutcleanup1.0 (WS-Federation 1.2 §13.2.4): where the browser may go back
     * to — wreply only if some relying party registered it. The session itself ends through the
     * IdP-initiated single logout (slo.service), which tells the session's SAML SPs and has its
     * other relying parties clean up (as ADFS does for OWA and ECP).
     */
    async signOut(ctx: RequestContext, wreply: string | undefined): Promise<{ back?: string }> {
      const all = await sps.listEnabled('wsfed');
      const back = wreply && all.some((rp) => replyUrls(rp).includes(wreply) || rp.startUrl === wreply) ? wreply : undefined;
      const details = { wreply: wreply?.slice(0, 300) ?? null, returned: !!back };
      // Without a session nothing ends, and anyone can ask at request speed: counted, not chained one by one.
      if (ctx.actor.type === 'anonymous') audit.recordAnonymousFailure(ctx, { action: 'wsfed.sign_out', outcome: 'success', details });
      else await audit.record(ctx, { action: 'wsfed.sign_out', details });
      return { back };
    },
    async savePending(request: WsFedRequest): Promise<string> {
      const id = crypto.randomBytes(24).toString('base64url');
      await state.insertPending(db, {
        id,
        kind: 'wsfed',
        data: request as unknown as Record<string, unknown>,
        expiresAt: new Date(clock.now().getTime() + PENDING_LIFETIME_S * 1000),
      });
      return id;
    },
    async loadPending(id: string): Promise<WsFedRequest | undefined> {
      if (!/^[A-Za-z0-9_-]{16,64}$/.test(id)) return undefined;
      return (await state.findPending(db, id, 'wsfed', clock.now()))?.data as WsFedRequest | undefined;
    },
    async dropPending(id: string) {
      await state.deletePending(db, id, clock.now());
    },
  };
}
