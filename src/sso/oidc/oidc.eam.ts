import { compactVerify, createRemoteJWKSet, errors as joseErrors, type JWTPayload } from 'jose';
import type { Clock } from '../../lib/clock.js';
import { entraIssuer } from './oidc-client.service.js';

/**
 * Microsoft Entra ID External Authentication Method (EAM) profile. Entra sends the employee to our
 * authorize endpoint with `response_type=id_token`, `response_mode=form_post`, a `claims` request
 * for `acr`/`amr`, a `login_hint` and an `id_token_hint` that Entra signed. oidc-provider would
 * check that hint as one of its own ID tokens, so for EAM clients the mount renames it to
 * `eam_id_token_hint` (verifyEamHint checks it here, against the tenant's keys) before the
 * provider sees the request.
 *
 * Freshness: Microsoft's EAM provider reference ("Default id_token_hint claims") says the hint "is
 * issued as expired" so that it cannot be used for anything but a hint (its example has
 * `exp` = `iat` - 1), and that Entra abandons the sign-in about 10 minutes after sending the user
 * to the provider. So `exp` cannot decide; a hint is accepted when it was issued (`iat`, and `nbf`
 * if present) within the last HINT_MAX_AGE_S seconds, give or take CLOCK_SKEW_S.
 *
 * Which employee: Microsoft recommends `oid` + `tid` to associate accounts (`preferred_username`
 * "isn't guaranteed to be unique within a tenant"). The caller says who the signed-in employee is
 * in that tenant (EamEmployee): when directory sync linked them to an Entra account of the tenant,
 * the hint's `oid` must be that account's object id; only an employee with no such account falls
 * back to `preferred_username` (the Entra UPN) = their e-mail address, compared case-insensitively.
 * The answer's `sub` is the hint's `sub`, as Entra requires; `oid` and `tid` are carried over too.
 */
export const EAM_HINT_PARAM = 'eam_id_token_hint';
/** Entra abandons the sign-in "about 10 minutes after the redirection to the provider". */
export const HINT_MAX_AGE_S = 600;
export const CLOCK_SKEW_S = 60;

export interface EamSettings {
  tenantId: string;
  appId: string;
  jwksUrl: string;
}
export interface EamSubject {
  sub: string;
  oid?: string;
  tid?: string;
  upn: string;
}
/** The signed-in employee as the hint must name them: e-mail, and the Entra object ids linked to them (lower case). */
export interface EamEmployee {
  email: string;
  entraObjectIds: string[];
}

export class EamHintError extends Error {
  /** The OAuth error posted back to Entra: access_denied, or temporarily_unavailable when the tenant's keys could not be fetched. */
  constructor(
    message: string,
    readonly error: 'access_denied' | 'temporarily_unavailable' = 'access_denied',
  ) {
    super(message);
    this.name = 'EamHintError';
  }
}

/** Remote key sets by URL: jose caches the keys and refetches on an unknown kid (cool-down 30 s). */
export function createEamVerifier(deps: { clock: Clock }) {
  const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  const keySet = (url: string) => {
    let set = keySets.get(url);
    if (!set) {
      set = createRemoteJWKSet(new URL(url), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 3_600_000 });
      keySets.set(url, set);
    }
    return set;
  };

  return {
    /**
     * Verifies Entra's id_token_hint: RS256 signature (no other algorithm) by a key of the tenant's
     * JWKS, `iss` of that tenant (v2.0), `aud` our EAM application, issued within HINT_MAX_AGE_S,
     * and naming the signed-in employee. `employee` is looked up by the caller for the given
     * tenant (see EamEmployee).
     */
    async verifyEamHint(
      hint: string | undefined,
      eam: EamSettings,
      employee: (subject: { oid?: string; tid?: string }) => Promise<EamEmployee>,
    ): Promise<EamSubject> {
      if (!hint) throw new EamHintError('Entra sent no id_token_hint');
      let payload: JWTPayload;
      try {
        const { payload: bytes } = await compactVerify(hint, keySet(eam.jwksUrl), { algorithms: ['RS256'] });
        payload = JSON.parse(new TextDecoder().decode(bytes)) as JWTPayload;
        if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('the payload is not a JSON object');
      } catch (err) {
        if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey)
          throw new EamHintError('the id_token_hint is not signed by a key of the Entra tenant');
        if (err instanceof joseErrors.JOSEAlgNotAllowed) throw new EamHintError('the id_token_hint is not signed with RS256');
        // The tenant's JWKS unreachable, slow or malformed: Entra's reference names temporarily_unavailable for this.
        const isKeySetDown =
          err instanceof joseErrors.JWKSTimeout ||
          err instanceof joseErrors.JWKSInvalid ||
          err instanceof TypeError ||
          (err instanceof joseErrors.JOSEError && /JSON Web Key Set/.test(err.message));
        if (isKeySetDown) throw new EamHintError(`the Entra tenant's keys could not be fetched (${(err as Error).message})`, 'temporarily_unavailable');
        throw new EamHintError(`the id_token_hint could not be verified (${(err as Error).message})`);
      }
      const issuer = entraIssuer(eam.tenantId.toLowerCase());
      if (payload.iss !== issuer) throw new EamHintError(`the id_token_hint's "iss" is ${JSON.stringify(payload.iss)}, expected ${issuer}`);
      const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!audiences.includes(eam.appId)) throw new EamHintError(`the id_token_hint's "aud" is ${JSON.stringify(payload.aud)}, expected ${eam.appId}`);
      if (typeof payload.sub !== 'string' || !payload.sub) throw new EamHintError('the id_token_hint has no "sub"');
      const now = Math.floor(deps.clock.now().getTime() / 1000);
      if (typeof payload.iat !== 'number') throw new EamHintError('the id_token_hint has no "iat"');
      if (payload.iat > now + CLOCK_SKEW_S) throw new EamHintError('the id_token_hint is issued in the future (check the clocks)');
      if (payload.iat < now - HINT_MAX_AGE_S - CLOCK_SKEW_S)
        throw new EamHintError(`the id_token_hint has expired (issued ${now - payload.iat} s ago, at most ${HINT_MAX_AGE_S} s allowed)`);
      if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > now + CLOCK_SKEW_S))
        throw new EamHintError('the id_token_hint is not valid yet ("nbf")');

      const oid = typeof payload.oid === 'string' ? payload.oid : undefined;
      const tid = typeof payload.tid === 'string' ? payload.tid : undefined;
      const upn =
        typeof payload.preferred_username === 'string'
          ? payload.preferred_username
          : typeof payload.upn === 'string'
            ? payload.upn
            : typeof payload.email === 'string'
              ? payload.email
              : undefined;
      const who = await employee({ oid, tid });
      if (who.entraObjectIds.length) {
        if (!oid || !who.entraObjectIds.includes(oid.toLowerCase()))
          throw new EamHintError(`the id_token_hint names Entra user ${oid ?? upn ?? payload.sub}, not the signed-in employee`);
      } else {
        if (!upn) throw new EamHintError('the id_token_hint names no user (preferred_username)');
        if (upn.toLowerCase() !== who.email.toLowerCase()) throw new EamHintError(`the id_token_hint names ${upn}, not the signed-in employee`);
      }
      return { sub: payload.sub, upn: upn ?? '', ...(oid ? { oid } : {}), ...(tid ? { tid } : {}) };
    },
  };
}

/**
 * Renames `id_token_hint` to EAM_HINT_PARAM in an authorization request of an EAM client (query
 * or form parameters), so that oidc-provider does not try to verify Entra's token as its own.
 */
export async function rewriteEamHint(params: URLSearchParams, isEamClient: (clientId: string) => Promise<boolean>): Promise<boolean> {
  const clientId = params.get('client_id');
  if (!params.has('id_token_hint') || !clientId || !(await isEamClient(clientId))) return false;
  params.set(EAM_HINT_PARAM, params.get('id_token_hint')!);
  params.delete('id_token_hint');
  return true;
}
