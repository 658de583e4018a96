// A real SMTP server on 127.0.0.1 for the browser tests that follow a mailed link (invitations,
// activation codes), and the decoding of what it received.
import { SMTPServer } from 'smtp-server';

export interface Received {
  to: string[];
  raw: string;
}

/** A real SMTP server on 127.0.0.1 (plain text, no auth) that keeps what it receives. */
export function smtpSink() {
  const received: Received[] = [];
  let server: SMTPServer | undefined;
  return {
    received,
    async start(port: number) {
      server = new SMTPServer({
        secure: false,
        disabledCommands: ['STARTTLS'],
        authOptional: true,
        allowInsecureAuth: true,
        logger: false,
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
            callback();
          });
        },
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, '127.0.0.1', () => resolve());
      });
    },
    /**
     * The first mail `match` takes, once it has arrived (within `timeoutMs`), with its body
     * decoded; throws naming `what` when none came.
     */
    async waitForMail(match: (mail: Received) => boolean, what: string, timeoutMs = 30_000): Promise<{ mail: Received; body: string }> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const mail = received.find(match);
        if (mail) return { mail, body: decodeQuotedPrintable(mail.raw) };
        if (Date.now() > deadline) throw new Error(`${what}: no such mail within ${timeoutMs} ms (received ${received.length})`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async stop() {
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
    },
  };
}

/** Undoes quoted-printable soft line breaks and escapes (the link may be wrapped or have `=3D`). */
export function decodeQuotedPrintable(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
