/**
 * The enrolling authenticator's side of Entra passkey provisioning, for tests: it takes the
 * creation options Tessera relays from Graph, lets the software authenticator make a credential
 * for the relying party login.microsoft.com with a packed attestation (WebAuthn §8.2), and shapes
 * the result as the fido2AuthenticationMethod body Tessera posts to Graph.
 */
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { ClientOverrides, SoftAuthenticator } from './soft-authenticator.js';

/** The origin Entra expects in clientDataJSON for provisioned passkeys. */
export const ENTRA_ORIGIN = 'https://login.microsoft.com';

export interface EntraAttestation {
  displayName: string;
  publicKeyCredential: { id: string; response: { clientDataJSON: string; attestationObject: string } };
}

export function makeEntraAttestation(
  key: SoftAuthenticator,
  publicKey: Record<string, unknown>,
  displayName: string,
  o: Partial<ClientOverrides> = {},
): EntraAttestation {
  const reg = key.register(publicKey as unknown as PublicKeyCredentialCreationOptionsJSON, { origin: ENTRA_ORIGIN, attestation: 'packed', ...o });
  return {
    displayName,
    publicKeyCredential: { id: reg.id, response: { clientDataJSON: reg.response.clientDataJSON, attestationObject: reg.response.attestationObject } },
  };
}
