import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { attestationFromFido2Cred, fido2CredRequest, type CreationOptions } from '../directory/entra/fido2-cred.js';
import { CliError, out } from './io.js';

/**
 * `tessera entra enroll-key`: provisions a passkey for an employee into Entra ID on a USB security
 * key, as an enrolling authenticator of Tessera's API (docs/entra-passkeys-api.md): creation options
 * from Tessera (which gets them from Graph), the credential made by libfido2's `fido2-cred` (PIN or
 * touch asked on the terminal), the attestation posted back. The API key (scope write) comes from
 * TESSERA_API_KEY, never from the command line (it would show in the process list).
 */
export function entraCommands(): Command {
  const cmd = new Command('entra').description('Microsoft Entra ID');
  cmd
    .command('enroll-key')
    .description('make a passkey on a USB security key with fido2-cred and register it in Entra ID for an employee')
    .requiredOption('--domain <domain>', 'the Entra domain in Tessera (name or id)')
    .requiredOption('--employee <employee>', "the employee's e-mail or id")
    .requiredOption('--device <path>', 'the security key (see `fido2-token -L`), e.g. /dev/hidraw0')
    .option('--name <name>', 'the name the passkey gets in Entra', 'Security key')
    .option('--server <url>', 'Tessera base URL (default: TESSERA_URL)')
    .option('--fido2-cred <path>', 'the fido2-cred program', 'fido2-cred')
    .action(async (o: { domain: string; employee: string; device: string; name: string; server?: string; fido2Cred: string }) => {
      const server = (o.server ?? process.env.TESSERA_URL ?? '').replace(/\/+$/, '');
      if (!/^https?:\/\//.test(server)) throw new CliError('give the Tessera URL with --server or TESSERA_URL');
      const apiKey = process.env.TESSERA_API_KEY;
      if (!apiKey) throw new CliError('set TESSERA_API_KEY to an API key of scope write');
      const base = `${server}/api/entra/${encodeURIComponent(o.domain)}/employees/${encodeURIComponent(o.employee)}/passkeys`;
      const call = async (url: string, body?: unknown) => {
        let res: Response;
        try {
          res = await fetch(url, {
            method: 'POST',
            headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
            body: JSON.stringify(body ?? {}),
          });
        } catch (err) {
          throw new CliError(`cannot reach ${server}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
        }
        const json = (await res.json().catch(() => null)) as ({ error?: { code: string; message: string } } & Record<string, unknown>) | null;
        if (!res.ok) throw new CliError(`${json?.error?.code ?? res.status}: ${json?.error?.message ?? res.statusText}`);
        return json!;
      };

      const options = (await call(`${base}/options`)) as unknown as { challengeTimeoutDateTime: string; publicKey: CreationOptions };
      const request = fido2CredRequest(options.publicKey, o.device);
      out(`Creating a passkey for ${options.publicKey.user.name} (relying party ${options.publicKey.rp.id}) on ${o.device}; touch the key when it blinks.`);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-enroll-'));
      try {
        const input = path.join(dir, 'in'),
          output = path.join(dir, 'out');
        fs.writeFileSync(input, request.input, { mode: 0o600 });
        // stdin and stderr stay on the terminal: fido2-cred asks for the key's PIN there.
        const code = await new Promise<number | null>((resolve, reject) => {
          const child = spawn(o.fido2Cred, [...request.args.slice(0, -2), '-i', input, '-o', output, ...request.args.slice(-2)], {
            stdio: ['inherit', 'inherit', 'inherit'],
          });
          child.on('error', (err) =>
            reject(
              new CliError(
                `cannot run ${o.fido2Cred}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed (apt install fido2-tools)' : err.message}`,
              ),
            ),
          );
          child.on('exit', resolve);
        });
        if (code !== 0) throw new CliError(`${o.fido2Cred} failed (exit ${code}): no passkey was registered`);
        let publicKeyCredential;
        try {
          publicKeyCredential = attestationFromFido2Cred(fs.readFileSync(output, 'utf8'), request.clientDataJSON, options.publicKey.rp.id);
        } catch (err) {
          throw new CliError((err as Error).message);
        }
        const passkey = await call(base, { displayName: o.name, publicKeyCredential });
        out(
          `Registered "${String(passkey.displayName)}" in Entra ID (model ${String(passkey.model ?? 'unknown')}, AAGUID ${String(passkey.aaguid ?? 'unknown')}).`,
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  return cmd;
}
