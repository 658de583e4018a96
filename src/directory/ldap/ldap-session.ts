import tls from 'node:tls';
import {
  Client,
  ConfidentialityRequiredError,
  ConstraintViolationError,
  InsufficientAccessError,
  InvalidCredentialsError,
  NoSuchObjectError,
  StrongAuthRequiredError,
  UnwillingToPerformError,
} from 'ldapts';
import { DirectoryError } from '../connector.js';
import type { AdSettings } from '../directory.schemas.js';

/**
 * Connections to a domain's controllers: TLS as configured, failover across the URLs in order,
 * and one mapping from what ldapts and Node throw to the engine's DirectoryError codes.
 */

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);
const NET_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'EADDRNOTAVAIL']);

/** AD's "data NNN" sub-codes of an invalid-credentials answer (MS-ERREF Win32 error codes, in hex). */
function adDataCode(message: string): string | null {
  return /data ([0-9a-f]{3,8})/i.exec(message)?.[1]?.toLowerCase() ?? null;
}

/** Turns anything a connection or an operation throws into a DirectoryError with a precise code. */
export function toDirectoryError(err: unknown, what: string): DirectoryError {
  if (err instanceof DirectoryError) return err;
  const e = err as { code?: string; message?: string };
  const message = e?.message ?? String(err);
  if ((e?.code && TLS_CODES.has(e.code)) || (/certificate|ssl|tls/i.test(message) && !/strong/i.test(message))) {
    return new DirectoryError(
      'tls_failure',
      `${what}: TLS failed (${e?.code ?? message}). Check the CA certificate, the certificate's name, or the transport.`,
      { cause: err },
    );
  }
  if ((e?.code && NET_CODES.has(e.code)) || (/timed? ?out|connect|socket|closed/i.test(message) && !(err instanceof InvalidCredentialsError))) {
    return new DirectoryError('unreachable', `${what}: the domain controller did not answer (${e?.code ?? message})`, { cause: err });
  }
  if (err instanceof InvalidCredentialsError) {
    const data = adDataCode(message);
    if (data === '533') return new DirectoryError('account_disabled', `${what}: the account is disabled`, { cause: err });
    if (data === '775') return new DirectoryError('account_disabled', `${what}: the account is locked out`, { cause: err });
    if (data === '532' || data === '773') return new DirectoryError('bad_credentials', `${what}: the password has expired or must be changed`, { cause: err });
    return new DirectoryError('bad_credentials', `${what}: the user name or password was refused`, { cause: err });
  }
  if (err instanceof StrongAuthRequiredError || err instanceof ConfidentialityRequiredError) {
    return new DirectoryError('insecure_transport', `${what}: the domain controller requires TLS (use ldaps:// or StartTLS)`, { cause: err });
  }
  if (err instanceof InsufficientAccessError)
    return new DirectoryError('insufficient_rights', `${what}: the service account lacks the right to do this`, { cause: err });
  if (err instanceof NoSuchObjectError) return new DirectoryError('account_not_found', `${what}: the object does not exist`, { cause: err });
  if (err instanceof ConstraintViolationError || err instanceof UnwillingToPerformError) {
    const data = adDataCode(message) ?? /(0000052D|00000056)/i.exec(message)?.[1]?.toLowerCase() ?? '';
    // 0x56 ERROR_INVALID_PASSWORD: the old password of a self-service change is wrong.
    if (data.endsWith('56')) return new DirectoryError('wrong_password', 'The current password is wrong', { cause: err });
    // 0x52D ERROR_PASSWORD_RESTRICTION: length, complexity, history or minimum age.
    return new DirectoryError(
      'password_policy',
      "The new password does not meet the domain's password policy: it may be too short, too simple (it needs three of upper case, lower case, digits and symbols, and must not contain the user name), or used before",
      { cause: err },
    );
  }
  return new DirectoryError('failed', `${what}: ${message.slice(0, 300)}`, { cause: err });
}

export function tlsOptionsFor(settings: AdSettings): tls.ConnectionOptions {
  const opts: tls.ConnectionOptions = { minVersion: 'TLSv1.2', rejectUnauthorized: !settings.skipTlsVerify };
  if (settings.caCertificate) opts.ca = [settings.caCertificate];
  // Connecting by address but checking the certificate against the controller's DNS name.
  const name = settings.tlsServerName;
  if (name && !settings.skipTlsVerify) {
    opts.servername = name;
    opts.checkServerIdentity = (_host, cert) => tls.checkServerIdentity(name, cert);
  }
  return opts;
}

export interface OpenedSession {
  client: Client;
  url: string;
  /** Whether the connection is protected by TLS (LDAPS or StartTLS). */
  isSecure: boolean;
}

/**
 * Connects (and binds, when credentials are given) to the first controller that answers. A
 * controller that does not answer makes us try the next; a refused bind or a TLS failure does not,
 * because every controller of a domain would answer the same.
 */
export async function openSession(settings: AdSettings, bind?: { user: string; password: string }, what = 'connect'): Promise<OpenedSession> {
  let last: DirectoryError | undefined;
  for (const url of settings.urls) {
    const isLdaps = url.toLowerCase().startsWith('ldaps://');
    const client = new Client({
      url,
      timeout: settings.timeoutMs,
      connectTimeout: settings.timeoutMs,
      strictDN: false,
      tlsOptions: isLdaps ? tlsOptionsFor(settings) : undefined,
    });
    try {
      let isSecure = isLdaps;
      if (!isLdaps && settings.transport === 'starttls') {
        await client.startTLS(tlsOptionsFor(settings));
        isSecure = true;
      }
      if (bind) await client.bind(bind.user, bind.password);
      return { client, url, isSecure };
    } catch (err) {
      await client.unbind().catch(() => {});
      last = toDirectoryError(err, what);
      if (last.code !== 'unreachable') throw last;
    }
  }
  throw last ?? new DirectoryError('unreachable', 'No domain controller URL is configured');
}
