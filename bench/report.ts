/**
 * Shared helpers of the benchmarks: the machine description every run prints, timing, formatting.
 * Benchmarks print figures and never assert timings (STYLE.md: tests carry no timing assertions,
 * bench/ measures speed); a wrong match count is the only thing that fails a run.
 */
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';

/** One line per fact, so that a results section can quote it verbatim. */
export function describeMachine(): string[] {
  const cpus = os.cpus();
  const models = [...new Set(cpus.map((cpu) => cpu.model.trim()))];
  const speeds = [...new Set(cpus.map((cpu) => cpu.speed).filter((mhz) => mhz > 0))];
  const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  return [
    `CPU:     ${models.join(' / ') || 'unknown'}${speeds.length > 0 ? ` @ ${speeds.join('/')} MHz` : ''}`,
    `Cores:   ${cpus.length} logical (os.cpus()), available parallelism ${os.availableParallelism()}`,
    `Memory:  ${gib(os.totalmem())} total`,
    `Node:    ${process.version} (V8 ${process.versions.v8}), heap limit ${gib(v8.getHeapStatistics().heap_size_limit)}`,
    `OS:      ${os.type()} ${os.release()} ${os.arch()} (${os.platform()})`,
  ];
}

export function printHeader(title: string, settings: readonly string[]): void {
  console.log(`# ${title}`);
  console.log(`# started ${new Date().toISOString()}`);
  for (const line of describeMachine()) console.log(`# ${line}`);
  for (const line of settings) console.log(`# ${line}`);
  console.log('#   (figures are single-threaded wall-clock times; no timing is asserted)');
  console.log();
}

/** Milliseconds since an arbitrary origin, sub-microsecond resolution. */
export function now(): number {
  return performance.now();
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Integer with thin-space-free thousands separators: 213,068. */
export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  return ratio >= 100
    ? `${Math.round(ratio)}x`
    : ratio >= 10
      ? `${ratio.toFixed(1)}x`
      : `${ratio.toFixed(2)}x`;
}

export function formatMicros(us: number): string {
  return us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us >= 1 ? us.toFixed(2) : us.toFixed(3);
}

/** Left-pads or right-pads cells to a table; the first column is left-aligned, the rest right. */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** A positive integer from env `name`, else `fallback`. `_` separators allowed. */
export function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

let gcFunction: (() => void) | undefined;

/**
 * A full garbage collection, so heap deltas measure what is retained. Uses global.gc when Node runs
 * with --expose-gc; otherwise turns the flag on at run time (V8 allows it) and takes gc from a fresh
 * context, so `npm run bench:scaling` needs no extra Node flags.
 */
export function collectGarbage(): void {
  if (gcFunction === undefined) {
    const global = globalThis as { gc?: () => void };
    if (typeof global.gc === 'function') {
      gcFunction = global.gc;
    } else {
      v8.setFlagsFromString('--expose-gc');
      gcFunction = vm.runInNewContext('gc') as () => void;
    }
  }
  gcFunction();
  gcFunction();
}

export function heapUsed(): number {
  return process.memoryUsage().heapUsed;
}
