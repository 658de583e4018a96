/** Reads all of standard input (for --password-stdin), without the trailing newline. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export const out = (line = '') => process.stdout.write(line + '\n');

/** An error the person at the shell can act on: printed as one line. */
export class CliError extends Error {}
