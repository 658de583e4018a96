import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
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
 * Which employee: the hint's `preferred_username` (the Entra user's UPN) must be the e-mail address
 * of the employee who signs in to Tessera, compared case-insensitively (Tessera signs employees in
 * by e-mail; directory sync keeps UPN and e-mail aligned). The answer's `sub` is the hint's `sub`,
 * as Entra requires; `oid` and `tid` are carried over too.
 */
export const EAM_HINT_PARAM = 'eam_id_token_hint';

export interface EamSettings { tenantId: string; appId: string; jwksUrl: string }
export interface EamSubject { sub: string; oid?: string; tid?: string; upn: string }

export class EamHintError extends Error {
  constructor(message: string) {
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
     * Verifies Entra's id_token_hint: signature by a key of the tenant's JWKS, `iss` of that tenant
     * (v2.0), `aud` our EAM application, not expired (no leeway beyond 60 s of clock skew), and the
     * user it names being the signed-in employee.
     */
    async verifyEamHint(hint: string | undefined, eam: EamSettings, employeeEmail: string): Promise<EamSubject> {
      if (!hint) throw new EamHintError('Entra sent no id_token_hint');
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(hint, keySet(eam.jwksUrl), {
          issuer: entraIssuer(eam.tenantId), audience: eam.appId, algorithms: ['RS256'],
          currentDate: deps.clock.now(), clockTolerance: 60, requiredClaims: ['sub', 'exp', 'iat'],
        }));
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) throw new EamHintError('the id_token_hint has expired');
        if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey) throw new EamHintError('the id_token_hint is not signed by a key of the Entra tenant');
        if (err instanceof joseErrors.JWTClaimValidationFailed) throw new EamHintError(`the id_token_hint's "${err.claim}" is not the expected value`);
        throw new EamHintError(`the id_token_hint could not be verified (${(err as Error).message})`);
      }
      const upn = typeof payload.preferred_username === 'string' ? payload.preferred_username
        : typeof payload.upn === 'string' ? payload.upn : typeof payload.email === 'string' ? payload.email : undefined;
      if (!upn) throw new EamHintError('the id_token_hint names no user (preferred_username)');
      if (upn.toLowerCase() !== employeeEmail.toLowerCase()) throw new EamHintError(`the id_token_hint names ${upn}, not the signed-in employee`);
      return {
        sub: payload.sub!, upn,
        ...(typeof payload.oid === 'string' ? { oid: payload.oid } : {}),
        ...(typeof payload.tid === 'string' ? { tid: payload.tid } : {}),
      };
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
