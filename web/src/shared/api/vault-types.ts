// Shapes of the vault API (src/vaults/vault-account.schemas.ts) as the portal's "My accounts" and the
// console's Vault page use them: aliases into the generated contract (./contract.ts).
import type { BodyOf, ItemOf, ResponseOf } from './contract';

/** An account as a list shows it: never a secret, only whether one is set. */
export type VaultAccount = ItemOf<ResponseOf<'/api/portal/vault/accounts', 'get'>>;
export type VaultAccountKind = VaultAccount['kind'];
export type VaultAccountInput = BodyOf<'/api/portal/vault/accounts', 'post'>;
export type VaultAccountPatch = BodyOf<'/api/portal/vault/accounts/{id}', 'patch'>;
export type VaultAccountFromTemplate = BodyOf<'/api/portal/vault/accounts/from-template', 'post'>;
export type PasswordPolicy = Required<BodyOf<'/api/portal/vault/password-generator', 'post'>>;
export type RevealField = BodyOf<'/api/portal/vault/accounts/{id}/reveal/options', 'post'>['field'];
export type RevealAnswer = ResponseOf<'/api/portal/vault/accounts/{id}/reveal', 'post'>;

export type VaultTemplate = ItemOf<ResponseOf<'/api/vault/templates', 'get'>>;
export type VaultTemplateInput = BodyOf<'/api/vault/templates', 'post'>;
export type VaultTemplatePatch = BodyOf<'/api/vault/templates/{id}', 'patch'>;

export type SharedAccount = ItemOf<ResponseOf<'/api/vault/shared-accounts', 'get'>>;
export type SharedAccountInput = BodyOf<'/api/vault/shared-accounts', 'post'>;
export type SharedAccountPatch = BodyOf<'/api/vault/shared-accounts/{id}', 'patch'>;
export type Assignments = BodyOf<'/api/vault/shared-accounts/{id}/assignments', 'put'>;

/** The server's default policy (DEFAULT_PASSWORD_POLICY in src/vaults/vault-account.password.ts). */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { length: 20, upper: true, lower: true, digits: true, symbols: true, excludeAmbiguous: true };
