/**
 * CPU time of another process, for `bench/queues.bench.ts`: user + system seconds from /proc/<pid>/stat
 * (Linux), so that a phase can print how busy the server child was next to its throughput.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ); 100 on Linux builds in practice. */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds the process has used so far, or undefined where /proc cannot be read. */
export function readCpuSeconds(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime) of the full line are 12 and 13 after the name and state.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return (utime + stime) / TICKS_PER_SECOND;
}

/**
 * Busy CPU seconds of the whole machine so far, all cores together: /proc/stat's first line, every field
 * but idle and iowait (guest time is already inside user). A phase subtracts the server's and its own
 * CPU from this to show what other processes used meanwhile. Undefined where /proc cannot be read.
 */
export function readMachineBusySeconds(): number | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  const fields = (text.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal [guest guest_nice]
  const [user, nice, system, , , irq, softirq, steal] = fields;
  const busy = [user, nice, system, irq, softirq, steal];
  if (busy.some((value) => value === undefined || !Number.isFinite(value))) return undefined;
  return (busy as number[]).reduce((sum, value) => sum + value, 0) / TICKS_PER_SECOND;
}
