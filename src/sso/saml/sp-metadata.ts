import type { Element } from '@xmldom/xmldom';
import { certPem, childElements, firstChild, NS, parseXml, textOf, XmlError } from '../saml-core/xml.js';
import { nameIdFormats, type NameIdFormat } from './sp.schemas.js';

const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

export interface ParsedSpMetadata {
  entityId: string;
  acsEndpoints: { url: string; binding: 'post' | 'redirect'; index: number; isDefault: boolean }[];
  sloUrl: string | null;
  sloBinding: 'post' | 'redirect' | null;
  certificates: string[];
  nameIdFormat: NameIdFormat | null;
  requireSignedRequests: boolean;
}

/**
 * Reads an SP's metadata (saml-metadata §2.4.4 SPSSODescriptor): entity ID, HTTP-POST ACS
 * endpoints (the only binding a browser SSO response uses, saml-profiles §4.1.2), the SLO
 * endpoint, signing/encryption certificates, and whether it signs its AuthnRequests.
 */
export function parseSpMetadata(xml: string): ParsedSpMetadata {
  const root = parseXml(xml).documentElement!;
  let descriptor: Element | undefined;
  let entity: Element | undefined;
  if (root.namespaceURI === NS.metadata && root.localName === 'EntityDescriptor') entity = root;
  else if (root.namespaceURI === NS.metadata && root.localName === 'EntitiesDescriptor')
    entity = childElements(root, NS.metadata, 'EntityDescriptor').find((e) => firstChild(e, NS.metadata, 'SPSSODescriptor'));
  if (entity) descriptor = firstChild(entity, NS.metadata, 'SPSSODescriptor');
  if (!entity || !descriptor) throw new XmlError('no EntityDescriptor with an SPSSODescriptor in the metadata');
  const entityId = entity.getAttribute('entityID')?.trim();
  if (!entityId) throw new XmlError('the EntityDescriptor has no entityID');

  const acsEndpoints = childElements(descriptor, NS.metadata, 'AssertionConsumerService')
    .filter((e) => e.getAttribute('Binding') === POST && e.getAttribute('Location'))
    .map((e, i) => ({
      url: e.getAttribute('Location')!.trim(),
      binding: 'post' as const,
      index: Number(e.getAttribute('index') ?? i) || 0,
      isDefault: e.getAttribute('isDefault') === 'true',
    }));
  if (!acsEndpoints.length) throw new XmlError('no AssertionConsumerService with the HTTP-POST binding');
  if (!acsEndpoints.some((a) => a.isDefault)) acsEndpoints[0].isDefault = true;

  const slo = childElements(descriptor, NS.metadata, 'SingleLogoutService');
  const sloChoice = slo.find((e) => e.getAttribute('Binding') === REDIRECT) ?? slo.find((e) => e.getAttribute('Binding') === POST);
  const certificates = [
    ...new Set(
      childElements(descriptor, NS.metadata, 'KeyDescriptor').flatMap((kd) => {
        const keyInfo = firstChild(kd, NS.dsig, 'KeyInfo');
        const data = keyInfo && firstChild(keyInfo, NS.dsig, 'X509Data');
        const cert = data && firstChild(data, NS.dsig, 'X509Certificate');
        return cert ? [certPem(textOf(cert))] : [];
      }),
    ),
  ];
  const formats = childElements(descriptor, NS.metadata, 'NameIDFormat').map((e) => textOf(e));
  const nameIdFormat = (Object.entries(nameIdFormats).find(([, urn]) => formats[0] === urn)?.[0] ?? null) as NameIdFormat | null;
  return {
    entityId,
    acsEndpoints,
    sloUrl: sloChoice?.getAttribute('Location')?.trim() || null,
    sloBinding: sloChoice ? (sloChoice.getAttribute('Binding') === REDIRECT ? 'redirect' : 'post') : null,
    certificates,
    nameIdFormat,
    requireSignedRequests: descriptor.getAttribute('AuthnRequestsSigned') === 'true',
  };
}
