/**
 * Certificates for the Entra emulator, made with @peculiar/x509:
 * - a test CA and a TLS server certificate for 127.0.0.1 (msal-node refuses http:// authorities,
 *   so the emulator speaks HTTPS; the process under test trusts the CA via NODE_EXTRA_CA_CERTS);
 * - RSA client certificates for the certificate credential (an app registration's uploaded
 *   certificate; msal-node signs the client assertion with its private key, RS256 or PS256).
 */
import 'reflect-metadata';
import crypto from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKey = crypto.webcrypto.CryptoKey;
type CryptoKeyPair = crypto.webcrypto.CryptoKeyPair;
x509.cryptoProvider.set(crypto.webcrypto as never);
const subtle = crypto.webcrypto.subtle;

const ec = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const rsa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trim()}\n-----END PRIVATE KEY-----\n`;
}

const serial = () =>
  crypto
    .randomBytes(8)
    .toString('hex')
    .replace(/^[89a-f]/, '1');
const days = (n: number) => new Date(Date.now() + n * 86_400_000);

export interface TestPki {
  caPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

/** A CA and a server certificate for 127.0.0.1 and localhost. */
export async function createTestPki(): Promise<TestPki> {
  const caKeys = (await subtle.generateKey(ec, true, ['sign', 'verify'])) as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=Tessera Entra emulator test CA',
    notBefore: days(-1),
    notAfter: days(30),
    keys: caKeys,
    signingAlgorithm: ec,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const serverKeys = (await subtle.generateKey(ec, true, ['sign', 'verify'])) as CryptoKeyPair;
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=127.0.0.1',
    issuer: ca.subject,
    notBefore: days(-1),
    notAfter: days(30),
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: ec,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
    ],
  });
  return { caPem: ca.toString('pem'), serverCertPem: server.toString('pem'), serverKeyPem: await keyPem(serverKeys.privateKey) };
}

export interface ClientCertificate {
  certPem: string;
  keyPem: string;
  /** Hex SHA-256 of the DER certificate (what msal-node's thumbprintSha256 takes). */
  thumbprintSha256: string;
  /** Hex SHA-1 (the legacy `x5t`). */
  thumbprintSha1: string;
}

/** A self-signed RSA certificate, as an administrator uploads to an app registration. */
export async function createClientCertificate(name = 'CN=Tessera directory sync'): Promise<ClientCertificate> {
  const keys = (await subtle.generateKey(rsa, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name,
    notBefore: days(-1),
    notAfter: days(365),
    keys,
    signingAlgorithm: rsa,
  });
  const der = Buffer.from(cert.rawData);
  return {
    certPem: cert.toString('pem'),
    keyPem: await keyPem(keys.privateKey),
    thumbprintSha256: crypto.createHash('sha256').update(der).digest('hex'),
    thumbprintSha1: crypto.createHash('sha1').update(der).digest('hex'),
  };
}
