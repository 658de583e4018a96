/**
 * An attestation certificate for the software authenticator's full ("direct") packed attestation
 * (WebAuthn §8.2.1: version 3, subject C, O, OU "Authenticator Attestation", CN; not a CA; the
 * id-fido-gen-ce-aaguid extension naming the model), self-signed, made with @peculiar/x509.
 */
import 'reflect-metadata';
import crypto from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(crypto.webcrypto as never);
const subtle = crypto.webcrypto.subtle;
const ec = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export async function attestationCertificate(opts: { aaguid: string; organisation: string; commonName: string }) {
  const keys = (await subtle.generateKey(ec, true, ['sign', 'verify'])) as crypto.webcrypto.CryptoKeyPair;
  const aaguid = Buffer.from(opts.aaguid.replace(/-/g, ''), 'hex');
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: crypto
      .randomBytes(8)
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: `C=SE, O=${opts.organisation}, OU=Authenticator Attestation, CN=${opts.commonName}`,
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 30 * 86_400_000),
    keys,
    signingAlgorithm: ec,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      // 1.3.6.1.4.1.45724.1.1.4 id-fido-gen-ce-aaguid: an OCTET STRING holding the 16 bytes.
      new x509.Extension('1.3.6.1.4.1.45724.1.1.4', false, Buffer.concat([Buffer.from([0x04, 0x10]), aaguid])),
    ],
  });
  const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', keys.privateKey));
  return { der: Buffer.from(cert.rawData), privateKey: crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }) };
}
