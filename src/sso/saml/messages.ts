import zlib from 'node:zlib';
import type { Element } from '@xmldom/xmldom';
import { firstChild, NS, parseXml, samlTime, textOf, xmlEscape as x, XmlError } from '../saml-core/xml.js';

/** Messages larger than this (after inflating) are refused: a deflate bomb stops here. */
const MAX_MESSAGE_BYTES = 256 * 1024;

export const STATUS = {
  success: 'urn:oasis:names:tc:SAML:2.0:status:Success',
  requester: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
  responder: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
  versionMismatch: 'urn:oasis:names:tc:SAML:2.0:status:VersionMismatch',
  noPassive: 'urn:oasis:names:tc:SAML:2.0:status:NoPassive',
  requestDenied: 'urn:oasis:names:tc:SAML:2.0:status:RequestDenied',
  requestUnsupported: 'urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported',
  unsupportedBinding: 'urn:oasis:names:tc:SAML:2.0:status:UnsupportedBinding',
  partialLogout: 'urn:oasis:names:tc:SAML:2.0:status:PartialLogout',
} as const;

export const BINDING_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
export const BINDING_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/**
 * base64 (and, for HTTP-Redirect, DEFLATE per saml-bindings §3.4.4.1) → XML text. Bad base64,
 * bad deflate and oversized messages are refused as XmlError.
 */
export function decodeMessage(value: string, deflated: boolean): string {
  const compact = value.replace(/\s+/g, '');
  if (!compact || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 === 1) throw new XmlError('the message is not valid base64');
  const bytes = Buffer.from(compact, 'base64');
  // HTTP-POST messages are plain base64 (saml-bindings §3.5.4), but some SPs (node-saml among
  // them) deflate them as for HTTP-Redirect: anything that does not start as XML is inflated.
  if (
    !deflated &&
    /^\s*</.test(
      bytes
        .subarray(0, 64)
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
    )
  ) {
    if (bytes.length > MAX_MESSAGE_BYTES) throw new XmlError('the message is too large');
    return bytes.toString('utf8');
  }
  try {
    return zlib.inflateRawSync(bytes, { maxOutputLength: MAX_MESSAGE_BYTES }).toString('utf8');
  } catch {
    throw new XmlError('the message is not valid DEFLATE data, or too large');
  }
}

export const deflateMessage = (xml: string) => zlib.deflateRawSync(Buffer.from(xml)).toString('base64');

export interface AuthnRequest {
  id: string;
  issuer: string;
  issueInstant: Date;
  destination: string | null;
  acsUrl: string | null;
  acsIndex: number | null;
  protocolBinding: string | null;
  forceAuthn: boolean;
  isPassive: boolean;
}

function header(el: Element, localName: string) {
  if (el.namespaceURI !== NS.protocol || el.localName !== localName) throw new XmlError(`expected a samlp:${localName}, got ${el.localName}`);
  if (el.getAttribute('Version') !== '2.0') throw new XmlError('only SAML 2.0 messages are accepted');
  const id = el.getAttribute('ID') ?? '';
  if (!/^[A-Za-z_][\w.-]{0,255}$/.test(id)) throw new XmlError('the message ID is missing or not an NCName');
  const instant = new Date(el.getAttribute('IssueInstant') ?? '');
  if (Number.isNaN(instant.getTime())) throw new XmlError('IssueInstant is missing or not a dateTime');
  const issuer = textOf(firstChild(el, NS.assertion, 'Issuer'));
  if (!issuer) throw new XmlError('the message has no Issuer');
  return { id, issuer, issueInstant: instant, destination: el.getAttribute('Destination') || null };
}

/** The fields of an AuthnRequest (saml-core §3.4.1) that this IdP acts on. */
export function readAuthnRequest(el: Element): AuthnRequest {
  const h = header(el, 'AuthnRequest');
  const index = el.getAttribute('AssertionConsumerServiceIndex');
  // An xs:unsignedShort (saml-core §3.4.1); anything else would be looked up as NaN.
  if (index && (!/^\d{1,5}$/.test(index) || Number(index) > 65535)) throw new XmlError('AssertionConsumerServiceIndex is not a number from 0 to 65535');
  return {
    ...h,
    acsUrl: el.getAttribute('AssertionConsumerServiceURL') || null,
    acsIndex: index ? Number(index) : null,
    protocolBinding: el.getAttribute('ProtocolBinding') || null,
    forceAuthn: el.getAttribute('ForceAuthn') === 'true' || el.getAttribute('ForceAuthn') === '1',
    isPassive: el.getAttribute('IsPassive') === 'true' || el.getAttribute('IsPassive') === '1',
  };
}

export interface LogoutRequest {
  id: string;
  issuer: string;
  issueInstant: Date;
  destination: string | null;
  notOnOrAfter: Date | null;
  nameId: string;
  sessionIndexes: string[];
}

/** A LogoutRequest (saml-core §3.7.1): who, and which of the SP's sessions. */
export function readLogoutRequest(el: Element): LogoutRequest {
  const h = header(el, 'LogoutRequest');
  const nameId = textOf(firstChild(el, NS.assertion, 'NameID'));
  if (!nameId) throw new XmlError('the LogoutRequest has no NameID');
  const sessionIndexes: string[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === NS.protocol && (n as Element).localName === 'SessionIndex')
      sessionIndexes.push(textOf(n as Element));
  }
  const until = el.getAttribute('NotOnOrAfter');
  const notOnOrAfter = until ? new Date(until) : null;
  if (notOnOrAfter && Number.isNaN(notOnOrAfter.getTime())) throw new XmlError('NotOnOrAfter is not a dateTime');
  return { ...h, notOnOrAfter, nameId, sessionIndexes };
}

export function readLogoutResponse(el: Element): { id: string; issuer: string; inResponseTo: string | null } {
  const h = header(el, 'LogoutResponse');
  return { id: h.id, issuer: h.issuer, inResponseTo: el.getAttribute('InResponseTo') || null };
}

/** Parses a decoded protocol message and says which it is. */
export function rootOf(xml: string): Element {
  return parseXml(xml).documentElement!;
}

const samlpOpen = (name: string, a: { id: string; issueInstant: Date; destination: string; inResponseTo?: string | null }) =>
  `<samlp:${name} xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${a.id}" Version="2.0" IssueInstant="${samlTime(a.issueInstant)}" Destination="${x(a.destination)}"${a.inResponseTo ? ` InResponseTo="${x(a.inResponseTo)}"` : ''}>`;

const statusXml = (top: string, second?: string, message?: string) =>
  `<samlp:Status><samlp:StatusCode Value="${top}">${second ? `<samlp:StatusCode Value="${second}"/>` : ''}</samlp:StatusCode>${message ? `<samlp:StatusMessage>${x(message)}</samlp:StatusMessage>` : ''}</samlp:Status>`;

export interface Status {
  top: string;
  second?: string;
  message?: string;
}

/** A samlp:Response (saml-core §3.2.2) holding an assertion (signed/encrypted already) or an error status. */
export function buildResponse(a: {
  id: string;
  issuer: string;
  issueInstant: Date;
  destination: string;
  inResponseTo?: string | null;
  status: Status;
  assertion?: string;
}): string {
  return (
    samlpOpen('Response', a) +
    `<saml:Issuer>${x(a.issuer)}</saml:Issuer>` +
    statusXml(a.status.top, a.status.second, a.status.message) +
    (a.assertion ?? '') +
    '</samlp:Response>'
  );
}

/** The NameID must repeat the assertion's exactly, qualifiers included (saml-core §3.7.3.1; Lasso compares them). */
export function buildLogoutRequest(a: {
  id: string;
  issuer: string;
  issueInstant: Date;
  destination: string;
  nameId: string;
  nameIdFormat: string;
  spNameQualifier: string;
  sessionIndex: string;
  notOnOrAfter: Date;
}): string {
  return (
    samlpOpen('LogoutRequest', a).replace('>', ` NotOnOrAfter="${samlTime(a.notOnOrAfter)}" Reason="urn:oasis:names:tc:SAML:2.0:logout:user">`) +
    `<saml:Issuer>${x(a.issuer)}</saml:Issuer><saml:NameID Format="${x(a.nameIdFormat)}" SPNameQualifier="${x(a.spNameQualifier)}">${x(a.nameId)}</saml:NameID><samlp:SessionIndex>${x(a.sessionIndex)}</samlp:SessionIndex></samlp:LogoutRequest>`
  );
}

export function buildLogoutResponse(a: { id: string; issuer: string; issueInstant: Date; destination: string; inResponseTo: string; status: Status }): string {
  return (
    samlpOpen('LogoutResponse', a) +
    `<saml:Issuer>${x(a.issuer)}</saml:Issuer>` +
    statusXml(a.status.top, a.status.second, a.status.message) +
    '</samlp:LogoutResponse>'
  );
}
