import crypto from 'node:crypto';
import { authenticatorModel } from '../authn/aaguids.js';
import type { Attested } from '../authn/webauthn.service.js';

/**
 * What a security key's direct attestation tells the inventory about it (issue 14 §1: "created
 * when an employee enrols one, AAGUID and model from the attestation where it is direct").
 *
 * By the time this runs, the attestation was verified (SimpleWebAuthn, WebAuthn §7.1 step 19 and
 * §8.2.1 for packed): the statement is signed by the leaf certificate's key, the leaf is a v3
 * non-CA certificate whose id-fido-gen-ce-aaguid extension, when present, equals the AAGUID in
 * authenticator data. No vendor root certificates are configured (no FIDO Metadata Service), so the
 * chain is not anchored: a leaf that links to its own issuers is recorded with its subject and
 * issuer, and the key's history says the root was not checked. Self attestation (no x5c), "none",
 * U2F's all-zero AAGUID and a chain whose certificates do not parse or do not sign each other give
 * no key row.
 */

const ZERO_AAGUID = '00000000-0000-0000-0000-000000000000';

export type EnrolmentAttestation =
  | { isDirect: false }
  | { isDirect: true; aaguid: string; model: string | null; subject: string; issuer: string; format: string };

/** A certificate's distinguished name on one line ("CN=…, O=…, C=…"), most specific first. */
function dn(name: string): string {
  return name.split('\n').filter(Boolean).reverse().join(', ').slice(0, 300);
}

function field(name: string, key: string): string | undefined {
  return name
    .split('\n')
    .find((l) => l.startsWith(`${key}=`))
    ?.slice(key.length + 1);
}

export function readEnrolmentAttestation(attested: Attested): EnrolmentAttestation {
  if (attested.fmt === 'none' || attested.x5c.length === 0 || attested.aaguid === ZERO_AAGUID) return { isDirect: false };
  let chain: crypto.X509Certificate[];
  try {
    chain = attested.x5c.map((der) => new crypto.X509Certificate(Buffer.from(der)));
  } catch {
    return { isDirect: false };
  }
  // Each certificate is issued and signed by the next one (x5c is leaf first, WebAuthn §8.2).
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i].checkIssued(chain[i + 1]) || !chain[i].verify(chain[i + 1].publicKey)) return { isDirect: false };
  }
  const leaf = chain[0];
  const fromCertificate = (field(leaf.subject, 'CN') ?? field(leaf.subject, 'O'))?.trim().slice(0, 100) || null;
  return {
    isDirect: true,
    aaguid: attested.aaguid,
    model: authenticatorModel(attested.aaguid) ?? fromCertificate,
    subject: dn(leaf.subject),
    issuer: dn(leaf.issuer),
    format: attested.fmt,
  };
}

/**
 * The inventory's stand-in for a serial number, which no attestation carries: derived from the
 * credential id, so the same enrolment always names the same row.
 */
export function enrolmentSerial(credentialId: string): string {
  return `ENR-${crypto.createHash('sha256').update(credentialId).digest('hex').slice(0, 12).toUpperCase()}`;
}
