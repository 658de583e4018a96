import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * CPU time used by processes, from /proc (Linux). Throughput on a shared 2-core machine moves with
 * whatever else runs; the CPU a request costs the server and the database moves much less, and it
 * says where the time goes. Elsewhere than Linux the figures are simply absent.
 */
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU milliseconds of one process, or undefined if it cannot be read. */
export function readCpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, hence the last ')'): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

export type CpuSnapshot = Map<number, number>;

export function snapshotCpu(pids: number[]): CpuSnapshot {
  const snap: CpuSnapshot = new Map();
  for (const pid of pids) {
    const ms = readCpuMs(pid);
    if (ms !== undefined) snap.set(pid, ms);
  }
  return snap;
}

/** CPU ms used between two snapshots; a process that appeared in between counts from zero. */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): number | undefined {
  if (after.size === 0) return undefined;
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

export interface MachineCpu {
  busyMs: number;
  stealMs: number;
  totalMs: number;
}

/** The whole machine's CPU time so far from /proc/stat: busy (user, system, irq), stolen by the hypervisor, total. */
export function readMachineCpu(): MachineCpu | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const toMs = (ticks: number) => (ticks * 1000) / ticksPerSecond;
    return {
      busyMs: toMs(user + nice + system + irq + softirq),
      stealMs: toMs(steal),
      totalMs: toMs(user + nice + system + idle + iowait + irq + softirq + steal),
    };
  } catch {
    return undefined;
  }
}

/**
 * How disturbed a measurement was: the share of the machine's CPU the hypervisor took away
 * (steal) and the share used by processes other than ours (ourMs: server, database, load generator).
 */
export function machineLoadBetween(
  before: MachineCpu | undefined,
  after: MachineCpu | undefined,
  ourMs: number,
): { stealPercent: number; otherPercent: number } | undefined {
  if (!before || !after) return undefined;
  const total = after.totalMs - before.totalMs;
  if (total <= 0) return undefined;
  return {
    stealPercent: (100 * (after.stealMs - before.stealMs)) / total,
    otherPercent: Math.max(0, (100 * (after.busyMs - before.busyMs - ourMs)) / total),
  };
}
