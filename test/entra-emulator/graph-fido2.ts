/**
 * The FIDO2 provisioning API of Microsoft Graph, as documented:
 * - GET users/{id}/authentication/fido2Methods/creationOptions (v1.0: the challenge times out
 *   after 5 minutes; beta takes `(challengeTimeoutInMinutes=N)`, 5–43200) answers
 *   webauthnCredentialCreationOptions {challengeTimeoutDateTime, publicKey}; binary values are
 *   base64url without padding (RFC 4648 §5).
 * - POST users/{id}/authentication/fido2Methods with {displayName, publicKeyCredential: {id,
 *   response: {clientDataJSON, attestationObject}}}: the emulator verifies what a relying party
 *   must (WebAuthn §7.1): type, challenge (issued for this user, unused, unexpired), origin,
 *   RP ID hash of login.microsoft.com, UP and UV flags, credential id, the `packed` attestation
 *   signature (§8.2, x5c or self), and that the credential is not registered yet.
 * - GET/DELETE users/{id}/authentication/fido2Methods[/{methodId}].
 * Permission: UserAuthenticationMethod.ReadWrite.All or UserAuthMethod-Passkey.ReadWrite.All.
 */
import crypto from 'node:crypto';
import { decodeCbor, type CborValue } from './cbor.js';
import { graphError, type Answer } from './http-util.js';
import { denied } from './graph-directory.js';
import { knownModels, type EntraState, type Fido2Method, type IssuedToken } from './state.js';

export const ENTRA_RP_ID = 'login.microsoft.com';
export const ENTRA_ORIGIN = 'https://login.microsoft.com';
const passkeyPermissions = ['UserAuthenticationMethod.ReadWrite.All', 'UserAuthMethod-Passkey.ReadWrite.All'];
const bad = (message: string) => graphError(400, 'badRequest', message);
const sha256 = (b: Uint8Array | string) => crypto.createHash('sha256').update(b).digest();

function methodJson(m: Fido2Method) {
  const { credentialId: _c, ...rest } = m;
  return { '@odata.type': '#microsoft.graph.fido2AuthenticationMethod', ...rest, attestationCertificates: [] };
}

export function fido2Route(state: EntraState, base: string, method: string, path: string, _url: URL, body: unknown, token: IssuedToken): Answer | null {
  const m = /^\/users\/([^/]+)\/authentication\/fido2Methods(?:\/(creationOptions(?:\(challengeTimeoutInMinutes=(\d+)\))?|[^/]+))?$/i.exec(path);
  if (!m) return null;
  const refusal = denied(token, passkeyPermissions);
  if (refusal) return refusal;
  const user =
    state.users.get(decodeURIComponent(m[1]!)) ??
    [...state.users.values()].find((u) => u.userPrincipalName.toLowerCase() === decodeURIComponent(m[1]!).toLowerCase());
  if (!user)
    return graphError(404, 'Request_ResourceNotFound', `Resource '${m[1]}' does not exist or one of its queried reference-property objects are not present.`);
  const methods = state.fido2.get(user.id) ?? [];
  const sub = m[2];

  if (sub?.startsWith('creationOptions') && method === 'GET') {
    const minutes = m[3] ? Number(m[3]) : 5;
    if (minutes < 5 || minutes > 43200) return bad('challengeTimeoutInMinutes must be between 5 and 43200.');
    const challenge = crypto.randomBytes(48).toString('base64url');
    const expiresAt = state.now() + minutes * 60_000;
    state.challenges.set(challenge, { userId: user.id, expiresAt, used: false });
    return {
      status: 200,
      body: {
        '@odata.context': `${base}/v1.0/$metadata#microsoft.graph.webauthnCredentialCreationOptions`,
        challengeTimeoutDateTime: new Date(expiresAt).toISOString(),
        publicKey: {
          challenge,
          timeout: minutes * 60_000,
          attestation: 'direct',
          rp: { id: ENTRA_RP_ID, name: 'Microsoft' },
          user: {
            id: Buffer.from(user.id.replace(/-/g, ''), 'hex').toString('base64url'),
            name: user.userPrincipalName,
            displayName: user.displayName ?? user.userPrincipalName,
          },
          pubKeyCredParams: [
            { type: 'public-key', alg: -7 },
            { type: 'public-key', alg: -257 },
          ],
          excludeCredentials: methods.map((x) => ({ type: 'public-key', id: x.credentialId, transports: [] })),
          authenticatorSelection: { authenticatorAttachment: 'cross-platform', requireResidentKey: true, userVerification: 'required' },
          extensions: { hmacCreateSecret: true, enforceCredentialProtectionPolicy: true, credentialProtectionPolicy: 'userVerificationOptional' },
        },
      },
    };
  }
  if (!sub && method === 'GET')
    return {
      status: 200,
      body: { '@odata.context': `${base}/v1.0/$metadata#users('${user.id}')/authentication/fido2Methods`, value: methods.map(methodJson) },
    };
  if (!sub && method === 'POST') return register(state, user.id, body);
  if (sub && !sub.startsWith('creationOptions')) {
    const found = methods.find((x) => x.id === sub);
    if (!found) return graphError(404, 'itemNotFound', `The FIDO2 method '${sub}' was not found.`);
    if (method === 'GET') return { status: 200, body: methodJson(found) };
    if (method === 'DELETE') {
      state.fido2.set(
        user.id,
        methods.filter((x) => x !== found),
      );
      return { status: 204 };
    }
  }
  return null;
}

function register(state: EntraState, userId: string, body: unknown): Answer {
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== 'object') return bad('Empty Payload. JSON content expected.');
  const extra = Object.keys(b).find((k) => !['displayName', 'publicKeyCredential', '@odata.type'].includes(k));
  if (extra) return bad(`Could not find a property named '${extra}' on type 'microsoft.graph.fido2AuthenticationMethod'.`);
  const pkc = b.publicKeyCredential as { id?: unknown; response?: { clientDataJSON?: unknown; attestationObject?: unknown } } | undefined;
  if (
    typeof b.displayName !== 'string' ||
    !pkc ||
    typeof pkc.id !== 'string' ||
    typeof pkc.response?.clientDataJSON !== 'string' ||
    typeof pkc.response?.attestationObject !== 'string'
  ) {
    return bad('displayName and publicKeyCredential {id, response {clientDataJSON, attestationObject}} are required.');
  }
  let clientData: { type?: string; challenge?: string; origin?: string };
  try {
    clientData = JSON.parse(Buffer.from(pkc.response.clientDataJSON, 'base64url').toString('utf8'));
  } catch {
    return bad('clientDataJSON is not base64url-encoded JSON.');
  }
  if (clientData.type !== 'webauthn.create') return bad(`clientDataJSON.type is ${String(clientData.type)}, expected webauthn.create.`);
  const issued = state.challenges.get(clientData.challenge ?? '');
  if (!issued || issued.userId !== userId) return bad('The challenge was not issued for this user.');
  if (issued.used) return bad('The challenge has already been used.');
  if (state.now() > issued.expiresAt) return bad('The challenge has expired. Request new creation options.');
  if (clientData.origin !== ENTRA_ORIGIN) return bad(`clientDataJSON.origin is ${String(clientData.origin)}, expected ${ENTRA_ORIGIN}.`);

  let att: Map<unknown, CborValue>;
  try {
    att = decodeCbor(Buffer.from(pkc.response.attestationObject, 'base64url')).value as Map<unknown, CborValue>;
  } catch (e) {
    return bad(`attestationObject is not CBOR: ${(e as Error).message}`);
  }
  if (!(att instanceof Map)) return bad('attestationObject is not a CBOR map.');
  const fmt = att.get('fmt'),
    attStmt = att.get('attStmt'),
    authData = att.get('authData');
  if (typeof fmt !== 'string' || !(attStmt instanceof Map) || !(authData instanceof Uint8Array))
    return bad('attestationObject needs fmt, attStmt and authData.');
  const ad = Buffer.from(authData);
  if (ad.length < 55) return bad('authData is too short to hold attested credential data.');
  if (!ad.subarray(0, 32).equals(sha256(ENTRA_RP_ID))) return bad(`authData rpIdHash is not SHA-256 of ${ENTRA_RP_ID}.`);
  const flags = ad[32]!;
  if (!(flags & 0x01)) return bad('User presence (UP) flag is not set.');
  if (!(flags & 0x04)) return bad('User verification (UV) flag is not set; Microsoft Entra ID requires user verification.');
  if (!(flags & 0x40)) return bad('authData carries no attested credential data (AT flag).');
  const aaguidHex = ad.subarray(37, 53).toString('hex');
  const aaGuid = `${aaguidHex.slice(0, 8)}-${aaguidHex.slice(8, 12)}-${aaguidHex.slice(12, 16)}-${aaguidHex.slice(16, 20)}-${aaguidHex.slice(20)}`;
  const idLen = ad.readUInt16BE(53);
  const credId = ad.subarray(55, 55 + idLen);
  if (credId.toString('base64url') !== pkc.id) return bad('publicKeyCredential.id does not match the credential id in authData.');
  let publicKey: crypto.KeyObject;
  try {
    const cose = decodeCbor(ad.subarray(55 + idLen)).value as Map<number, CborValue>;
    publicKey = coseToKey(cose);
  } catch (e) {
    return bad(`credential public key is not a supported COSE key: ${(e as Error).message}`);
  }

  const signed = Buffer.concat([ad, sha256(Buffer.from(pkc.response.clientDataJSON, 'base64url'))]);
  let attestationLevel: Fido2Method['attestationLevel'] = 'notAttested';
  if (fmt === 'packed') {
    const alg = attStmt.get('alg'),
      sig = attStmt.get('sig'),
      x5c = attStmt.get('x5c');
    if (typeof alg !== 'number' || !(sig instanceof Uint8Array)) return bad('packed attStmt needs alg and sig.');
    const hash = alg === -7 || alg === -257 ? 'sha256' : null;
    if (!hash) return bad(`packed attestation algorithm ${alg} is not supported.`);
    const signer = Array.isArray(x5c) && x5c[0] instanceof Uint8Array ? new crypto.X509Certificate(Buffer.from(x5c[0])).publicKey : publicKey;
    if (!crypto.verify(hash, signed, signer, Buffer.from(sig))) return bad('packed attestation signature is not valid.');
    if (Array.isArray(x5c)) attestationLevel = 'attested';
  } else if (fmt !== 'none' || state.requirePackedAttestation) {
    return bad(`Attestation format '${fmt}' is not accepted: this tenant enforces attestation (packed).`);
  }
  if ([...state.fido2.values()].flat().some((x) => x.credentialId === pkc.id)) return bad('This credential is already registered.');
  issued.used = true;
  const created: Fido2Method = {
    id: crypto.createHash('sha256').update(credId).digest('base64url').slice(0, 22),
    credentialId: pkc.id,
    displayName: b.displayName,
    createdDateTime: new Date(state.now()).toISOString(),
    lastUsedDateTime: null,
    aaGuid,
    model: knownModels[aaGuid] ?? null,
    attestationLevel,
  };
  state.fido2.set(userId, [...(state.fido2.get(userId) ?? []), created]);
  return { status: 201, body: { '@odata.context': 'fido2Methods/$entity', ...methodJson(created) } };
}

/** COSE_Key (RFC 9052 §7) EC2 P-256 or RSA to a Node public key. */
function coseToKey(cose: Map<number, CborValue>): crypto.KeyObject {
  const b64 = (v: CborValue | undefined) => {
    if (!(v instanceof Uint8Array)) throw new Error('missing key parameter');
    return Buffer.from(v).toString('base64url');
  };
  if (cose.get(1) === 2 && cose.get(-1) === 1)
    return crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64(cose.get(-2)), y: b64(cose.get(-3)) }, format: 'jwk' });
  if (cose.get(1) === 3) return crypto.createPublicKey({ key: { kty: 'RSA', n: b64(cose.get(-1)), e: b64(cose.get(-2)) }, format: 'jwk' });
  throw new Error(`kty ${String(cose.get(1))}`);
}
