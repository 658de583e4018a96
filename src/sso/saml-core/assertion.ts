import { samlTime, xmlEscape as x } from './xml.js';

/** What an assertion says about the employee, shared by SAML 2.0 (SSO, WS-Fed) and SAML 1.1 (WS-Fed). */
export interface AssertionInput {
  id: string;
  issuer: string;
  issueInstant: Date;
  subject: { nameId: string; format: string; spNameQualifier?: string };
  audience: string;
  notBefore: Date;
  notOnOrAfter: Date;
  /** SAML 2.0 bearer confirmation (saml-profiles §4.1.4.2): where, for which request, until when. */
  confirmation?: { recipient: string; inResponseTo?: string };
  authn: { instant: Date; contextClassRef: string; sessionIndex?: string; sessionNotOnOrAfter?: Date };
  attributes: { name: string; nameFormat?: string | null; friendlyName?: string | null; values: string[] }[];
}

const BASIC = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic';

/** A SAML 2.0 Assertion (saml-core §2.3.3), unsigned; sign it with signElement. */
export function buildAssertion20(a: AssertionInput): string {
  const c = a.confirmation;
  const attrs = a.attributes
    .filter((at) => at.values.length)
    .map(
      (at) =>
        `<saml:Attribute Name="${x(at.name)}" NameFormat="${x(at.nameFormat ?? BASIC)}"${at.friendlyName ? ` FriendlyName="${x(at.friendlyName)}"` : ''}>` +
        at.values.map((v) => `<saml:AttributeValue xsi:type="xs:string">${x(v)}</saml:AttributeValue>`).join('') +
        '</saml:Attribute>',
    )
    .join('');
  return (
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="${a.id}" Version="2.0" IssueInstant="${samlTime(a.issueInstant)}">` +
    `<saml:Issuer>${x(a.issuer)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${x(a.subject.format)}"${a.subject.spNameQualifier ? ` SPNameQualifier="${x(a.subject.spNameQualifier)}"` : ''}>${x(a.subject.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${samlTime(a.notOnOrAfter)}"${c ? ` Recipient="${x(c.recipient)}"` : ''}${c?.inResponseTo ? ` InResponseTo="${x(c.inResponseTo)}"` : ''}/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${samlTime(a.notBefore)}" NotOnOrAfter="${samlTime(a.notOnOrAfter)}"><saml:AudienceRestriction><saml:Audience>${x(a.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${samlTime(a.authn.instant)}"${a.authn.sessionIndex ? ` SessionIndex="${x(a.authn.sessionIndex)}"` : ''}${a.authn.sessionNotOnOrAfter ? ` SessionNotOnOrAfter="${samlTime(a.authn.sessionNotOnOrAfter)}"` : ''}>` +
    `<saml:AuthnContext><saml:AuthnContextClassRef>${x(a.authn.contextClassRef)}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    (attrs ? `<saml:AttributeStatement>${attrs}</saml:AttributeStatement>` : '') +
    '</saml:Assertion>'
  );
}

/** SAML 1.1 authentication methods (saml-core-1.1 §7.1) for the same sign-in methods. */
const SAML11_METHOD = 'urn:oasis:names:tc:SAML:1.0:am:unspecified';

/**
 * A SAML 1.1 Assertion (what WS-Fed relying parties such as Exchange/ADFS-era apps expect):
 * attributes go in an AttributeStatement with AttributeNamespace/AttributeName split from the URI.
 */
export function buildAssertion11(a: AssertionInput): string {
  const subject = `<saml:Subject><saml:NameIdentifier Format="${x(a.subject.format)}">${x(a.subject.nameId)}</saml:NameIdentifier><saml:SubjectConfirmation><saml:ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:bearer</saml:ConfirmationMethod></saml:SubjectConfirmation></saml:Subject>`;
  const attrs = a.attributes
    .filter((at) => at.values.length)
    .map((at) => {
      const slash = at.name.lastIndexOf('/');
      const [ns, name] = slash > 0 ? [at.name.slice(0, slash), at.name.slice(slash + 1)] : ['urn:tessera', at.name];
      return `<saml:Attribute AttributeName="${x(name)}" AttributeNamespace="${x(ns)}">${at.values.map((v) => `<saml:AttributeValue>${x(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`;
    })
    .join('');
  return (
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" MajorVersion="1" MinorVersion="1" AssertionID="${a.id}" Issuer="${x(a.issuer)}" IssueInstant="${samlTime(a.issueInstant)}">` +
    `<saml:Conditions NotBefore="${samlTime(a.notBefore)}" NotOnOrAfter="${samlTime(a.notOnOrAfter)}"><saml:AudienceRestrictionCondition><saml:Audience>${x(a.audience)}</saml:Audience></saml:AudienceRestrictionCondition></saml:Conditions>` +
    (attrs ? `<saml:AttributeStatement>${subject}${attrs}</saml:AttributeStatement>` : '') +
    `<saml:AuthenticationStatement AuthenticationMethod="${SAML11_METHOD}" AuthenticationInstant="${samlTime(a.authn.instant)}">${subject}</saml:AuthenticationStatement>` +
    '</saml:Assertion>'
  );
}
