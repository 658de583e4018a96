import Provider, { errors } from 'oidc-provider';

/**
 * A client authenticates with the method it was registered with, and no other.
 *
 * OIDC Core §9 and RFC 7591 §2 make `token_endpoint_auth_method` the client's method; RFC 6749
 * §2.3.1 puts a `client_secret_basic` secret in the Authorization header and a `client_secret_post`
 * one in the form body. oidc-provider 9 accepts either for both (lib/shared/client_auth.js lists
 * both methods whenever a secret is presented), so a secret registered for the header also works
 * in a body, which proxies and servers log far more often than headers. This step, run where the
 * provider compares the secret, refuses the other carrier with `invalid_client` (401), the same
 * answer as a wrong secret (RFC 6749 §5.2).
 */
export function requireRegisteredSecretCarrier(provider: Provider): void {
  const client = provider.Client.prototype as { compareClientSecret(this: { clientAuthMethod: string }, secret: string): Promise<boolean> | boolean };
  const compare = client.compareClientSecret;
  client.compareClientSecret = async function compareClientSecret(secret: string) {
    // The request being handled (oidc-provider keeps it in an AsyncLocalStorage); a secret in the
    // Authorization header is `client_secret_basic`, anywhere else `client_secret_post`.
    const ctx = (Provider as unknown as { ctx?: { headers: Record<string, string | undefined> } }).ctx;
    const presented = ctx?.headers.authorization !== undefined ? 'client_secret_basic' : 'client_secret_post';
    if (presented !== this.clientAuthMethod) {
      throw new errors.InvalidClientAuth(`the client is registered for ${this.clientAuthMethod}, not ${presented}`);
    }
    return compare.call(this, secret);
  };
}
