import crypto from 'node:crypto';
import type { PublishedKey } from '../saml-core/keys.js';
import { signElement, type SigningKey } from '../saml-core/signature.js';
import { certBody, newSamlId, xmlEscape as x } from '../saml-core/xml.js';

/**
 * Federation metadata (WS-Federation 1.2 §3.1): a SecurityTokenServiceType role with the
 * signing certificates, the passive requestor endpoint and the token types offered. Signed, as
 * ADFS-era relying parties (Exchange's Set-AuthConfig, WIF) expect.
 */
export function buildFederationMetadata(a: { entityId: string; endpoint: string; keys: PublishedKey[]; signingKey: SigningKey }): string {
  const id = newSamlId(crypto.randomBytes);
  const keys = a.keys
    .map(
      (k) =>
        `<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${certBody(k.certificate)}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>`,
    )
    .join('');
  const endpoint = (tag: string) =>
    `<fed:${tag}><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>${x(a.endpoint)}</wsa:Address></wsa:EndpointReference></fed:${tag}>`;
  const xml =
    `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" ID="${id}" entityID="${x(a.entityId)}">` +
    `<RoleDescriptor xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706" xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706">` +
    keys +
    '<fed:TokenTypesOffered><fed:TokenType Uri="urn:oasis:names:tc:SAML:1.0:assertion"/><fed:TokenType Uri="urn:oasis:names:tc:SAML:2.0:assertion"/></fed:TokenTypesOffered>' +
    endpoint('SecurityTokenServiceEndpoint') +
    endpoint('PassiveRequestorEndpoint') +
    '</RoleDescriptor></EntityDescriptor>';
  return signElement(xml, a.signingKey, { localName: 'EntityDescriptor', id, placement: 'first' });
}
