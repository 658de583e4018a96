/**
 * The error codes (with their HTTP status) and audit actions of WS-Federation: stable names that clients,
 * the console and SIEM rules key on. The composition root registers them (src/app/codes.ts).
 */
export const wsfedAuditActions = [
  'wsfed.rp_created',
  'wsfed.rp_updated',
  'wsfed.rp_deleted',
  'wsfed.sign_in',
  'wsfed.sign_in_refused',
  'wsfed.sign_out',
] as const;

declare module '../../audit/audit.actions.js' {
  interface AuditActionLists {
    wsfed: typeof wsfedAuditActions;
  }
}
