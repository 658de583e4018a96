import crypto from 'node:crypto';
import type { PublishedKey } from '../saml-core/keys.js';
import type { SigningKey } from '../saml-core/signature.js';
import { signElement } from '../saml-core/signature.js';
import { certBody, newSamlId, samlTime, xmlEscape as x } from '../saml-core/xml.js';
import { nameIdFormats } from './sp.schemas.js';
import { BINDING_POST, BINDING_REDIRECT } from './messages.js';

/** Metadata is valid for a week: SPs that refresh it pick up a rollover well inside the lead time. */
const VALID_DAYS = 7;

const keyDescriptor = (k: PublishedKey) =>
  `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certBody(k.certificate)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;

/**
 * The IdP's metadata (saml-metadata §2.4.3 IDPSSODescriptor): SSO and SLO endpoints for both
 * bindings, NameID formats, and every published signing certificate — during a rollover both
 * the current and the next one, so an SP trusts the next key before it is used. Signed.
 */
export function buildIdpMetadata(a: { entityId: string; sso: string; slo: string; keys: PublishedKey[]; signingKey: SigningKey; now: Date }): string {
  const id = newSamlId(crypto.randomBytes);
  const validUntil = new Date(a.now.getTime() + VALID_DAYS * 86_400_000);
  const xml =
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" ID="${id}" entityID="${x(a.entityId)}" validUntil="${samlTime(validUntil)}">` +
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
