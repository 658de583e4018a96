import path from 'node:path';
import { z } from 'zod';

/**
 * Configuration comes from the environment (12-factor). Every key is documented here, where its
 * default is defined; the README's configuration table mirrors this list.
 */
const schema = z.object({
  /** TCP port of the HTTP server. */
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Interface to listen on. 0.0.0.0 in containers, 127.0.0.1 to keep it local. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** External base URL: links in e-mails, protocol metadata, WebAuthn origin. */
  PUBLIC_URL: z.string().url().optional(),
  /** Folder for the embedded database and the generated master key. */
  DATA_DIR: z.string().min(1).default('./data'),
  /** PostgreSQL connection string. Without it the embedded PGlite database in DATA_DIR is used. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /** Redis connection string, for rate limits shared by several nodes. Optional. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** Prefix of every Redis key, so that several Tessera installations can share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:.-]{1,64}$/, 'letters, digits and _ : . - only')
    .default('tessera:'),
  /** Master key (32 bytes, base64 or hex) that seals secrets at rest. Without it DATA_DIR/master.key is used or created. */
  TESSERA_MASTER_KEY: z.string().optional(),
  /** Retired master keys (comma-separated), still accepted to open values sealed before a rotation. */
  TESSERA_MASTER_KEY_PREVIOUS: z.string().optional(),
  /** Path of the declarative YAML configuration applied at start. */
  TESSERA_CONFIG: z.string().optional(),
  /** pino log level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Trust X-Forwarded-* headers from a reverse proxy (true: the one proxy in front; a hop count; or its addresses / CIDR list). */
  TRUST_PROXY: z.string().default('false'),
  /** Sign-in requests a minute from one IP address (shared by nodes through Redis). */
  TESSERA_SIGNIN_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(30),
  /**
   * Failed credential checks a minute from one IP address (IPv6: one /64), shared by every endpoint
   * that checks a password, code or secret (src/security/credential-limiter.ts) and by every node
   * through Redis.
   */
  TESSERA_CREDENTIAL_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(30),
  /** API requests a minute from one IP address. */
  TESSERA_API_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000_000).default(1200),
  /** OIDC: a signing key older than this many days is replaced (the old one stays published). */
  TESSERA_OIDC_KEY_ROTATION_DAYS: z.coerce.number().min(0.001).max(3650).default(90),
  /** OIDC: hours a replaced signing key stays published, longer than any ID token it signed lives (1 h). */
  TESSERA_OIDC_KEY_RETENTION_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 365)
    .default(24),
  /** Maximum JSON body size in bytes. */
  BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(1024 * 1024),
  /** Largest vault backup file a restore upload takes, in bytes (it is held in memory while restored). */
  /** Bearer token that opens GET /metrics on the main port (unset: /metrics is not served there). */
  TESSERA_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** A port of its own for GET /metrics (on TESSERA_METRICS_HOST); unset: none. */
  TESSERA_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  TESSERA_METRICS_HOST: z.string().default('127.0.0.1'),
  /** At shutdown, /readyz answers 503 this long before the node stops taking requests. */
  TESSERA_SHUTDOWN_DRAIN_SECONDS: z.coerce.number().min(0).max(300).default(0),
  TESSERA_VAULT_BACKUP_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .max(2 * 1024 * 1024 * 1024)
    .default(64 * 1024 * 1024),
});

export type Env = z.infer<typeof schema>;

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  metricsToken?: string;
  metricsPort?: number;
  metricsHost: string;
  shutdownDrainMs: number;
  redisPrefix: string;
  masterKey?: string;
  previousMasterKeys?: string;
  configFile?: string;
  logLevel: Env['LOG_LEVEL'];
  /** false, a hop count, or the proxies' addresses; never `true` (see parseTrustProxy). */
  trustProxy: false | number | string;
  bodyLimit: number;
  vaultBackupMaxBytes: number;
  signInRateLimit: number;
  credentialLimitPerMinute: number;
  apiRateLimit: number;
  oidcKeyRotationDays: number;
  oidcKeyRetentionHours: number;
  /** true when PUBLIC_URL is https: cookies get the Secure flag. */
  isSecure: boolean;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const url = new URL(publicUrl);
  if (url.search || url.hash) throw new ConfigError('Invalid configuration:\n  PUBLIC_URL: must not have a query or fragment');
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    masterKey: e.TESSERA_MASTER_KEY,
    previousMasterKeys: e.TESSERA_MASTER_KEY_PREVIOUS,
    configFile: e.TESSERA_CONFIG,
    logLevel: e.LOG_LEVEL,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    bodyLimit: e.BODY_LIMIT,
    vaultBackupMaxBytes: e.TESSERA_VAULT_BACKUP_MAX_BYTES,
    metricsToken: e.TESSERA_METRICS_TOKEN,
    metricsPort: e.TESSERA_METRICS_PORT,
    metricsHost: e.TESSERA_METRICS_HOST,
    shutdownDrainMs: e.TESSERA_SHUTDOWN_DRAIN_SECONDS * 1000,
    signInRateLimit: e.TESSERA_SIGNIN_RATE_LIMIT,
    credentialLimitPerMinute: e.TESSERA_CREDENTIAL_LIMIT_PER_MINUTE,
    apiRateLimit: e.TESSERA_API_RATE_LIMIT,
    oidcKeyRotationDays: e.TESSERA_OIDC_KEY_ROTATION_DAYS,
    oidcKeyRetentionHours: e.TESSERA_OIDC_KEY_RETENTION_HOURS,
    isSecure: url.protocol === 'https:',
  };
}

/** `true` is one reverse proxy in front: a hop count of 1 (src/security/client-address.ts trustHops). */
function parseTrustProxy(v: string): false | number | string {
  if (v === 'true') return 1;
  if (v === 'false' || v === '') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}
