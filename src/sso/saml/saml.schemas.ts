import { z } from 'zod';

// The SAML protocol endpoints' inputs (SAML 2.0 Bindings §3.4 Redirect, §3.5 POST). Unknown
// parameters pass: the signature of a Redirect message covers the raw query (SigAlg, Signature).

/** An AuthnRequest at the SSO endpoint. */
export const ssoMessage = z.object({ SAMLRequest: z.string().max(400_000).optional(), RelayState: z.string().max(2048).optional() }).passthrough();
/** A LogoutRequest or LogoutResponse at the SLO endpoint. */
export const sloMessage = z
  .object({ SAMLRequest: z.string().max(400_000).optional(), SAMLResponse: z.string().max(400_000).optional(), RelayState: z.string().max(2048).optional() })
  .passthrough();
export type SloMessage = z.infer<typeof sloMessage>;
/** The portal's Sign out says where it comes from. */
export const logoutQuery = z.object({ from: z.enum(['portal']).optional() }).passthrough();
/** A pending sign-in, resumed after the employee signed in. */
export const continueParams = z.object({ id: z.string().max(100) });
/** An IdP-initiated sign-in into one service provider. */
export const spStartParams = z.object({ id: z.string().uuid() });
