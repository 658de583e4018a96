/** SAML test helpers: a node-saml SP, the IdP's certificate, the auto-post form of an answer. */
import crypto from 'node:crypto';
import { SAML, type SamlConfig } from '@node-saml/node-saml';
import { generateSigningCertificate } from '../../src/sso/saml-core/keys.js';

/** The fields of the auto-submitting form an IdP answer is (action, hidden inputs). */
export function parsePostForm(html: string): { action: string; fields: Record<string, string> } {
  const unescapeXml = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1];
  if (!action) throw new Error(`not an auto-post form: ${html.slice(0, 400)}`);
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[unescapeXml(m[1])] = unescapeXml(m[2]);
  return { action: unescapeXml(action), fields };
}

/** The IdP's current signing certificate, from its metadata. */
export function idpCertFromMetadata(xml: string): string[] {
  return [...xml.matchAll(/<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/g)].map((m) => m[1]).filter((v, i, a) => a.indexOf(v) === i);
}

let spKey: { privateKey: string; certificate: string } | undefined;
/** One SP key pair for the whole test file (RSA generation takes a moment). */
export async function spKeyPair() {
  spKey ??= await generateSigningCertificate('Test SP', new Date());
  return spKey;
}

export function nodeSamlSp(opts: Partial<SamlConfig> & { idpCert: string | string[]; entryPoint: string; issuer: string; callbackUrl: string }) {
  return new SAML({
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    acceptedClockSkewMs: 5000,
    ...opts,
  });
}

export const randomEntity = (name: string) => `https://${name}-${crypto.randomBytes(3).toString('hex')}.sp.example/metadata`;
