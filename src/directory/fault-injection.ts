import type { PasswordStep } from './password.service.js';

/**
 * Test-only: with TESSERA_FAULT_INJECTION=1 and TESSERA_FAULT_KILL_AT=<step>, the process kills
 * itself (SIGKILL, no clean-up) right after that step of a domain password change, so a test can
 * show that a crash between any two steps ends with the directory and Tessera agreeing.
 */
export function passwordFaultInjection(env: NodeJS.ProcessEnv = process.env): ((step: PasswordStep) => void) | undefined {
  if (env.TESSERA_FAULT_INJECTION !== '1' || !env.TESSERA_FAULT_KILL_AT) return undefined;
  const at = env.TESSERA_FAULT_KILL_AT;
  return (step) => {
    if (step === at) process.kill(process.pid, 'SIGKILL');
  };
}
