/**
 * A small web application that signs in with SAML through @node-saml/node-saml, as a real SP
 * would: /login (HTTP-Redirect), /login-post (HTTP-POST form), /acs, /logout, /slo and /whoami. It
 * listens on 127.0.0.1 and shows who signed in, so a browser test reads the result on the page.
 */
import http from 'node:http';
import { SAML } from '@node-saml/node-saml';
import type { Profile } from '@node-saml/node-saml';
import { freePort } from './server.js';

export interface SpServer {
  url: string;
  entityId: string;
  acs: string;
  slo: string;
  saml: SAML;
  stop(): Promise<void>;
  errors: string[];
}

const page = (title: string, body: string) => `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export async function startSpServer(opts: { idpUrl: string; idpCert: string[]; privateKey: string; certificate: string }): Promise<SpServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const entityId = `${url}/metadata`;
  const saml = new SAML({
    entryPoint: `${opts.idpUrl}/saml/sso`,
    logoutUrl: `${opts.idpUrl}/saml/slo`,
    issuer: entityId,
    callbackUrl: `${url}/acs`,
    logoutCallbackUrl: `${url}/slo`,
    idpCert: opts.idpCert,
    privateKey: opts.privateKey,
    publicCert: opts.certificate,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    audience: entityId,
    acceptedClockSkewMs: 5000,
  });
  let profile: Profile | null = null;
  const errors: string[] = [];
  const readBody = (req: http.IncomingMessage) =>
    new Promise<Record<string, string>>((resolve) => {
      let data = '';
      req.on('data', (c) => {
        data += c;
      });
      req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(data))));
    });
  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', url);
    const send = (status: number, html: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
      res.end(html);
    };
    try {
      if (u.pathname === '/login')
        return send(302, '', { location: await saml.getAuthorizeUrlAsync(u.searchParams.get('relay') ?? '/after-login', undefined, {}) });
      if (u.pathname === '/login-post') {
        const post = new SAML({ ...saml.options, authnRequestBinding: 'HTTP-POST' });
        return send(200, await post.getAuthorizeFormAsync(u.searchParams.get('relay') ?? '/after-post'));
      }
      if (u.pathname === '/acs' && req.method === 'POST') {
        const body = await readBody(req);
        const result = await saml.validatePostResponseAsync(body);
        profile = result.profile;
        return send(
          200,
          page(
            `Hello ${esc(profile?.nameID ?? '')}`,
            `<p id="relay">RelayState: ${esc(body.RelayState ?? '')}</p><p id="context">${esc(String((profile?.getAssertionXml?.() ?? '').match(/AuthnContextClassRef>([^<]+)</)?.[1] ?? ''))}</p>`,
          ),
        );
      }
      // Who the SP thinks is signed in (an IdP-initiated logout must have cleared it).
      if (u.pathname === '/whoami') return send(200, page(profile ? `Signed in as ${esc(profile.nameID)}` : 'Nobody signed in', ''));
      if (u.pathname === '/logout' && profile) return send(302, '', { location: await saml.getLogoutUrlAsync(profile, 'sp-logout', {}) });
      if (u.pathname === '/slo') {
        const query = Object.fromEntries(u.searchParams);
        const result = await saml.validateRedirectAsync(query, u.search.slice(1));
        if (query.SAMLRequest) {
          profile = null;
          return send(302, '', { location: await saml.getLogoutResponseUrlAsync(result.profile!, query.RelayState ?? '', {}, true) });
        }
        profile = null;
        return send(200, page('Signed out of the SP', `<p id="relay">RelayState: ${esc(query.RelayState ?? '')}</p>`));
      }
      return send(404, page('Not found', ''));
    } catch (err) {
      errors.push(`${u.pathname}: ${(err as Error).message}`);
      return send(400, page('SP error', `<p>${esc((err as Error).message)}</p>`));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    url,
    entityId,
    acs: `${url}/acs`,
    slo: `${url}/slo`,
    saml,
    errors,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
