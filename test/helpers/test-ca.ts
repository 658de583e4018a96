import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A throw-away CA, a server certificate it signed for localhost and 127.0.0.1, and a second CA
 * that signed nothing, made with openssl in `dir` at test time (nothing is committed).
 */
export interface TestCertificates {
  caPem: string;
  otherCaPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  files: { ca: string; serverCert: string; serverKey: string };
}

export function makeTestCertificates(dir: string): TestCertificates {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  for (const ca of ['ca', 'other-ca'])
    run([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=Tessera test ${ca}`,
    ]);
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  fs.writeFileSync(
    path.join(dir, 'ext.cnf'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf']);
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  return {
    caPem: read('ca.pem'),
    otherCaPem: read('other-ca.pem'),
    serverCertPem: read('server.pem'),
    serverKeyPem: read('server.key'),
    files: { ca: path.join(dir, 'ca.pem'), serverCert: path.join(dir, 'server.pem'), serverKey: path.join(dir, 'server.key') },
  };
}
