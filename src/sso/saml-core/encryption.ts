import crypto from 'node:crypto';
import xmlenc from 'xml-encryption';

/**
 * Encrypts a (signed) SAML 2.0 assertion to the SP's certificate (saml-core §2.3.4, §6): the
 * assertion under a fresh AES-256-GCM key (XML Encryption 1.1 — CBC modes are open to padding
 * oracles), that key under the SP's RSA key with RSA-OAEP.
 */
export function encryptAssertion(assertionXml: string, spCertificatePem: string): Promise<string> {
  const publicKey = new crypto.X509Certificate(spCertificatePem).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return new Promise((resolve, reject) => {
    xmlenc.encrypt(
      assertionXml,
      {
        rsa_pub: publicKey,
        pem: spCertificatePem,
        encryptionAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
        keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
        disallowEncryptionWithInsecureAlgorithm: true,
        warnInsecureAlgorithm: false,
      },
      (err: Error | null, encrypted: string) => {
        if (err) reject(err);
        else resolve(`<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${encrypted}</saml:EncryptedAssertion>`);
      },
    );
  });
}
