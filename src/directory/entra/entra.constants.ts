/** Pairing states of an employee for passkeys provisioned into Entra ID, in order. */
export const pairingStates = ['pending', 'paired_tessera', 'paired_entra'] as const;
export type PairingState = (typeof pairingStates)[number];
