import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';

/** Namespaces of SAML 2.0 (saml-core §1.2), SAML 1.1, XML-DSig and WS-Federation. */
export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  saml11: 'urn:oasis:names:tc:SAML:1.0:assertion',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
  wst: 'http://schemas.xmlsoap.org/ws/2005/02/trust',
  wsp: 'http://schemas.xmlsoap.org/ws/2004/09/policy',
  wsa: 'http://www.w3.org/2005/08/addressing',
  fed: 'http://docs.oasis-open.org/wsfed/federation/200706',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

/** Incoming XML that cannot be used: its reason goes back to the peer as a protocol error. */
export class XmlError extends Error {
  constructor(message: string) {
    // Parser messages quote the input: keep them printable and short (they reach logs, pages and the audit log).
    super(message.replace(/[^\x20-\x7e]+/g, '?').slice(0, 300));
    this.name = 'XmlError';
  }
}

/**
 * Parses XML from a peer. A document type declaration is refused outright: SAML messages never
 * need one (saml-bindings §3.5.5.2 / saml-core §1.3.1), and refusing it closes XXE and entity
 * expansion ("billion laughs") before any parser sees them. Any parse error is fatal.
 */
export function parseXml(text: string): Document {
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) throw new XmlError('XML with a document type declaration is refused');
  let doc: Document;
  try {
    doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new XmlError(`malformed XML: ${message.split('\n')[0]}`);
      },
    }).parseFromString(text, 'text/xml');
  } catch (err) {
    throw err instanceof XmlError ? err : new XmlError(`malformed XML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!doc.documentElement) throw new XmlError('empty XML document');
  return doc;
}

export const isElement = (node: Node | null | undefined): node is Element => !!node && node.nodeType === 1;

/** Direct child elements of `parent`, optionally only those with this namespace and local name. */
export function childElements(parent: Element, ns?: string, localName?: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (!isElement(n)) continue;
    if (ns && n.namespaceURI !== ns) continue;
    if (localName && n.localName !== localName) continue;
    out.push(n);
  }
  return out;
}

export const firstChild = (parent: Element, ns: string, localName: string): Element | undefined => childElements(parent, ns, localName)[0];

/**
 * The whole text of an element. Comments are skipped and every text node is joined, so
 * `a@corp<!---->.evil` reads as `a@corp.evil` — never only the first text node (the
 * comment-truncation attack of CVE-2017-11427 and friends).
 */
export function textOf(el: Element | undefined): string {
  if (!el) return '';
  let out = '';
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 3 || n.nodeType === 4) out += n.nodeValue ?? '';
    else if (isElement(n)) out += textOf(n);
  }
  return out.trim();
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
/** Escapes text and attribute values for XML built from strings. */
export const xmlEscape = (value: string): string => value.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** A SAML ID: an NCName, so it starts with a letter or underscore (saml-core §1.3.4). */
export const newSamlId = (random: (n: number) => Buffer) => `_${random(20).toString('hex')}`;

/** SAML dateTime in UTC without fractions (saml-core §1.3.3). */
export const samlTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** PEM certificate → the base64 body used in ds:X509Certificate. */
export const certBody = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
/** base64 certificate body (from metadata) → PEM. */
export const certPem = (body: string) => {
  const b64 = body.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END CERTIFICATE-----\n`;
};
