/** Kinds of directory a domain can be. A new connector adds its kind here (see src/directory/connector.ts). */
export const domainKinds = ['ad', 'entra'] as const;
export type DomainKind = (typeof domainKinds)[number];
export const removalBehaviours = ['keep', 'deactivate', 'delete'] as const;
export type RemovalBehaviour = (typeof removalBehaviours)[number];
/**
 * Where a rotated password can reach the employee, which decides who is rotated (issue 14 item 8):
 * `key`: only to an Active hardware key (a workstation delivery); `key_or_portal`: also to an
 * employee who signs in to the portal with a passkey, where "My accounts" reveals it after a
 * fresh passkey check.
 */
export const rotationDeliveries = ['key', 'key_or_portal'] as const;
export type RotationDelivery = (typeof rotationDeliveries)[number];
