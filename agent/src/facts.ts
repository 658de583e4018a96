/** The facts an agent reports at enrolment (docs/agent-protocol.md §2): what the console shows about the computer. */
import fs from 'node:fs';
import os from 'node:os';
import type { EnrollRequest } from './protocol.js';
import { machineId } from './state.js';
import { AGENT_VERSION } from './version.js';

/** PRETTY_NAME from os-release(5), e.g. `Debian GNU/Linux 12 (bookworm)`, or null. */
export function prettyOsName(file = '/etc/os-release'): string | null {
  try {
    const m = /^PRETTY_NAME=(.*)$/m.exec(fs.readFileSync(file, 'utf8'));
    // os-release values may be quoted, with shell-style escapes.
    const value = m?.[1]
      .trim()
      .replace(/^(["'])(.*)\1$/, '$2')
      .replace(/\\(.)/g, '$1');
    return value || null;
  } catch {
    return null;
  }
}

export interface FactOptions {
  stateDir: string;
  hostname?: string;
  domain?: string;
  machineId?: string;
}

export function collectFacts(opts: FactOptions): EnrollRequest['facts'] {
  return {
    hostname: opts.hostname ?? os.hostname(),
    domain: opts.domain ?? null,
    // The distribution's name says more to an admin than "Linux"; the kernel release is the version either way.
    osName: prettyOsName() ?? os.type(),
    osVersion: os.release(),
    agentVersion: AGENT_VERSION,
    machineId: opts.machineId ?? machineId(opts.stateDir),
  };
}
