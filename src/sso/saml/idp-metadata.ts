import crypto from 'node:crypto';
import type { PublishedKey } from '../saml-core/keys.js';
import type { SigningKey } from '../saml-core/signature.js';
import { signElement } from '../saml-core/signature.js';
import { certBody, newSamlId, samlTime, xmlEscape as x } from '../saml-core/xml.js';
import { nameIdFormats } from './sp.schemas.js';
import { BINDING_POST, BINDING_REDIRECT } from './messages.js';

/**
 * SPs that fetch metadata by URL refresh it this often (saml-metadata §2.2.1 cacheDuration), so a
 * rollover, published weeks ahead, reaches them well inside its lead time.
 */
const CACHE_DURATION = 'PT24H';

const keyDescriptor = (k: PublishedKey) =>
  `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certBody(k.certificate)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;

/**
 * The IdP's metadata (saml-metadata §2.4.3 IDPSSODescriptor): SSO and SLO endpoints for both
 * bindings, NameID formats, and every published signing certificate — during a rollover both
 * the current and the next one, so an SP trusts the next key before it is used. Signed.
 */
export function buildIdpMetadata(a: { entityId: string; sso: string; slo: string; keys: PublishedKey[]; signingKey: SigningKey }): string {
  const id = newSamlId(crypto.randomBytes);
  // Many SPs keep metadata as a file (mod_auth_mellon's MellonIdPMetadataFile, SimpleSAMLphp) and
  // refuse it once validUntil passes, so validUntil is the signing certificate's notAfter: the
  // metadata stays good exactly as long as the key that vouches for it, never a shorter window.
  const validUntil = new Date(new crypto.X509Certificate(a.signingKey.certificate).validTo);
  const xml =
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" ID="${id}" entityID="${x(a.entityId)}" validUntil="${samlTime(validUntil)}" cacheDuration="${CACHE_DURATION}">` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    a.keys.map(keyDescriptor).join('') +
    `<md:SingleLogoutService Binding="${BINDING_REDIRECT}" Location="${x(a.slo)}"/><md:SingleLogoutService Binding="${BINDING_POST}" Location="${x(a.slo)}"/>` +
    Object.values(nameIdFormats)
      .map((f) => `<md:NameIDFormat>${f}</md:NameIDFormat>`)
      .join('') +
    `<md:SingleSignOnService Binding="${BINDING_REDIRECT}" Location="${x(a.sso)}"/><md:SingleSignOnService Binding="${BINDING_POST}" Location="${x(a.sso)}"/>` +
    '</md:IDPSSODescriptor></md:EntityDescriptor>';
  // Metadata has no Issuer: the signature is its first child (saml-metadata §2.3.2 schema order).
  return signElement(xml, a.signingKey, { localName: 'EntityDescriptor', id, placement: 'first' });
}
