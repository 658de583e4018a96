import fs from 'node:fs';
import { CliError, readStdin } from './io.js';

/**
 * Secrets the CLI reads from the administrator: at a prompt that does not echo, from a file, or
 * from standard input; never from the command line, where they would land in the shell history
 * and in every user's process list.
 */

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const BACKSPACE = new Set(['\u007f', '\b']);

/**
 * Asks at the terminal with echo off (the terminal in raw mode): Enter ends the answer, Backspace
 * and Ctrl-U edit it, Ctrl-C (or Ctrl-D on an empty line) cancels. The question goes to stderr, so
 * that stdout stays the command's output.
 */
export function promptSecret(question: string, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (!stdin.isTTY) throw new CliError('there is no terminal to ask for the passphrase at: give --passphrase-file FILE (or - for standard input)', 2);
  // Echo off before the question shows: what is typed as soon as it appears is not echoed either.
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (typed: string) => {
      for (const ch of typed) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === CTRL_C || (ch === CTRL_D && value === '')) return finish(new CliError('cancelled', 130));
        if (ch === CTRL_D) return finish();
        if (BACKSPACE.has(ch)) value = [...value].slice(0, -1).join('');
        else if (ch === CTRL_U) value = '';
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** A secret from a file (`-`: standard input), without the line break that ends its one line. */
export async function secretFromFile(file: string): Promise<string> {
  if (file === '-') return readStdin();
  try {
    return fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new CliError(`cannot read the passphrase file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * The passphrase of a backup: from --passphrase-file, else asked at the terminal; a new one is
 * asked twice, since a backup under a mistyped passphrase could never be opened.
 */
export async function readPassphrase(opts: { passphraseFile?: string; isNew: boolean }): Promise<string> {
  if (opts.passphraseFile !== undefined) return secretFromFile(opts.passphraseFile);
  if (!opts.isNew) return promptSecret('Backup passphrase: ');
  const first = await promptSecret('Passphrase for the backup (at least 12 characters): ');
  const again = await promptSecret('The same passphrase again: ');
  if (first !== again) throw new CliError('the two passphrases differ: nothing was written', 2);
  return first;
}
