import crypto from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';
import type { AuditService } from '../audit/audit.service.js';
import type { Config } from '../config/config.js';
import type { Db, Executor } from '../db/connection.js';
import { AppError, isUniqueViolation } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { RequestContext } from '../lib/context.js';
import { hmac, randomToken } from '../security/tokens.js';
import type { SettingsService } from '../settings/settings.service.js';
import { authenticatorModel } from './aaguids.js';
import { secondFactorKeysAllowed, type CredentialKind } from './authn.schemas.js';
import * as repo from './webauthn.repository.js';

export type SubjectType = 'employee' | 'admin';

/** Who registers or signs in: an employee or an admin. `name` is the e-mail address. */
export interface WebAuthnSubject {
  type: SubjectType;
  id: string;
  name: string;
  displayName: string;
}

/**
 * What a challenge was issued for; a challenge is refused for any other ceremony. vault_reveal:
 * a signed-in employee proves their presence again to read a secret of their vault (src/vaults);
 * workstation_delivery: the agent relays the employee's key to receive their credentials.
 */
export type CeremonyPurpose = 'register' | 'sign_in' | 'second_factor' | 'workstation_delivery' | 'vault_reveal';

/** A challenge lives 5 minutes (WebAuthn §13.4.3 recommends a short, single-use challenge). */
const CHALLENGE_SECONDS = 300;
/** Expired challenges are kept an hour longer, so that a late answer hears "expired", not "unknown". */
const KEEP_EXPIRED_MS = 3600_000;

/**
 * A platform authenticator, whatever the client claims it asked for: the attachment the browser
 * reports, an `internal` or `hybrid` transport (a device's own authenticator, or a phone), or a
 * backup-eligible credential (a synced passkey is never a hardware-bound security key).
 */
export function isPlatformCredential(r: { attachment?: string | null; transports: string[]; isBackupEligible: boolean }): boolean {
  return r.attachment === 'platform' || r.transports.some((t) => t === 'internal' || t === 'hybrid') || r.isBackupEligible;
}

/**
 * Whether a ceremony of this purpose may use the credential. One enrolled as a second factor only
 * serves only the second factor after a password: never a passwordless sign-in, a workstation
 * delivery or a vault reveal, which each stand on the key alone. Default deny for new purposes.
 */
export const acceptsCredential = (purpose: CeremonyPurpose, c: { isSecondFactorOnly: boolean }): boolean =>
  !c.isSecondFactorOnly || purpose === 'second_factor';

/**
 * The user verification an answer must show: what the ceremony asked, except that a ceremony
 * relaxed for a second-factor key (standaloneUserVerification: the policy's) still holds every
 * other credential to the policy, so a passkey does not lose its PIN check by sharing the ceremony.
 */
export const userVerificationFor = (data: Record<string, unknown>, c: { isSecondFactorOnly: boolean }): unknown =>
  !c.isSecondFactorOnly && data.standaloneUserVerification !== undefined ? data.standaloneUserVerification : data.userVerification;

/** The WebAuthn user handle of a subject: the 16 bytes of its UUID (no personal data, §14.6.1). */
export const userHandleOf = (subjectId: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(subjectId.replace(/-/g, ''), 'hex'));

const auditActions = {
  employee: { registered: 'employee.credential_registered', regressed: 'employee.sign_count_regressed' },
  admin: { registered: 'admin.passkey_registered', regressed: 'admin.sign_count_regressed' },
} as const;

function verificationFailed(err: unknown): AppError {
  const reason = err instanceof Error ? err.message.slice(0, 300) : 'the answer was not accepted';
  return new AppError('webauthn.verification_failed', `The authenticator's answer could not be verified: ${reason}`, { cause: err });
}

/** What a verified attestation says about the new credential, for the caller's own checks. */
export interface Attested {
  /** The model's AAGUID, lower-case (all zero when the client or authenticator hides it). */
  aaguid: string;
  /** The UV flag (§6.1): the authenticator verified its user (PIN or biometric). */
  userVerified: boolean;
  /** The minPinLength extension's output (CTAP 2.1 §12.4), when the authenticator reported it. */
  minPinLength?: number;
  /** The attestation statement format (none, packed, fido-u2f, tpm...). */
  fmt: string;
  /** The attestation certificate chain (DER), leaf first; empty for none or self attestation. */
  x5c: Uint8Array[];
}

function attestedOf(info: {
  aaguid: string;
  userVerified: boolean;
  fmt: string;
  authenticatorExtensionResults?: unknown;
  attestationObject: Uint8Array;
}): Attested {
  const ext = info.authenticatorExtensionResults as { minPinLength?: unknown } | undefined;
  const minPinLength = typeof ext?.minPinLength === 'number' && Number.isInteger(ext.minPinLength) ? ext.minPinLength : undefined;
  let x5c: Uint8Array[] = [];
  try {
    const decoded = isoCBOR.decodeFirst<Map<string, unknown>>(new Uint8Array(info.attestationObject));
    const stmt = decoded.get('attStmt');
    const chain = stmt instanceof Map ? stmt.get('x5c') : undefined;
    if (Array.isArray(chain)) x5c = chain.filter((c): c is Uint8Array => c instanceof Uint8Array).slice(0, 10);
  } catch {
    x5c = [];
  }
  return { aaguid: info.aaguid.toLowerCase(), userVerified: info.userVerified, minPinLength, fmt: info.fmt, x5c };
}

export type WebAuthnService = ReturnType<typeof createWebAuthnService>;

export function createWebAuthnService(deps: {
  db: Db;
  audit: AuditService;
  clock: Clock;
  settings: SettingsService;
  config: Config;
  decoyKey: Buffer;
  /**
   * Runs in the registration's transaction after an employee's credential was stored (and after
   * the caller's `afterInsert`), whichever page registered it: the hardware key inventory records a
   * directly attested security key. What it throws refuses the registration.
   */
  afterEmployeeRegistration?: () => ((ctx: RequestContext, tx: Executor, row: repo.CredentialRow, attested: Attested) => Promise<void>) | undefined;
}) {
  const { db, audit, clock, settings, config } = deps;
  const publicUrl = new URL(config.publicUrl);
  /** Relying party: the host name of PUBLIC_URL (WebAuthn §5.1.3 RP ID), answers only from its origin. */
  const rpID = publicUrl.hostname;
  const origin = publicUrl.origin;

  async function saveChallenge(input: {
    purpose: CeremonyPurpose;
    subjectType: SubjectType;
    subjectId: string | null;
    challenge: string;
    data: Record<string, unknown>;
    seconds?: number;
  }): Promise<string> {
    // Expired challenges are removed by the housekeeping timer (purgeExpiredChallenges), not here.
    const now = clock.now();
    const id = randomToken(18);
    const { seconds = CHALLENGE_SECONDS, ...row } = input;
    await repo.insertChallenge(db, { id, ...row, createdAt: now, expiresAt: new Date(now.getTime() + seconds * 1000) });
    return id;
  }

  /** Uses up the challenge (committed at once, so a failed answer cannot be retried), then checks it. */
  async function claimChallenge(ceremonyId: string, purpose: CeremonyPurpose, subjectType: SubjectType, subjectId?: string): Promise<repo.ChallengeRow> {
    const now = clock.now();
    return checkClaimed(await repo.claimChallenge(db, ceremonyId, now), now, purpose, subjectType, subjectId);
  }

  function checkClaimed(
    row: repo.ChallengeRow | undefined,
    now: Date,
    purpose: CeremonyPurpose,
    subjectType: SubjectType,
    subjectId?: string,
  ): repo.ChallengeRow {
    if (!row) throw new AppError('webauthn.challenge_invalid', 'This sign-in attempt is unknown or was already used: start again');
    if (row.expiresAt <= now) {
      const minutes = Math.max(1, Math.round((row.expiresAt.getTime() - row.createdAt.getTime()) / 60_000));
      throw new AppError('webauthn.challenge_expired', `This attempt took longer than ${minutes} minutes and has expired: start again`);
    }
    if (row.purpose !== purpose || row.subjectType !== subjectType || (subjectId !== undefined && row.subjectId !== subjectId)) {
      throw new AppError('webauthn.challenge_invalid', 'This attempt belongs to another ceremony: start again');
    }
    return row;
  }

  /**
   * Stand-ins for the credentials of an unknown e-mail address (or of one without any), derived
   * from the address so that asking twice gives the same answer: options for an unknown address
   * look like those of a known one (no account enumeration).
   */
  function decoyCredentials(email: string) {
    const mac = Buffer.from(hmac(deps.decoyKey, email.trim().toLowerCase()), 'base64url');
    return [{ id: mac.subarray(0, 16 + (mac[31] % 17)).toString('base64url'), transports: ['usb', 'nfc'] }];
  }

  /**
   * `attestation: 'direct'` asks for the model's attestation whatever the policy (activating an
   * inventoried key needs the AAGUID). `userVerification: 'required'` asks for it whatever the
   * policy (a key's access profile); the caller checks the answer's UV flag (`attested.userVerified`)
   * and refuses with its own code. `minPinLength` asks the authenticator to report its minimum PIN
   * length (CTAP 2.1 §12.4; only authenticators configured to tell this RP do).
   */
  async function startRegistration(
    subject: WebAuthnSubject,
    kind: CredentialKind,
    data: Record<string, unknown> = {},
    opts: { attestation?: 'direct'; userVerification?: 'required'; minPinLength?: boolean } = {},
  ) {
    const s = await settings.get();
    const policy = s.authenticators;
    const isSecondFactorKey = kind === 'second_factor_key';
    if (isSecondFactorKey && (subject.type !== 'employee' || !secondFactorKeysAllowed(s))) {
      throw new AppError(
        'signin.method_not_allowed',
        subject.type === 'employee'
          ? 'Your organisation does not allow a security key as the second factor after a password: register a passkey or a security key that signs in on its own'
          : 'A security key as a second factor is for employees: register a passkey or a security key',
      );
    }
    if (kind === 'passkey' && !policy.allowPlatform) {
      throw new AppError(
        'webauthn.authenticator_not_allowed',
        'Your organisation does not allow passkeys kept on a computer or phone: register a hardware security key',
      );
    }
    const existing = await repo.findCredentialsBySubject(db, subject.type, subject.id);
    if (existing.length >= policy.maxCredentialsPerEmployee) {
      throw new AppError('webauthn.too_many_credentials', `You already have ${existing.length} passkeys or security keys, the most allowed: remove one first`);
    }
    const options = await generateRegistrationOptions({
      rpName: s.organisationName,
      rpID,
      userName: subject.name,
      userDisplayName: subject.displayName,
      userID: userHandleOf(subject.id),
      timeout: CHALLENGE_SECONDS * 1000,
      attestationType: opts.attestation ?? policy.attestation,
      excludeCredentials: existing.map((c) => ({ id: c.credentialId, transports: c.transports })),
      authenticatorSelection: isSecondFactorKey
        ? {
            authenticatorAttachment: 'cross-platform',
            // A second factor needs no discoverable credential (§6.2.2: the server names it in
            // allowCredentials after the password), nor user verification (the password is the
            // other factor): so U2F-only keys, which can do neither, serve (CTAP 2.1 §11 U2F interoperability).
            residentKey: 'discouraged',
            userVerification: opts.userVerification ?? 'discouraged',
          }
        : {
            authenticatorAttachment: kind === 'passkey' ? 'platform' : 'cross-platform',
            // Discoverable credentials, so that sign-in can start without a user name (§6.2.2).
            residentKey: 'required',
            requireResidentKey: true,
            userVerification: opts.userVerification ?? policy.userVerification,
          },
      ...(opts.minPinLength ? { extensions: { minPinLength: true } } : {}),
      preferredAuthenticatorType: kind === 'passkey' ? 'localDevice' : 'securityKey',
    });
    const ceremonyId = await saveChallenge({
      purpose: 'register',
      subjectType: subject.type,
      subjectId: subject.id,
      challenge: options.challenge,
      data: { ...data, kind, userVerification: isSecondFactorKey ? (opts.userVerification ?? 'discouraged') : policy.userVerification },
    });
    return { ceremonyId, options };
  }

  /**
   * Verifies an attestation (§7.1) and stores the credential. `within` runs in the same
   * transaction before the insert (an enrolment uses up its invitation there; a key activation
   * checks the model's AAGUID), `afterInsert` after it (a key activation binds the credential).
   */
  async function finishRegistration(
    ctx: RequestContext,
    input: {
      subject: WebAuthnSubject;
      ceremonyId: string;
      response: RegistrationResponseJSON;
      name?: string;
      within?: (tx: Executor, challenge: repo.ChallengeRow, attested: Attested) => Promise<void>;
      afterInsert?: (tx: Executor, row: repo.CredentialRow) => Promise<void>;
    },
  ): Promise<repo.CredentialRow> {
    const { subject } = input;
    const challenge = await claimChallenge(input.ceremonyId, 'register', subject.type, subject.id);
    const current = await settings.get();
    const policy = current.authenticators;
    if (challenge.data.kind === 'second_factor_key' && !secondFactorKeysAllowed(current)) {
      throw new AppError('signin.method_not_allowed', 'Your organisation no longer allows a security key as the second factor after a password');
    }
    let info;
    try {
      const result = await verifyRegistrationResponse({
        response: input.response,
        expectedChallenge: challenge.challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        requireUserVerification: challenge.data.userVerification === 'required',
      });
      if (!result.verified) throw new Error('the attestation was not verified');
      info = result.registrationInfo;
    } catch (err) {
      throw verificationFailed(err);
    }
    const transports = (input.response.response.transports ?? []).filter((t) => typeof t === 'string').slice(0, 10);
    const isBackupEligible = info.credentialDeviceType === 'multiDevice';
    const isPlatform = isPlatformCredential({ attachment: input.response.authenticatorAttachment, transports, isBackupEligible });
    const model = authenticatorModel(info.aaguid);
    const target = { type: subject.type, id: subject.id, label: subject.name };
    const refuse = async (reason: string, message: string): Promise<never> => {
      await audit.record(ctx, {
        action: auditActions[subject.type].registered,
        outcome: 'failure',
        target,
        details: { reason, aaguid: info.aaguid, model, attachment: isPlatform ? 'platform' : 'cross-platform' },
      });
      throw new AppError('webauthn.authenticator_not_allowed', message);
    };
    // The options asked for the right attachment, but a client can ignore or rewrite them: decide on what answered.
    if (isPlatform && !policy.allowPlatform) {
      await refuse(
        'platform authenticator not allowed',
        `${model ? `${model} is` : 'This is'} a passkey kept on a computer or phone, which your organisation does not allow: register a hardware security key`,
      );
    }
    if (policy.aaguidAllowList.length > 0 && !policy.aaguidAllowList.includes(info.aaguid)) {
      await refuse(
        'model not in allow-list',
        `${model ?? `This authenticator model (AAGUID ${info.aaguid})`} is not on your organisation's list of allowed authenticators`,
      );
    }
    const name = input.name?.trim() || model || (isPlatform ? 'Passkey' : 'Security key');
    const isSecondFactorOnly = challenge.data.kind === 'second_factor_key';
    let hookRefusal: unknown;
    try {
      return await db.transaction(async (tx) => {
        await repo.lockSubjectCredentials(tx, subject.type, subject.id);
        if ((await repo.countCredentialsBySubject(tx, subject.type, subject.id)) >= policy.maxCredentialsPerEmployee) {
          throw new AppError('webauthn.too_many_credentials', 'You already have the most passkeys and security keys allowed: remove one first');
        }
        if (input.within) await input.within(tx, challenge, attestedOf(info));
        const row = await repo.insertCredential(tx, {
          subjectType: subject.type,
          subjectId: subject.id,
          credentialId: info.credential.id,
          publicKey: isoBase64URL.fromBuffer(info.credential.publicKey),
          signCount: info.credential.counter,
          transports,
          aaguid: info.aaguid,
          attachment: isPlatform ? 'platform' : 'cross-platform',
          isBackupEligible,
          isBackedUp: info.credentialBackedUp,
          isUserVerified: info.userVerified,
          // What the server asked for when the ceremony began, not what the client says it made.
          isSecondFactorOnly,
          name,
          createdAt: clock.now(),
        });
        await audit.record(
          ctx,
          {
            action: auditActions[subject.type].registered,
            target,
            details: {
              credential: row.id,
              name,
              aaguid: info.aaguid,
              model,
              attachment: row.attachment,
              attestation: info.fmt,
              isBackupEligible,
              isSecondFactorOnly,
            },
          },
          tx,
        );
        if (input.afterInsert) await input.afterInsert(tx, row);
        const hook = subject.type === 'employee' ? deps.afterEmployeeRegistration?.() : undefined;
        if (hook)
          await hook(ctx, tx, row, attestedOf(info)).catch((err: unknown) => {
            hookRefusal = err;
            throw err;
          });
        return row;
      });
    } catch (err) {
      // The inventory refused the key (its access profile): audited once the transaction rolled back.
      if (err === hookRefusal && err instanceof AppError)
        await audit.record(ctx, {
          action: auditActions[subject.type].registered,
          outcome: 'failure',
          target,
          details: { reason: err.code, aaguid: info.aaguid, model, attachment: isPlatform ? 'platform' : 'cross-platform' },
        });
      if (isUniqueViolation(err)) throw new AppError('webauthn.verification_failed', 'This authenticator is already registered');
      throw err;
    }
  }

  /**
   * Options for an assertion. Without a subject: username-less (empty allowCredentials, the
   * authenticator offers its discoverable credentials). With one: that subject's credentials,
   * or decoys when it has none. `bound` refuses every credential when no subject was found.
   * `credentialIds` (row ids) narrows the subject's credentials to those; `data` is kept with the
   * challenge and handed back by finishAuthentication; `seconds` shortens its life.
   */
  async function startAuthentication(input: {
    purpose: CeremonyPurpose;
    subjectType: SubjectType;
    subjectId?: string | null;
    decoyFor?: string;
    userVerification?: 'required' | 'preferred' | 'discouraged';
    credentialIds?: string[];
    data?: Record<string, unknown>;
    seconds?: number;
    /** What the challenge is bound to besides its subject (finishAuthentication's `expect` must match). */
    bindTo?: Record<string, string>;
  }) {
    const policy = (await settings.get()).authenticators;
    const userVerification = input.userVerification ?? policy.userVerification;
    const bound = input.subjectId !== undefined;
    const seconds = input.seconds ?? CHALLENGE_SECONDS;
    let allowCredentials: { id: string; transports: string[] }[] = [];
    if (input.subjectId) {
      const own = await repo.findCredentialsBySubject(db, input.subjectType, input.subjectId);
      allowCredentials = own
        .filter((c) => !input.credentialIds || input.credentialIds.includes(c.id))
        .filter((c) => acceptsCredential(input.purpose, c))
        .map((c) => ({ id: c.credentialId, transports: c.transports }));
    }
    if (bound && allowCredentials.length === 0 && input.decoyFor) allowCredentials = decoyCredentials(input.decoyFor);
    const options = await generateAuthenticationOptions({ rpID, allowCredentials, userVerification, timeout: seconds * 1000 });
    const ceremonyId = await saveChallenge({
      purpose: input.purpose,
      subjectType: input.subjectType,
      subjectId: input.subjectId ?? null,
      challenge: options.challenge,
      data: { ...input.data, ...input.bindTo, bound, userVerification },
      seconds,
    });
    return { ceremonyId, options };
  }

  /** Verifies an assertion (§7.2) and records the use. Throws `webauthn.credential_unknown` for a credential that is not the subject's. */
  async function finishAuthentication(
    ctx: RequestContext,
    input: {
      ceremonyId: string;
      purpose: CeremonyPurpose;
      subjectType: SubjectType;
      subjectId?: string;
      response: AuthenticationResponseJSON;
      /** The challenge must have been issued bound to these values (startAuthentication's `bindTo`). */
      expect?: Record<string, string>;
    },
  ): Promise<{ credential: repo.CredentialRow; userVerified: boolean; data: Record<string, unknown> }> {
    // One round trip: the claim and the credential the answer names.
    const now = clock.now();
    const claimed = await repo.claimChallengeWithCredential(db, input.ceremonyId, now, input.response.id);
    const challenge = checkClaimed(claimed.challenge, now, input.purpose, input.subjectType, input.subjectId);
    for (const [key, value] of Object.entries(input.expect ?? {})) {
      if (challenge.data[key] !== value) throw new AppError('webauthn.challenge_invalid', 'This attempt was started for something else: start again');
    }
    const credential = claimed.credential;
    const handle = input.response.response.userHandle;
    const isKnown =
      credential &&
      credential.subjectType === input.subjectType &&
      (challenge.data.bound ? credential.subjectId === challenge.subjectId : true) &&
      (!handle || handle === isoBase64URL.fromBuffer(userHandleOf(credential.subjectId)));
    if (!credential || !isKnown) throw new AppError('webauthn.credential_unknown', 'This passkey or security key is not registered here');
    // Before the signature: a U2F-era key cannot give the user verification a passwordless
    // ceremony asks for, and its holder should hear the reason that helps (it says no more than
    // credential_unknown does: that the id is registered here). Nothing is recorded as a use.
    if (!acceptsCredential(input.purpose, credential)) {
      throw new AppError(
        'webauthn.second_factor_only',
        'This security key is registered as a second factor: sign in with your e-mail address and password first, then use the key',
      );
    }
    let info;
    try {
      const result = await verifyAuthenticationResponse({
        response: input.response,
        expectedChallenge: challenge.challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        // The counter is checked below, where policy decides between refusing and flagging.
        credential: { id: credential.credentialId, publicKey: isoBase64URL.toBuffer(credential.publicKey), counter: 0, transports: credential.transports },
        requireUserVerification: userVerificationFor(challenge.data, credential) === 'required',
      });
      if (!result.verified) throw new Error('the signature was not verified');
      info = result.authenticationInfo;
    } catch (err) {
      throw verificationFailed(err);
    }
    // §7.2 step 22 (§6.1.1): with a counter in use, a value that does not grow suggests a cloned authenticator.
    const stored = credential.signCount;
    const received = info.newCounter;
    if ((stored !== 0 || received !== 0) && received <= stored) {
      const { signCountPolicy } = (await settings.get()).authenticators;
      await audit.record(ctx, {
        action: auditActions[input.subjectType].regressed,
        outcome: 'failure',
        target: { type: credential.subjectType, id: credential.subjectId, label: null },
        details: { credential: credential.id, name: credential.name, stored, received, policy: signCountPolicy },
      });
      if (signCountPolicy === 'refuse') {
        throw new AppError(
          'webauthn.sign_count_regressed',
          'This security key reported a use counter lower than before, a sign that it may have been copied: contact your administrator',
        );
      }
    }
    const updated = await repo.updateCredentialById(db, credential.id, {
      signCount: Math.max(stored, received),
      lastUsedAt: clock.now(),
      isBackedUp: info.credentialBackedUp,
    });
    return { credential: updated ?? credential, userVerified: info.userVerified, data: challenge.data };
  }

  return {
    rpID,
    origin,
    startRegistration,
    finishRegistration,
    startAuthentication,
    finishAuthentication,
    list: (subjectType: SubjectType, subjectId: string) => repo.findCredentialsBySubject(db, subjectType, subjectId),
    count: (subjectType: SubjectType, subjectId: string, tx: Executor = db) => repo.countCredentialsBySubject(tx, subjectType, subjectId),
    /**
     * Those of the subjects holding a credential (other than `exceptCredentialIds`: row ids);
     * `standalone`: one that works on its own (a passwordless sign-in, a vault reveal), not a second-factor key.
     */
    holders: (subjectType: SubjectType, subjectIds: string[], opts: { exceptCredentialIds?: string[]; standalone?: boolean } = {}) =>
      repo.findSubjectsWithCredentials(db, subjectType, subjectIds, opts.exceptCredentialIds, { standalone: opts.standalone }),
    find: (subjectType: SubjectType, subjectId: string, id: string) => repo.findCredentialOfSubject(db, subjectType, subjectId, id),
    /**
     * Removes challenges expired more than an hour ago (kept that long so that a late answer hears
     * "expired", not "unknown"); the server's housekeeping timer calls it.
     */
    purgeExpiredChallenges: () => repo.deleteExpiredChallenges(db, new Date(clock.now().getTime() - KEEP_EXPIRED_MS)),
    /** By the WebAuthn credential id (base64url) an answer names: for the audit trail of a refused one. */
    findByCredentialId: (credentialId: string) => repo.findCredentialByCredentialId(db, credentialId),
  };
}

/** A key for the decoy credential ids, derived from the master key (stable across restarts and nodes). */
export function deriveDecoyKey(masterKey: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), 'tessera webauthn decoy v1', 32));
}
