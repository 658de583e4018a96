import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import YAML from 'yaml';
import { z } from 'zod';
import { apiKeyScopes } from '../api-keys/api-key.schemas.js';
import { MIN_DECLARED_KEY_LENGTH } from '../api-keys/api-key.service.js';
import { configContext } from '../lib/context.js';
import { settingsPatch } from '../settings/settings.schemas.js';
import { directoryConfigSchema } from '../directory/directory.config.js';
import { domainCreate } from '../directory/directory.schemas.js';
import { groupCreate } from '../groups/group.schemas.js';
import type { GroupService } from '../groups/group.service.js';
import { clientCreate } from '../sso/oidc/oidc-client.schemas.js';
import { applyDeclaredServiceProviders, resolveDeclaredServiceProviders, samlConfigSchema, wsfedConfigSchema } from '../sso/saml/saml.config.js';
import type { AdminService } from '../admins/admin.service.js';
import type { ApiKeyService } from '../api-keys/api-key.service.js';
import type { AuditService } from '../audit/audit.service.js';
import { createDestinationBody } from '../audit/audit-forward.schemas.js';
import type { AuditForwardService } from '../audit/audit-forward.service.js';
import type { DomainService } from '../directory/domain.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { OidcService } from '../sso/oidc/oidc.service.js';
import type { SamlConfigDeps } from '../sso/saml/saml.config.js';
import { applyDeclaredVault, resolveDeclaredVault, vaultConfigSchema, type VaultConfigDeps, type VaultSection } from '../vaults/vault.config.js';

/** What this file needs of the service graph (wired in src/app/services.ts). */
export type DeclarativeDeps = {
  admins: AdminService;
  apiKeys: ApiKeyService;
  audit: AuditService;
  auditForwarding: AuditForwardService;
  domains: DomainService;
  groups: GroupService;
  oidc: OidcService;
  settings: SettingsService;
} & SamlConfigDeps &
  VaultConfigDeps;

/**
 * The declarative configuration file (TESSERA_CONFIG). Applied at every start, idempotently:
 * what already matches is left alone, so a second run changes nothing and records nothing.
 * Secrets are never written inline: they are references to an environment variable or a file.
 */
export class DeclarativeConfigError extends Error {
  constructor(
    readonly file: string,
    readonly where: string,
    message: string,
  ) {
    super(`${file}: ${where ? `${where}: ` : ''}${message}`);
    this.name = 'DeclarativeConfigError';
  }
}

const secretRef = z.union(
  [
    z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name') }).strict(),
    z.object({ file: z.string().min(1) }).strict(),
  ],
  { error: 'must be a reference: {env: NAME} or {file: path} (secrets are never written inline)' },
);
type SecretRef = z.infer<typeof secretRef>;

const fileSchema = z
  .object({
    settings: settingsPatch
      .extend({
        smtp: settingsPatch.shape.smtp.unwrap().extend({ password: secretRef.nullable() }).partial().strict(),
      })
      .partial()
      .strict()
      .optional(),
    admins: z
      .array(
        z
          .object({
            email: z.string().trim().email(),
            name: z.string().trim().min(1).max(120),
            password: secretRef,
          })
          .strict(),
      )
      .optional(),
    apiKeys: z
      .array(
        z
          .object({
            name: z.string().trim().min(1).max(120),
            scope: z.enum(apiKeyScopes),
            secret: secretRef,
            expiresAt: z
              .union([z.iso.datetime({ offset: true }), z.date()])
              .nullable()
              .optional(),
          })
          .strict(),
      )
      .optional(),
    /** SAML service providers and WS-Fed relying parties (src/sso/saml/saml.config.ts). */
    saml: samlConfigSchema.optional(),
    wsfed: wsfedConfigSchema.optional(),
    /** Directory domains (src/directory/directory.config.ts); the service-account secret by reference. */
    directory: directoryConfigSchema(secretRef).optional(),
    /** OIDC relying parties (src/sso/oidc); client_secret_* clients take their secret by reference. */
    oidc: z
      .object({
        clients: z.array(clientCreate.extend({ clientId: clientCreate.shape.clientId.unwrap(), secret: secretRef.optional() }).strict()),
      })
      .strict()
      .optional(),
    /** Vault templates and shared accounts (src/vaults/vault.config.ts); secrets by reference. */
    vault: vaultConfigSchema(secretRef).optional(),
    /**
     * Audit forwarding destinations (src/audit/audit-forward.*), matched by name; the Splunk HEC
     * token and the webhook signing key by reference. Checked against the API's schema when applied.
     */
    auditForwarding: z
      .object({
        destinations: z.array(z.object({ name: z.string(), kind: z.string(), secret: secretRef.optional() }).passthrough()).max(100),
      })
      .strict()
      .optional(),
    /** Local groups (src/groups): created when missing, with the listed employees (by e-mail) in them. */
    groups: z.array(groupCreate.extend({ members: z.array(z.string().trim().email()).max(10_000).optional() }).strict()).optional(),
  })
  .strict();

export type DeclarativeConfig = z.infer<typeof fileSchema>;

const formatPath = (p: PropertyKey[]) => p.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${String(k)}`)).join('');

/** Reads and validates the file; every error names the file, the place inside it and the problem. */
export function readDeclarativeConfig(file: string): DeclarativeConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new DeclarativeConfigError(file, '', `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new DeclarativeConfigError(file, e.linePos ? `line ${e.linePos[0].line}` : '', e.message.split('\n')[0]);
  }
  const parsed = fileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DeclarativeConfigError(file, formatPath(issue.path), issue.message);
  }
  const emails = new Set<string>();
  parsed.data.admins?.forEach((a, i) => {
    if (emails.has(a.email.toLowerCase())) throw new DeclarativeConfigError(file, `admins[${i}].email`, 'is declared twice');
    emails.add(a.email.toLowerCase());
  });
  return parsed.data;
}

function resolveSecret(file: string, where: string, ref: SecretRef, env: NodeJS.ProcessEnv): string {
  if ('env' in ref) {
    const value = env[ref.env];
    if (!value) throw new DeclarativeConfigError(file, where, `environment variable ${ref.env} is not set`);
    return value;
  }
  const target = path.resolve(path.dirname(file), ref.file);
  try {
    return fs.readFileSync(target, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new DeclarativeConfigError(file, where, `cannot read secret file ${target} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Applies the file. Returns what changed, as human-readable lines (never a secret). */
export async function applyDeclarativeConfig(services: DeclarativeDeps, file: string, env: NodeJS.ProcessEnv, logger?: Logger): Promise<string[]> {
  const cfg = readDeclarativeConfig(file);
  const ctx = configContext(path.basename(file));
  const changes: string[] = [];

  // Resolve every secret before writing anything, so a missing one changes nothing.
  const smtpPasswordRef = cfg.settings?.smtp?.password;
  const smtpPassword = smtpPasswordRef ? resolveSecret(file, 'settings.smtp.password', smtpPasswordRef, env) : smtpPasswordRef;
  const admins = (cfg.admins ?? []).map((a, i) => ({ ...a, password: resolveSecret(file, `admins[${i}].password`, a.password, env) }));
  const apiKeys = (cfg.apiKeys ?? []).map((k, i) => {
    const secret = resolveSecret(file, `apiKeys[${i}].secret`, k.secret, env);
    if (secret.length < MIN_DECLARED_KEY_LENGTH)
      throw new DeclarativeConfigError(file, `apiKeys[${i}].secret`, `the key must be at least ${MIN_DECLARED_KEY_LENGTH} characters`);
    return { ...k, secret, expiresAt: k.expiresAt ? new Date(k.expiresAt) : null };
  });

  const serviceProviders = resolveDeclaredServiceProviders(file, cfg, (where, message) => new DeclarativeConfigError(file, where, message));
  const domains = ((cfg.directory?.domains ?? []) as { name: string; secret?: SecretRef }[]).map((d, i) => {
    const parsed = domainCreate.safeParse({ ...d, secret: d.secret ? resolveSecret(file, `directory.domains[${i}].secret`, d.secret, env) : undefined });
    if (!parsed.success)
      throw new DeclarativeConfigError(file, `directory.domains[${i}].${formatPath(parsed.error.issues[0].path)}`, parsed.error.issues[0].message);
    return parsed.data;
  });
  const oidcClients = (cfg.oidc?.clients ?? []).map((c, i) => ({
    ...c,
    secret: c.secret ? resolveSecret(file, `oidc.clients[${i}].secret`, c.secret, env) : undefined,
  }));
  const fail = (where: string, message: string) => new DeclarativeConfigError(file, where, message);
  const destinations = (cfg.auditForwarding?.destinations ?? []).map((d, i) => {
    const where = `auditForwarding.destinations[${i}]`;
    const secret = d.secret ? resolveSecret(file, `${where}.secret`, d.secret, env) : undefined;
    const parsed = createDestinationBody.safeParse({ ...d, ...(secret !== undefined ? { secret } : {}) });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      // Never echo a secret's value: the path names the field, the message says what is wrong with it.
      throw new DeclarativeConfigError(file, `${where}${issue.path.length ? `.${formatPath(issue.path)}` : ''}`, issue.message);
    }
    return parsed.data;
  });
  const vault = resolveDeclaredVault(cfg.vault as VaultSection<SecretRef> | undefined, (where, ref: SecretRef) => resolveSecret(file, where, ref, env), fail);

  if (cfg.settings) {
    const { smtp, ...rest } = cfg.settings;
    const { password: _ref, ...smtpRest } = smtp ?? {};
    const patch: Record<string, unknown> = { ...rest, ...(smtp ? { smtp: smtpRest } : {}) };
    if (smtpPassword !== undefined) {
      const current = await services.settings.getSecret('smtp.password');
      if ((current ?? null) !== smtpPassword) (patch.smtp as Record<string, unknown>) = { ...(patch.smtp as object), password: smtpPassword };
    }
    const before = JSON.stringify(await services.settings.getResponse());
    const after = JSON.stringify(await services.settings.update(ctx, patch));
    if (before !== after || (patch.smtp as { password?: unknown } | undefined)?.password !== undefined) changes.push('settings updated');
  }

  for (const [i, a] of admins.entries()) {
    const result = await services.admins.ensureDeclared(ctx, a).catch((err) => {
      throw new DeclarativeConfigError(file, `admins[${i}]`, (err as Error).message);
    });
    if (result !== 'unchanged') changes.push(`admin ${a.email} ${result}`);
  }
  for (const [i, k] of apiKeys.entries()) {
    const result = await services.apiKeys.ensureDeclared(ctx, k).catch((err) => {
      throw new DeclarativeConfigError(file, `apiKeys[${i}]`, (err as Error).message);
    });
    if (result !== 'unchanged') changes.push(`API key ${k.name} ${result}`);
  }
  for (const [i, d] of domains.entries()) {
    const result = await services.domains.ensureDeclared(ctx, d).catch((err) => {
      throw new DeclarativeConfigError(file, `directory.domains[${i}]`, (err as Error).message);
    });
    if (result !== 'unchanged') changes.push(`directory domain ${d.name} ${result}`);
  }
  for (const [i, { secret, ...c }] of oidcClients.entries()) {
    const result = await services.oidc.clients.ensureDeclared(ctx, c, secret).catch((err) => {
      throw new DeclarativeConfigError(file, `oidc.clients[${i}]`, (err as Error).message);
    });
    if (result !== 'unchanged') changes.push(`OIDC client ${c.clientId} ${result}`);
  }

  for (const [i, g] of (cfg.groups ?? []).entries()) {
    const { result, unknownMembers } = await services.groups.ensureDeclared(ctx, g).catch((err) => {
      throw new DeclarativeConfigError(file, `groups[${i}]`, (err as Error).message);
    });
    if (result !== 'unchanged') changes.push(`group ${g.name} ${result}`);
    if (unknownMembers.length)
      logger?.warn({ file, group: g.name, unknownMembers }, 'declared group members left out: no employee has these e-mail addresses yet');
  }

  for (const [i, d] of destinations.entries()) {
    const result = await services.auditForwarding.ensureDeclared(ctx, d).catch((err) => {
      throw new DeclarativeConfigError(file, `auditForwarding.destinations[${i}]`, (err as Error).message);
    });
    if (result !== 'unchanged') changes.push(`audit destination ${d.name} ${result}`);
  }

  changes.push(...(await applyDeclaredServiceProviders(services, ctx, serviceProviders, (where, message) => new DeclarativeConfigError(file, where, message))));
  changes.push(...(await applyDeclaredVault(services, ctx, vault, fail, logger)));

  if (changes.length) {
    await services.audit.record(ctx, { action: 'config.applied', target: { type: 'config', id: null, label: path.basename(file) }, details: { changes } });
    logger?.info({ file, changes }, 'declarative configuration applied');
  } else {
    logger?.info({ file }, 'declarative configuration already in effect');
  }
  return changes;
}
