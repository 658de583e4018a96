import crypto from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { certBody, childElements, firstChild, NS, parseXml, XmlError } from './xml.js';

export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const RSA_SHA512 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const SHA512 = 'http://www.w3.org/2001/04/xmlenc#sha512';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

/** Signature algorithms accepted from peers. RSA-SHA1 is refused (SP 800-131A: SHA-1 is not for signatures). */
const VERIFY_ALGORITHMS: Record<string, string> = { [RSA_SHA256]: 'sha256', [RSA_SHA512]: 'sha512' };
/** Reference digests accepted: a SHA-1 digest under an RSA-SHA256 signature is as weak as SHA-1 itself. */
const VERIFY_DIGESTS = new Set([SHA256, SHA512]);

/** A private key as PEM or, parsed once and cached, a KeyObject (PEM parsing costs more than a hash). */
export interface SigningKey {
  privateKey: crypto.KeyLike;
  certificate: string;
}

/**
 * Signs the element with this ID (enveloped, exclusive c14n, RSA-SHA256, SHA-256 digest) and
 * puts the signature right after its Issuer, where the SAML 2.0 schema wants it (saml-core
 * §5.4.1). A SAML 1.1 assertion (`idAttribute` AssertionID) carries it as its last child instead.
 */
export function signElement(
  xml: string,
  key: SigningKey,
  element: { localName: string; id: string; idAttribute?: 'ID' | 'AssertionID'; placement?: 'after-issuer' | 'first' | 'last' },
): string {
  const idAttribute = element.idAttribute ?? 'ID';
  const placement = element.placement ?? (idAttribute === 'ID' ? 'after-issuer' : 'last');
  const sig = new SignedXml({
    privateKey: key.privateKey,
    publicCert: key.certificate,
    signatureAlgorithm: RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
    idAttribute,
    // KeyInfo/X509Data from our own PEM by string: xml-crypto would parse the certificate again on every signature.
    getKeyInfoContent: (args) => {
      const p = args?.prefix ? `${args.prefix}:` : '';
      return `<${p}X509Data><${p}X509Certificate>${certBody(key.certificate)}</${p}X509Certificate></${p}X509Data>`;
    },
  });
  // Tessera signs whole messages only: the element is the document root, and `/*` finds it
  // without walking the tree (a `//*` XPath costs more than the RSA signature).
  const target = `/*[local-name(.)='${element.localName}' and @${idAttribute}='${element.id}']`;
  sig.addReference({ xpath: target, transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: SHA256 });
  const location =
    placement === 'after-issuer'
      ? { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' as const }
      : { reference: target, action: placement === 'first' ? ('prepend' as const) : ('append' as const) };
  sig.computeSignature(xml, { prefix: 'ds', location });
  return sig.getSignedXml();
}

/**
 * Verifies the enveloped signature of a message's root element and returns the element that was
 * signed, parsed again from the signed bytes: the caller reads nothing but what the signature
 * covers, so a wrapped copy elsewhere in the document is never used (signature wrapping, see
 * "On Breaking SAML", Somorovsky et al. 2012). Rules: exactly one ds:Signature child of the root,
 * exactly one Reference, whose URI is `#` + the root's ID, and that ID unique in the document.
 */
export function verifyRootSignature(xml: string, certificates: string[]): Element {
  const doc = parseXml(xml);
  const root = doc.documentElement!;
  const signatures = childElements(root, NS.dsig, 'Signature');
  if (signatures.length !== 1) throw new XmlError(signatures.length ? 'more than one signature on the message' : 'the message is not signed');
  const id = root.getAttribute('ID');
  if (!id) throw new XmlError('the signed element has no ID');
  const signedInfo = firstChild(signatures[0], NS.dsig, 'SignedInfo');
  const references = signedInfo ? childElements(signedInfo, NS.dsig, 'Reference') : [];
  if (references.length !== 1 || references[0].getAttribute('URI') !== `#${id}`) throw new XmlError('the signature does not reference the message itself');
  const method = signedInfo && firstChild(signedInfo, NS.dsig, 'SignatureMethod')?.getAttribute('Algorithm');
  if (!method || !VERIFY_ALGORITHMS[method]) throw new XmlError(`signature algorithm ${method ?? '(none)'} is not accepted; use RSA-SHA256`);
  const digest = firstChild(references[0], NS.dsig, 'DigestMethod')?.getAttribute('Algorithm');
  if (!digest || !VERIFY_DIGESTS.has(digest)) throw new XmlError(`digest algorithm ${digest ?? '(none)'} is not accepted; use SHA-256`);
  let count = 0;
  for (const el of Array.from(doc.getElementsByTagName('*')))
    if (el.getAttribute('ID') === id || el.getAttribute('Id') === id || el.getAttribute('id') === id) count++;
  if (count !== 1) throw new XmlError('the signed ID appears more than once');
  if (!certificates.length) throw new XmlError('no certificate is registered to check the signature');
  for (const cert of certificates) {
    const sig = new SignedXml({ publicCert: cert, getCertFromKeyInfo: () => null });
    sig.loadSignature(signatures[0]);
    let ok = false;
    try {
      ok = sig.checkSignature(xml);
    } catch {
      ok = false;
    }
    if (!ok) continue;
    const signed = sig.getSignedReferences();
    if (signed.length !== 1) continue;
    const element = parseXml(signed[0]).documentElement!;
    if (element.localName !== root.localName || element.namespaceURI !== root.namespaceURI || element.getAttribute('ID') !== id) continue;
    return element;
  }
  throw new XmlError('the signature does not verify with the registered certificate');
}

const REDIRECT_PARAMS = new Set(['SAMLRequest', 'SAMLResponse', 'RelayState', 'SigAlg', 'Signature']);

/**
 * The raw (still URL-encoded) value of each protocol parameter, as the signer saw it. Names are
 * matched decoded, as the query parser reads them: `Relay%53tate=…` is the RelayState the route
 * uses, so it must be part of what the signature covers (else it could be added unsigned), and a
 * parameter given twice is refused rather than one copy checked and the other used.
 */
function rawQueryParams(rawQuery: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    let name: string;
    try {
      name = decodeURIComponent((eq >= 0 ? part.slice(0, eq) : part).replace(/\+/g, ' '));
    } catch {
      throw new XmlError('the query string is not valid URL encoding');
    }
    if (!REDIRECT_PARAMS.has(name)) continue;
    if (out.has(name)) throw new XmlError(`${name} appears more than once in the query string`);
    out.set(name, eq >= 0 ? part.slice(eq + 1) : '');
  }
  return out;
}

/**
 * HTTP-Redirect binding signature (saml-bindings §3.4.4.1): over the exact octets
 * `SAMLRequest=…&RelayState=…&SigAlg=…` as they arrived, URL-encoded.
 */
export function verifyRedirectSignature(rawQuery: string, messageParam: 'SAMLRequest' | 'SAMLResponse', certificates: string[]): void {
  const params = rawQueryParams(rawQuery);
  const sigAlg = params.get('SigAlg'),
    signature = params.get('Signature');
  if (!sigAlg || !signature) throw new XmlError('the request is not signed');
  const algorithm = VERIFY_ALGORITHMS[decodeURIComponent(sigAlg)];
  if (!algorithm) throw new XmlError(`signature algorithm ${decodeURIComponent(sigAlg)} is not accepted; use RSA-SHA256`);
  const parts = [`${messageParam}=${params.get(messageParam) ?? ''}`];
  if (params.has('RelayState')) parts.push(`RelayState=${params.get('RelayState')}`);
  parts.push(`SigAlg=${sigAlg}`);
  const signed = Buffer.from(parts.join('&'));
  const sigBytes = Buffer.from(decodeURIComponent(signature), 'base64');
  for (const cert of certificates) {
    try {
      if (crypto.verify(algorithm, signed, new crypto.X509Certificate(cert).publicKey, sigBytes)) return;
    } catch {
      /* a malformed certificate or signature: try the next certificate */
    }
  }
  throw new XmlError('the request signature does not verify with the registered certificate');
}

/** Signs an outgoing HTTP-Redirect message (LogoutRequest/Response) the same way. */
export function signRedirectQuery(query: string, key: SigningKey): string {
  const withAlg = `${query}&SigAlg=${encodeURIComponent(RSA_SHA256)}`;
  const signature = crypto.sign('sha256', Buffer.from(withAlg), key.privateKey).toString('base64');
  return `${withAlg}&Signature=${encodeURIComponent(signature)}`;
}
