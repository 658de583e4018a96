/**
 * Runs the Graph emulator as its own process (for benchmarks, so its memory is not the measured
 * process's): seeds a tenant with N users in a sync group (a tenth through nested groups) and an
 * app registration with a secret, prints one JSON line with what a client needs, and runs until
 * stdin closes or SIGTERM.
 * Usage: node --import tsx test/entra-emulator/serve.ts <users>
 */
import crypto from 'node:crypto';
import { startEntraEmulator } from './index.js';

const count = Number(process.argv[2] ?? 1000);
const emu = await startEntraEmulator();
const secret = crypto.randomBytes(24).toString('base64url');
const app = emu.state.addApp({ secrets: [secret], roles: ['User.Read.All', 'Group.Read.All', 'User-PasswordProfile.ReadWrite.All'] });
const nested = Array.from({ length: 10 }, (_, i) => emu.state.addGroup(`Nested ${i}`));
const sync = emu.state.addGroup('Tessera Users Sync', nested);
for (let i = 0; i < count; i++) {
  const user = emu.state.addUser({
    userPrincipalName: `user${i}@contoso.onmicrosoft.com`,
    mail: `user${i}@contoso.example`,
    givenName: `Given${i}`,
    surname: `Surname${i}`,
    displayName: `Given${i} Surname${i}`,
    department: `Dept ${i % 20}`,
    jobTitle: `Title ${i % 15}`,
    companyName: 'Contoso',
    businessPhones: [`+1 555 ${String(i).padStart(7, '0')}`],
  });
  // Membership set directly: per-member change records are for delta tests, not for 100,000 users.
  (i % 10 === 0 ? nested[(i / 10) % 10]! : sync).members.add(user.id);
}
process.stdout.write(
  JSON.stringify({ loginUrl: emu.loginUrl, graphUrl: emu.graphUrl, tenantId: emu.tenantId, clientId: app.clientId, secret, caPem: emu.caPem, users: count }) +
    '\n',
);
const stop = async () => {
  await emu.close();
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.stdin.resume();
process.on('SIGTERM', () => void stop());
