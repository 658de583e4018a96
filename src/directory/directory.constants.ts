/** Kinds of directory a domain can be. A new connector adds its kind here (see src/directory/connector.ts). */
export const domainKinds = ['ad', 'entra'] as const;
export type DomainKind = (typeof domainKinds)[number];
export const removalBehaviours = ['keep', 'deactivate', 'delete'] as const;
export type RemovalBehaviour = (typeof removalBehaviours)[number];
