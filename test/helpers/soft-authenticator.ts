/**
 * A software WebAuthn authenticator (plus the client's part), written from the specification so
 * that tests can produce real attestations and assertions, and craft bad ones:
 * - registration (WebAuthn §6.3.2 authenticatorMakeCredential, §6.5 attestation object) with
 *   attestation "none" or "packed" self-attestation (§8.2), ES256 keys in COSE (RFC 9053);
 * - authentication (§6.3.3 authenticatorGetAssertion): authenticator data and an ES256 signature
 *   over authenticatorData || SHA-256(clientDataJSON).
 * Its CBOR encoder (RFC 8949) is its own, so the server's decoder is checked against bytes it did
 * not produce itself.
 */
import crypto from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

type Cbor = number | string | Uint8Array | Cbor[] | Map<number | string, Cbor>;

function cborHead(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

/** CBOR (RFC 8949 §3) of the few types WebAuthn uses; map entries keep the caller's (canonical) order. */
export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  if (typeof value === 'string') {
    const s = Buffer.from(value, 'utf8');
    return Buffer.concat([cborHead(3, s.length), s]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), value]);
  if (Array.isArray(value)) return Buffer.concat([cborHead(4, value.length), ...value.map(cbor)]);
  return Buffer.concat([cborHead(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string) => crypto.createHash('sha256').update(b).digest();

/** authenticatorData flags (§6.1). */
const UP = 0x01,
  UV = 0x04,
  BE = 0x08,
  BS = 0x10,
  AT = 0x40,
  ED = 0x80;

export interface SoftCredential {
  id: Buffer;
  privateKey: crypto.KeyObject;
  rpId: string;
  userHandle: Buffer;
  signCount: number;
}

export interface SoftAuthenticatorOptions {
  /** Model (AAGUID, lower-case UUID); default the all-zero AAGUID. */
  aaguid?: string;
  /** What the client reports as authenticatorAttachment. */
  attachment: 'platform' | 'cross-platform';
  transports: string[];
  /** Whether the user is verified (PIN, biometrics). Default true. */
  userVerified?: boolean;
  /** A synced passkey: backup eligible and backed up. */
  backedUp?: boolean;
  /** Whether it keeps a signature counter; platform passkeys often send 0. Default true. */
  counts?: boolean;
  /**
   * The minimum PIN length it reports when the options ask for the minPinLength extension
   * (CTAP 2.1 §12.4, an authenticator extension output in authData); unset: it does not report it.
   */
  minPinLength?: number;
}

export interface ClientOverrides {
  /** The page's origin the client puts in clientDataJSON. */
  origin: string;
  /** Sign for another RP ID than the options name (a phishing site's). */
  rpId?: string;
  /** Another challenge than the options carry. */
  challenge?: string;
  attestation?: 'none' | 'packed';
  /**
   * With attestation "packed": full (direct) attestation (§8.2) signed by this attestation key, its
   * certificate in x5c, instead of self attestation. See attestationCertificate() in key-attestation.ts.
   */
  attestationCertificate?: { der: Buffer; privateKey: crypto.KeyObject };
  /** Certificates sent after the attestation certificate in x5c (its issuers, or ones that are not). */
  attestationChain?: Buffer[];
  /** A lying client: report this attachment (or none) instead of the real one. */
  reportAttachment?: 'platform' | 'cross-platform' | null;
  reportTransports?: string[];
  /** Use this credential (base64url id) rather than the first that fits. */
  credentialId?: string;
  /** Send this signature counter instead of the next one. */
  signCount?: number;
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];
  constructor(readonly options: SoftAuthenticatorOptions) {}

  private flags(extra: number): number {
    let f = UP | extra;
    if (this.options.userVerified !== false) f |= UV;
    if (this.options.backedUp) f |= BE | BS;
    return f;
  }

  private attachment(o: ClientOverrides) {
    return o.reportAttachment === null ? undefined : (o.reportAttachment ?? this.options.attachment);
  }

  /** navigator.credentials.create() with this authenticator. */
  register(opts: PublicKeyCredentialCreationOptionsJSON, o: ClientOverrides): RegistrationResponseJSON {
    const rpId = o.rpId ?? opts.rp.id ?? new URL(o.origin).hostname;
    if (opts.excludeCredentials?.some((c) => this.credentials.some((own) => b64url(own.id) === c.id))) {
      throw new Error('InvalidStateError: this authenticator is already registered (excludeCredentials)');
    }
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    // COSE_Key, EC2 with ES256 (RFC 9053 §7.1), keys in canonical order 1, 3, -1, -2, -3.
    const coseKey = cbor(
      new Map<number, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const id = crypto.randomBytes(32);
    const aaguid = Buffer.from((this.options.aaguid ?? '00000000-0000-0000-0000-000000000000').replace(/-/g, ''), 'hex');
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const counter = Buffer.alloc(4);
    const reportsPin = this.options.minPinLength !== undefined && (opts.extensions as { minPinLength?: boolean } | undefined)?.minPinLength === true;
    const extensions = reportsPin ? cbor(new Map<string, Cbor>([['minPinLength', this.options.minPinLength!]])) : Buffer.alloc(0);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([this.flags(AT | (reportsPin ? ED : 0))]), counter, aaguid, idLength, id, coseKey, extensions]);
    const clientDataJSON = Buffer.from(
      JSON.stringify({ type: 'webauthn.create', challenge: o.challenge ?? opts.challenge, origin: o.origin, crossOrigin: false }),
    );
    const attStmt = new Map<string, Cbor>();
    if (o.attestation === 'packed') {
      // §8.2 self attestation: signed by the credential's own key, no certificate; full
      // attestation: signed by the model's attestation key, its certificate in x5c.
      const signer = o.attestationCertificate?.privateKey ?? privateKey;
      attStmt.set('alg', -7);
      attStmt.set('sig', crypto.sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), signer));
      if (o.attestationCertificate) attStmt.set('x5c', [o.attestationCertificate.der, ...(o.attestationChain ?? [])]);
    }
    const attestationObject = cbor(
      new Map<string, Cbor>([
        ['fmt', o.attestation ?? 'none'],
        ['attStmt', attStmt],
        ['authData', authData],
      ]),
    );
    this.credentials.push({ id, privateKey, rpId, userHandle: Buffer.from(opts.user.id, 'base64url'), signCount: 0 });
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: (o.reportTransports ?? this.options.transports) as never,
      },
      authenticatorAttachment: this.attachment(o),
      clientExtensionResults: {},
    };
  }

  /** navigator.credentials.get() with this authenticator. */
  authenticate(opts: PublicKeyCredentialRequestOptionsJSON, o: ClientOverrides): AuthenticationResponseJSON {
    const rpId = o.rpId ?? opts.rpId ?? new URL(o.origin).hostname;
    const allowed = opts.allowCredentials ?? [];
    const credential = o.credentialId
      ? this.credentials.find((c) => b64url(c.id) === o.credentialId)
      : allowed.length > 0
        ? this.credentials.find((c) => allowed.some((a) => a.id === b64url(c.id)))
        : [...this.credentials].reverse().find((c) => c.rpId === (opts.rpId ?? rpId));
    if (!credential) throw new Error('NotAllowedError: no credential of this authenticator fits');
    if (this.options.counts !== false) credential.signCount++;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(o.signCount ?? (this.options.counts === false ? 0 : credential.signCount));
    const authData = Buffer.concat([sha256(rpId), Buffer.from([this.flags(0)]), counter]);
    const clientDataJSON = Buffer.from(
      JSON.stringify({ type: 'webauthn.get', challenge: o.challenge ?? opts.challenge, origin: o.origin, crossOrigin: false }),
    );
    const signature = crypto.sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: b64url(credential.userHandle),
      },
      authenticatorAttachment: this.attachment(o),
      clientExtensionResults: {},
    };
  }
}

/** The authenticators the tests use, named after what they stand for. */
export const softKeys = {
  /** A YubiKey 5 NFC-like security key: roaming, USB/NFC, counts its uses. */
  yubikey: () => new SoftAuthenticator({ aaguid: 'ee882879-721c-4913-9775-3dfcce97072a', attachment: 'cross-platform', transports: ['usb', 'nfc'] }),
  /** A device's own authenticator (Windows Hello-like): platform, internal transport. */
  windowsHello: () => new SoftAuthenticator({ aaguid: '08987058-cadc-4b81-b6e1-30de50dcbe96', attachment: 'platform', transports: ['internal'] }),
  /** A synced passkey (iCloud Keychain-like): platform, backed up, no counter. */
  icloud: () =>
    new SoftAuthenticator({
      aaguid: 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd',
      attachment: 'platform',
      transports: ['internal', 'hybrid'],
      backedUp: true,
      counts: false,
    }),
};
