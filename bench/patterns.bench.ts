/**
 * `npm run bench`: event-ruler's CityLots2 benchmark, on Busway's compiled matcher.
 *
 * For each of Ruler's 14 pattern classes (5 rules each, shared/bench-data/ruler-benchmark-patterns.json)
 * and its two mixed machines PARTIAL_COMBO (40 rules) and COMBO (45 rules):
 * - a matcher holding only that class's rules sees every synthetic citylots2 record (bench/citylots.ts)
 *   once per pass, as a JSON string, in file order; warm-up pass(es) first, then measured passes;
 *   events/s = records / wall time of the loop (rule compilation is not timed, as in Ruler);
 * - expected counts come from the naive reference interpreter over the same records (Ruler's counts
 *   only hold for its own file): JSON.parse once per event, then referenceMatch() per rule. Its speed
 *   is printed too. Any disagreement prints MISMATCH with a shrunken failing event, and exits 1;
 * - serverless-offline-aws-eventbridge's matcher runs on an evenly spaced sample of the records where
 *   it can (see serverless-offline-matcher.ts); its counts are printed beside the reference's on that
 *   sample; differences are expected where it lacks an operator and do not fail the run;
 * - the README's self-checks (identical-count class pairs, wildcard + anything-but-wildcard = N).
 *
 * Knobs (env): BUSWAY_BENCH_EVENTS (records, default 213,068), BUSWAY_BENCH_PASSES (measured passes,
 * default 3, fewer once a class has used BUSWAY_BENCH_PASS_SECONDS, default 15), BUSWAY_BENCH_WARMUP
 * (warm-up passes over the first 50,000 records, default 1), BUSWAY_BENCH_NAIVE_PASSES (default 1),
 * BUSWAY_BENCH_PLUGIN_EVENTS (plugin sample size, default 5,000; 0 skips it), BUSWAY_BENCH_CLASSES
 * (comma-separated class names to run, default all).
 */
import { readFileSync } from 'node:fs';
import { createRuleMatcher, type JsonObject, type RuleMatcher } from '../packages/patterns/src/index.js';
import { referenceMatch } from '../packages/patterns/test/support/reference-match.js';
import { benchEventCount, generateCityLots } from './citylots.js';
import { envInt, formatInt, formatRatio, formatTable, median, now, printHeader } from './report.js';
import {
  loadServerlessOfflineMatcher,
  SERVERLESS_OFFLINE_PACKAGE,
  type ServerlessOfflineMatcher,
} from './serverless-offline-matcher.js';
import { shrinkEvent } from './shrink-event.js';

interface RulerRule {
  id: string;
  pattern: JsonObject;
  expectedMatches: number;
}
interface RulerClass {
  class: string;
  rules: RulerRule[];
}
interface RulerBenchmarkData {
  classes: RulerClass[];
  combos: Record<string, unknown>;
}

/** One machine to benchmark: a class, or a combo of classes. */
interface Workload {
  name: string;
  rules: RulerRule[];
}

interface WorkloadResult {
  name: string;
  ruleIds: string[];
  compiled: { eventsPerSecond: number; passes: number[]; addMs: number; counts: number[] };
  naive: { eventsPerSecond: number; counts: number[] };
  plugin:
    | {
        status: 'ran';
        eventsPerSecond: number;
        counts: number[];
        sampleCounts: number[];
        throws: number;
        throwMessage?: string;
      }
    | { status: 'not-callable' | 'skipped'; reason: string; sampleCounts: number[] };
  mismatches: number;
}

const DATA_URL = new URL('../../shared/bench-data/ruler-benchmark-patterns.json', import.meta.url);

const EVENTS = benchEventCount();
const PASSES = envInt('BUSWAY_BENCH_PASSES', 3);
const WARMUP = envInt('BUSWAY_BENCH_WARMUP', 1, 0);
/** Warm-up passes run over the first 50,000 records at most: enough for the JIT, cheaper on slow classes. */
const WARMUP_EVENTS = 50_000;
/** Measured passes stop early once they have taken this long (at least one pass always runs). */
const PASS_BUDGET_MS = envInt('BUSWAY_BENCH_PASS_SECONDS', 15) * 1000;
const NAIVE_PASSES = envInt('BUSWAY_BENCH_NAIVE_PASSES', 1);
const PLUGIN_EVENTS = Math.min(envInt('BUSWAY_BENCH_PLUGIN_EVENTS', 5_000, 0), EVENTS);
const ONLY = (process.env['BUSWAY_BENCH_CLASSES'] ?? '')
  .split(',')
  .map((name) => name.trim().toUpperCase())
  .filter((name) => name !== '');

function loadWorkloads(): Workload[] {
  const data = JSON.parse(readFileSync(DATA_URL, 'utf8')) as RulerBenchmarkData;
  const byName = new Map(data.classes.map((c) => [c.class, c.rules]));
  const workloads: Workload[] = data.classes.map((c) => ({ name: c.class, rules: c.rules }));
  for (const [name, members] of Object.entries(data.combos)) {
    if (!Array.isArray(members)) continue; // the "note" entry
    workloads.push({
      name,
      rules: members.flatMap((member) => {
        const rules = byName.get(String(member));
        if (!rules) throw new Error(`combo ${name} names unknown class ${String(member)}`);
        return rules;
      }),
    });
  }
  return ONLY.length === 0 ? workloads : workloads.filter((w) => ONLY.includes(w.name));
}

function buildMatcher(rules: readonly RulerRule[]): { matcher: RuleMatcher<number>; addMs: number } {
  const matcher = createRuleMatcher<number>();
  const start = now();
  rules.forEach((rule, index) => matcher.add(index, JSON.stringify(rule.pattern)));
  return { matcher, addMs: now() - start };
}

/** One pass of the compiled matcher; returns wall ms and per-rule counts. */
function compiledPass(
  matcher: RuleMatcher<number>,
  lines: readonly string[],
  ruleCount: number,
): { ms: number; counts: number[] } {
  const counts = new Array<number>(ruleCount).fill(0);
  const start = now();
  for (let i = 0; i < lines.length; i++) {
    const ids = matcher.match(lines[i] as string);
    for (let k = 0; k < ids.length; k++) counts[ids[k] as number]! += 1;
  }
  return { ms: now() - start, counts };
}

/** One pass of the naive matcher: parse each event once, then every rule in turn. */
function naivePass(
  patterns: readonly JsonObject[],
  lines: readonly string[],
  sampleStride: number,
): { ms: number; counts: number[]; sampleCounts: number[] } {
  const counts = new Array<number>(patterns.length).fill(0);
  const sampleCounts = new Array<number>(patterns.length).fill(0);
  const start = now();
  for (let i = 0; i < lines.length; i++) {
    const event = JSON.parse(lines[i] as string) as JsonObject;
    const sampled = sampleStride > 0 && i % sampleStride === 0;
    for (let r = 0; r < patterns.length; r++) {
      if (referenceMatch(patterns[r] as JsonObject, event)) {
        counts[r]! += 1;
        if (sampled) sampleCounts[r]! += 1;
      }
    }
  }
  return { ms: now() - start, counts, sampleCounts };
}

function pluginPass(
  plugin: ServerlessOfflineMatcher,
  patterns: readonly JsonObject[],
  sample: readonly string[],
): { ms: number; counts: number[]; throws: number; throwMessage?: string } {
  const counts = new Array<number>(patterns.length).fill(0);
  let throws = 0;
  let throwMessage: string | undefined;
  const start = now();
  for (const line of sample) {
    for (let r = 0; r < patterns.length; r++) {
      try {
        if (plugin.matches(patterns[r] as JsonObject, line)) counts[r]! += 1;
      } catch (error) {
        throws += 1;
        throwMessage ??= (error as Error).message;
      }
    }
  }
  const result = { ms: now() - start, counts, throws };
  return throwMessage === undefined ? result : { ...result, throwMessage };
}

/** Finds the first event on which compiled and reference disagree for rule `r`, and shrinks it. */
function explainMismatch(
  workload: Workload,
  matcher: RuleMatcher<number>,
  r: number,
  lines: readonly string[],
): void {
  const rule = workload.rules[r] as RulerRule;
  const compiledSays = (event: JsonObject): boolean => matcher.match(JSON.stringify(event)).includes(r);
  const disagrees = (event: JsonObject): boolean =>
    compiledSays(event) !== referenceMatch(rule.pattern, event);
  const index = lines.findIndex((line) => disagrees(JSON.parse(line) as JsonObject));
  if (index < 0) {
    console.log(`    (no single event reproduces the disagreement on ${rule.id} when re-run)`);
    return;
  }
  const minimal = shrinkEvent(JSON.parse(lines[index] as string) as JsonObject, disagrees);
  const single = createRuleMatcher<number>();
  single.add(0, JSON.stringify(rule.pattern));
  const singleDisagrees =
    single.match(JSON.stringify(minimal)).includes(0) !== referenceMatch(rule.pattern, minimal);
  console.log(`    first disagreement at record #${index}; shrunk to:`);
  console.log(`      pattern:   ${JSON.stringify(rule.pattern)}`);
  console.log(`      event:     ${JSON.stringify(minimal)}`);
  console.log(
    `      compiled ${compiledSays(minimal) ? 'MATCHES' : 'does not match'}, reference ${referenceMatch(rule.pattern, minimal) ? 'MATCHES' : 'does not match'}` +
      ` (a matcher holding only this rule ${singleDisagrees ? 'disagrees too' : 'agrees with the reference: the other rules matter'})`,
  );
}

function runWorkload(
  workload: Workload,
  lines: readonly string[],
  sample: readonly string[],
  sampleStride: number,
  plugin: ServerlessOfflineMatcher | { error: string },
): WorkloadResult {
  const ruleCount = workload.rules.length;
  const patterns = workload.rules.map((rule) => rule.pattern);
  console.log(`== ${workload.name} (${ruleCount} rules) ==`);

  // Naive reference first: it defines the expected counts.
  const naiveMs: number[] = [];
  const naive = naivePass(patterns, lines, sampleStride);
  naiveMs.push(naive.ms);
  for (let p = 1; p < NAIVE_PASSES; p++) naiveMs.push(naivePass(patterns, lines, sampleStride).ms);

  // Compiled: fresh matcher, warm-up, measured passes; every pass must give the same counts.
  const { matcher, addMs } = buildMatcher(workload.rules);
  const warmupLines = lines.slice(0, WARMUP_EVENTS);
  for (let p = 0; p < WARMUP; p++) compiledPass(matcher, warmupLines, ruleCount);
  const passes: number[] = [];
  let counts: number[] | undefined;
  let unstable = false;
  let measuredMs = 0;
  for (let p = 0; p < PASSES && (p === 0 || measuredMs < PASS_BUDGET_MS); p++) {
    const pass = compiledPass(matcher, lines, ruleCount);
    measuredMs += pass.ms;
    passes.push(lines.length / (pass.ms / 1000));
    if (counts !== undefined && pass.counts.some((c, i) => c !== counts?.[i])) unstable = true;
    counts ??= pass.counts;
  }
  counts ??= compiledPass(matcher, lines, ruleCount).counts;
  const compiledRate = median(passes);
  const naiveRate = lines.length / (median(naiveMs) / 1000);

  // The plugin, on the sample, where it can run.
  let pluginResult: WorkloadResult['plugin'];
  if ('error' in plugin) {
    pluginResult = { status: 'skipped', reason: plugin.error, sampleCounts: naive.sampleCounts };
  } else if (sample.length === 0) {
    pluginResult = {
      status: 'skipped',
      reason: 'BUSWAY_BENCH_PLUGIN_EVENTS=0',
      sampleCounts: naive.sampleCounts,
    };
  } else {
    pluginPass(plugin, patterns, sample.slice(0, Math.min(200, sample.length))); // warm-up
    const run = pluginPass(plugin, patterns, sample);
    if (run.throws === sample.length * ruleCount) {
      pluginResult = {
        status: 'not-callable',
        reason: `throws on every call: ${run.throwMessage ?? ''}`,
        sampleCounts: naive.sampleCounts,
      };
    } else {
      pluginResult = {
        status: 'ran',
        eventsPerSecond: sample.length / (run.ms / 1000),
        counts: run.counts,
        sampleCounts: naive.sampleCounts,
        throws: run.throws,
        ...(run.throwMessage === undefined ? {} : { throwMessage: run.throwMessage }),
      };
    }
  }

  // Report.
  console.log(
    `  compiled  ${formatInt(compiledRate).padStart(10)} events/s  (median of ${passes.length} pass${passes.length > 1 ? 'es' : ''}: ${passes.map(formatInt).join(', ')}; ${WARMUP} warm-up; adding ${ruleCount} rules took ${addMs.toFixed(2)} ms)`,
  );
  console.log(
    `  naive     ${formatInt(naiveRate).padStart(10)} events/s  (JSON.parse + referenceMatch per rule; ${NAIVE_PASSES} pass${NAIVE_PASSES > 1 ? 'es, median' : ''})  compiled/naive ${formatRatio(compiledRate / naiveRate)}`,
  );
  if (pluginResult.status === 'ran') {
    console.log(
      `  plugin    ${formatInt(pluginResult.eventsPerSecond).padStart(10)} events/s  (${SERVERLESS_OFFLINE_PACKAGE} on ${formatInt(sample.length)} sampled records)  compiled/plugin ${formatRatio(compiledRate / pluginResult.eventsPerSecond)}`,
    );
    if (pluginResult.throws > 0) {
      console.log(
        `            plugin threw on ${formatInt(pluginResult.throws)} of ${formatInt(sample.length * ruleCount)} (record, rule) calls, counted as no match: ${pluginResult.throwMessage ?? ''}`,
      );
    }
  } else {
    console.log(
      `  plugin    ${pluginResult.status === 'not-callable' ? 'CANNOT RUN this class' : 'skipped'}: ${pluginResult.reason}`,
    );
  }

  let mismatches = 0;
  const rows: string[][] = [
    ['  rule', 'compiled', 'reference', 'ruler(orig)', 'plugin(sample)', 'ref(sample)', ''],
  ];
  workload.rules.forEach((rule, r) => {
    const ok = counts?.[r] === naive.counts[r];
    if (!ok) mismatches += 1;
    const pluginCount = pluginResult.status === 'ran' ? formatInt(pluginResult.counts[r] ?? 0) : '-';
    const pluginDiffers =
      pluginResult.status === 'ran' && pluginResult.counts[r] !== pluginResult.sampleCounts[r];
    rows.push([
      `  ${rule.id}`,
      formatInt(counts?.[r] ?? 0),
      formatInt(naive.counts[r] ?? 0),
      formatInt(rule.expectedMatches),
      pluginCount,
      formatInt(pluginResult.sampleCounts[r] ?? 0),
      `${ok ? '' : '<<< MISMATCH'}${pluginDiffers ? ' (plugin differs)' : ''}`,
    ]);
  });
  for (const line of formatTable(rows)) console.log(line);
  if (unstable) {
    mismatches += 1;
    console.log(
      '  MISMATCH: the compiled matcher gave different counts on different passes over the same records',
    );
  }
  if (mismatches > 0) {
    console.log(
      `  !!! MISMATCH in ${workload.name}: compiled matcher disagrees with the reference interpreter !!!`,
    );
    workload.rules.forEach((_, r) => {
      if (counts?.[r] !== naive.counts[r]) explainMismatch(workload, matcher, r, lines);
    });
  }
  console.log();
  return {
    name: workload.name,
    ruleIds: workload.rules.map((rule) => rule.id),
    compiled: { eventsPerSecond: compiledRate, passes, addMs, counts: counts ?? [] },
    naive: { eventsPerSecond: naiveRate, counts: naive.counts },
    plugin: pluginResult,
    mismatches,
  };
}

/** The README's cross-class identities, on the compiled counts; returns the number of failures. */
function selfChecks(results: readonly WorkloadResult[], events: number): number {
  const counts = new Map(results.map((r) => [r.name, r.compiled.counts]));
  const naiveCounts = new Map(results.map((r) => [r.name, r.naive.counts]));
  let failures = 0;
  console.log('== Self-checks (shared/bench-data/README.md) on the compiled counts ==');
  const report = (ok: boolean, text: string): void => {
    if (!ok) failures += 1;
    console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${text}`);
  };
  for (const [a, b] of [
    ['PREFIX', 'PREFIX_EQUALS_IGNORE_CASE'],
    ['SUFFIX', 'SUFFIX_EQUALS_IGNORE_CASE'],
    ['ANYTHING_BUT', 'ANYTHING_BUT_IGNORE_CASE'],
  ] as const) {
    const x = counts.get(a);
    const y = counts.get(b);
    if (!x || !y) continue;
    report(x.join() === y.join(), `${a} == ${b}: [${x.join(', ')}] vs [${y.join(', ')}]`);
  }
  const wildcard = counts.get('WILDCARD');
  const notWildcard = counts.get('ANYTHING_BUT_WILDCARD');
  if (wildcard && notWildcard) {
    const sums = wildcard.map((c, i) => c + (notWildcard[i] ?? 0));
    report(
      sums.every((s) => s === events),
      `WILDCARD + ANYTHING_BUT_WILDCARD = ${formatInt(events)} per rule: [${sums.join(', ')}]`,
    );
  }
  const eic = counts.get('EQUALS_IGNORE_CASE')?.[4];
  const abSt = counts.get('ANYTHING_BUT')?.[2];
  if (eic !== undefined && abSt !== undefined) {
    report(
      eic + abSt === events,
      `ST_TYPE equals-ignore-case "st" + anything-but "ST" = ${formatInt(events)}: ${eic} + ${abSt} = ${eic + abSt}`,
    );
  }
  for (const combo of ['PARTIAL_COMBO', 'COMBO']) {
    const result = results.find((r) => r.name === combo);
    if (!result) continue;
    const alone = result.ruleIds.map((id) => {
      for (const r of results) {
        const i = r.name === combo ? -1 : r.ruleIds.indexOf(id);
        if (i >= 0) return r.compiled.counts[i];
      }
      return undefined;
    });
    if (alone.some((c) => c === undefined)) continue;
    const same = alone.every((c, i) => c === result.compiled.counts[i]);
    report(
      same,
      `${combo}: each rule counts the same in the ${result.ruleIds.length}-rule machine as in its own class's machine`,
    );
  }
  const refAgrees = [...counts.keys()].every(
    (name) => counts.get(name)?.join() === naiveCounts.get(name)?.join(),
  );
  console.log(
    `  (the reference interpreter's counts ${refAgrees ? 'are identical' : 'DIFFER, see MISMATCH above'})`,
  );
  console.log();
  return failures;
}

function printSummary(results: readonly WorkloadResult[]): void {
  console.log(
    `== Summary: events/s on ${formatInt(EVENTS)} records (compiled: median of up to ${PASSES} passes) ==`,
  );
  const rows: string[][] = [
    ['class', 'rules', 'compiled ev/s', 'naive ev/s', 'vs naive', 'plugin ev/s', 'vs plugin', 'counts'],
  ];
  for (const r of results) {
    const plugin = r.plugin.status === 'ran' ? r.plugin : undefined;
    rows.push([
      r.name,
      String(r.ruleIds.length),
      formatInt(r.compiled.eventsPerSecond),
      formatInt(r.naive.eventsPerSecond),
      formatRatio(r.compiled.eventsPerSecond / r.naive.eventsPerSecond),
      plugin
        ? formatInt(plugin.eventsPerSecond) + (plugin.throws > 0 ? '*' : '')
        : r.plugin.status === 'not-callable'
          ? 'cannot run'
          : '-',
      plugin ? formatRatio(r.compiled.eventsPerSecond / plugin.eventsPerSecond) : '-',
      r.mismatches === 0 ? 'ok' : 'MISMATCH',
    ]);
  }
  for (const line of formatTable(rows)) console.log(`  ${line}`);
  if (PLUGIN_EVENTS > 0) {
    console.log(
      `  plugin = ${SERVERLESS_OFFLINE_PACKAGE}, on 1 record in ${formatInt(Math.floor(EVENTS / PLUGIN_EVENTS))}; * = it threw on some calls (counted as no match)`,
    );
  }
  console.log();
}

function main(): void {
  const workloads = loadWorkloads();
  const plugin =
    PLUGIN_EVENTS > 0 ? loadServerlessOfflineMatcher() : { error: 'BUSWAY_BENCH_PLUGIN_EVENTS=0' };
  printHeader('Busway pattern matcher: Ruler CityLots2 classes on synthetic citylots2 records', [
    `records: ${formatInt(EVENTS)} (BUSWAY_BENCH_EVENTS; the original has 213,068); up to ${PASSES} measured passes (fewer after ${PASS_BUDGET_MS / 1000} s), ${WARMUP} warm-up over ${formatInt(Math.min(EVENTS, WARMUP_EVENTS))} records, naive passes ${NAIVE_PASSES}`,
    `plugin: ${'error' in plugin ? plugin.error : `${SERVERLESS_OFFLINE_PACKAGE} ${plugin.version}`}, ${formatInt(PLUGIN_EVENTS)} sampled records`,
    `classes: ${workloads.map((w) => w.name).join(', ')}`,
  ]);

  const genStart = now();
  const lines = generateCityLots(EVENTS);
  const bytes = lines.reduce((sum, line) => sum + line.length, 0);
  console.log(
    `Generated ${formatInt(lines.length)} records, ${(bytes / 2 ** 20).toFixed(1)} MiB, ${Math.round(bytes / lines.length)} bytes/record on average, in ${((now() - genStart) / 1000).toFixed(1)} s`,
  );
  // Every stride-th record: naivePass tallies the same records by index for the side-by-side counts.
  const sampleStride = PLUGIN_EVENTS > 0 ? Math.floor(lines.length / PLUGIN_EVENTS) : 0;
  const sample = sampleStride > 0 ? lines.filter((_, i) => i % sampleStride === 0) : [];
  console.log();

  const results: WorkloadResult[] = [];
  for (const workload of workloads) {
    results.push(runWorkload(workload, lines, sample, sampleStride, plugin));
  }
  const checkFailures = selfChecks(results, lines.length);
  printSummary(results);

  const mismatched = results.filter((r) => r.mismatches > 0).map((r) => r.name);
  if (mismatched.length > 0 || checkFailures > 0) {
    console.log(
      `!!! MISMATCH: ${mismatched.length} machine(s) disagree with the reference (${mismatched.join(', ') || 'none'}); ${checkFailures} self-check(s) failed !!!`,
    );
    process.exitCode = 1;
  } else {
    console.log('All counts agree with the reference interpreter; all self-checks pass.');
  }
}

main();
