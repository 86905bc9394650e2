/**
 * `npm run bench:scaling`: how the compiled matcher's cost per event grows with the number of rules.
 *
 * For each rule count (1, 100, 1,000, 10,000) a fresh matcher gets the first N rules of one list: the
 * 5 rules that can match the traffic (bench/eventbridge-events.ts LIVE_RULES; only the first with N = 1),
 * then realistic EventBridge rules that never match it. The same synthetic PutEvents envelopes (JSON
 * text) go through `matcher.match()`: warm-up pass, then measured passes; µs/event is the median.
 * Also measured per count: the time to add the rules, and the heap they retain (heapUsed after a full
 * GC, before vs after adding). The naive matcher (JSON.parse + referenceMatch per rule) runs on a
 * prefix of the events sized so that it does about BUSWAY_BENCH_NAIVE_BUDGET rule tests per count;
 * its counts must equal the compiled matcher's on those events, and no dead rule may ever match.
 *
 * Knobs (env): BUSWAY_BENCH_SCALING_EVENTS (default 50,000), BUSWAY_BENCH_PASSES (default 5),
 * BUSWAY_BENCH_WARMUP (default 1), BUSWAY_BENCH_RULE_COUNTS (default 1,100,1000,10000),
 * BUSWAY_BENCH_NAIVE_BUDGET (rule tests per count, default 20,000,000), BUSWAY_BENCH_FAMILIES (0 skips
 * the per-family cost breakdown at the largest rule count, run on the first 10,000 events).
 */
import { createRuleMatcher, type JsonObject, type RuleMatcher } from '../packages/patterns/src/index.js';
import { referenceMatch } from '../packages/patterns/test/support/reference-match.js';
import {
  generateEventBridgeEvents,
  generateScalingRules,
  LIVE_RULES,
  type ScalingRule,
} from './eventbridge-events.js';
import {
  collectGarbage,
  envInt,
  formatInt,
  formatMicros,
  formatRatio,
  formatTable,
  heapUsed,
  median,
  now,
  printHeader,
} from './report.js';

const EVENTS = envInt('BUSWAY_BENCH_SCALING_EVENTS', 50_000);
const PASSES = envInt('BUSWAY_BENCH_PASSES', 5);
const WARMUP = envInt('BUSWAY_BENCH_WARMUP', 1, 0);
const NAIVE_BUDGET = envInt('BUSWAY_BENCH_NAIVE_BUDGET', 20_000_000);
const MIN_NAIVE_EVENTS = 500;
const FAMILY_BREAKDOWN = envInt('BUSWAY_BENCH_FAMILIES', 1, 0) > 0;
const FAMILY_EVENTS = 10_000;
/** Heap deltas below this are GC bookkeeping, not the rules: no bytes/rule is printed for them. */
const HEAP_NOISE_BYTES = 256 * 1024;
const RULE_COUNTS = (process.env['BUSWAY_BENCH_RULE_COUNTS'] ?? '1,100,1000,10000')
  .split(',')
  .map((s) => Number(s.trim().replaceAll('_', '')))
  .filter((n) => Number.isInteger(n) && n > 0);

interface CountResult {
  rules: number;
  addMs: number;
  heapBytes: number;
  compiledUs: number;
  passesUs: number[];
  matchesPerEvent: number;
  maxMatchesPerEvent: number;
  naiveUs: number;
  naiveEvents: number;
  problems: string[];
}

function measureCount(rules: readonly ScalingRule[], events: readonly string[], count: number): CountResult {
  const problems: string[] = [];
  const texts = rules.slice(0, count).map((rule) => rule.text);
  const liveCount = Math.min(count, LIVE_RULES.length);

  // Add time and retained heap.
  collectGarbage();
  const heapBefore = heapUsed();
  const addStart = now();
  const matcher: RuleMatcher<number> = createRuleMatcher<number>();
  for (let i = 0; i < texts.length; i++) matcher.add(i, texts[i] as string);
  const addMs = now() - addStart;
  collectGarbage();
  const heapBytes = heapUsed() - heapBefore;
  if (matcher.size !== count) problems.push(`matcher.size is ${matcher.size}, expected ${count}`);

  // Matching.
  let matched = 0;
  let maxPerEvent = 0;
  const ruleHits = new Array<number>(count).fill(0);
  const pass = (): number => {
    const start = now();
    for (let e = 0; e < events.length; e++) {
      const ids = matcher.match(events[e] as string);
      matched += ids.length;
      if (ids.length > maxPerEvent) maxPerEvent = ids.length;
      for (let k = 0; k < ids.length; k++) ruleHits[ids[k] as number]! += 1;
    }
    return now() - start;
  };
  for (let p = 0; p < WARMUP; p++) pass();
  const passesUs: number[] = [];
  matched = 0;
  for (let p = 0; p < PASSES; p++) passesUs.push((pass() * 1000) / events.length);
  const compiledUs = median(passesUs);
  const dead = ruleHits.findIndex((hits, id) => hits > 0 && id >= liveCount);
  if (dead >= 0)
    problems.push(`rule #${dead} should never match but matched ${ruleHits[dead]} times: ${texts[dead]}`);
  if (maxPerEvent > LIVE_RULES.length)
    problems.push(`an event matched ${maxPerEvent} rules (at most ${LIVE_RULES.length} can)`);

  // Naive matcher on a prefix of the events, and a cross-check of the counts on that prefix.
  const naiveEvents = Math.min(events.length, Math.max(MIN_NAIVE_EVENTS, Math.floor(NAIVE_BUDGET / count)));
  const patterns = texts.map((t) => JSON.parse(t) as JsonObject);
  const naiveHits = new Array<number>(count).fill(0);
  const naiveStart = now();
  for (let e = 0; e < naiveEvents; e++) {
    const event = JSON.parse(events[e] as string) as JsonObject;
    for (let r = 0; r < count; r++) if (referenceMatch(patterns[r] as JsonObject, event)) naiveHits[r]! += 1;
  }
  const naiveUs = ((now() - naiveStart) * 1000) / naiveEvents;
  const compiledHits = new Array<number>(count).fill(0);
  for (let e = 0; e < naiveEvents; e++)
    for (const id of matcher.match(events[e] as string)) compiledHits[id]! += 1;
  for (let r = 0; r < count; r++) {
    if (compiledHits[r] !== naiveHits[r]) {
      problems.push(
        `MISMATCH rule #${r} ${texts[r]}: compiled ${compiledHits[r]}, reference ${naiveHits[r]} on ${naiveEvents} events`,
      );
    }
  }

  return {
    rules: count,
    addMs,
    heapBytes,
    compiledUs,
    passesUs,
    matchesPerEvent: matched / (PASSES * events.length),
    maxMatchesPerEvent: maxPerEvent,
    naiveUs,
    naiveEvents,
    problems,
  };
}

/** µs/event of a matcher holding `texts`: median of 3 passes after one warm-up pass. */
function timeRules(texts: readonly string[], events: readonly string[]): number {
  const matcher = createRuleMatcher<number>();
  texts.forEach((text, i) => matcher.add(i, text));
  const pass = (): number => {
    const start = now();
    for (const event of events) matcher.match(event);
    return ((now() - start) * 1000) / events.length;
  };
  pass();
  return median([pass(), pass(), pass()]);
}

/**
 * Where the cost at the largest rule count comes from: for each family of never-matching rules, a
 * matcher with the 5 live rules plus only that family's rules (those among the largest rule set).
 * "per rule" is the extra cost over the live rules alone divided by the family's rule count: near 0
 * for families the matcher indexes, a constant for families it tests one by one.
 */
function printFamilyBreakdown(rules: readonly ScalingRule[], events: readonly string[]): void {
  const live = rules.filter((r) => r.family === 'live').map((r) => r.text);
  const families = [...new Set(rules.map((r) => r.family))].filter((f) => f !== 'live');
  const base = timeRules(live, events);
  const rows: string[][] = [
    ['family (with the live rules)', 'rules', 'µs/event', 'extra µs/event', 'extra ns per rule'],
  ];
  rows.push(['live rules only', String(live.length), formatMicros(base), '-', '-']);
  for (const family of families) {
    const texts = rules.filter((r) => r.family === family).map((r) => r.text);
    const us = timeRules([...live, ...texts], events);
    rows.push([
      family,
      formatInt(texts.length),
      formatMicros(us),
      formatMicros(Math.max(0, us - base)),
      formatInt(Math.max(0, ((us - base) * 1000) / texts.length)),
    ]);
  }
  console.log(
    `== Cost by rule family at ${formatInt(rules.length)} rules (${formatInt(events.length)} events, median of 3 passes) ==`,
  );
  for (const line of formatTable(rows)) console.log(`  ${line}`);
  console.log();
}

function main(): void {
  printHeader('Busway pattern matcher: cost per event vs number of rules', [
    `events: ${formatInt(EVENTS)} synthetic EventBridge envelopes (BUSWAY_BENCH_SCALING_EVENTS); measured passes ${PASSES}, warm-up ${WARMUP}`,
    `rule counts: ${RULE_COUNTS.map(formatInt).join(', ')} (BUSWAY_BENCH_RULE_COUNTS); at most ${LIVE_RULES.length} rules can match any event`,
    `naive matcher: JSON.parse + referenceMatch per rule, on the first max(${MIN_NAIVE_EVENTS}, ${formatInt(NAIVE_BUDGET)} / rules) events (BUSWAY_BENCH_NAIVE_BUDGET)`,
  ]);
  const events = generateEventBridgeEvents(EVENTS);
  const rules = generateScalingRules(Math.max(...RULE_COUNTS));
  const bytes = events.reduce((sum, e) => sum + e.length, 0);
  console.log(
    `Generated ${formatInt(events.length)} events (${Math.round(bytes / events.length)} bytes on average) and ${formatInt(rules.length)} rules`,
  );
  console.log(`  sample event: ${events[0]}`);
  console.log(`  live rules: ${LIVE_RULES.map((r) => JSON.stringify(r)).join('  ')}`);
  console.log();

  const results: CountResult[] = [];
  for (const count of RULE_COUNTS) {
    const result = measureCount(rules, events, count);
    results.push(result);
    console.log(
      `${formatInt(count).padStart(6)} rules: ${formatMicros(result.compiledUs)} µs/event (passes ${result.passesUs.map(formatMicros).join(', ')}), ` +
        `naive ${formatMicros(result.naiveUs)} µs/event on ${formatInt(result.naiveEvents)} events, add ${result.addMs.toFixed(1)} ms, heap ${result.heapBytes >= 0 ? '+' : ''}${(result.heapBytes / 2 ** 20).toFixed(2)} MiB`,
    );
    for (const problem of result.problems) console.log(`  !!! ${problem}`);
  }
  console.log();

  const rows: string[][] = [
    [
      'rules',
      'µs/event',
      'events/s',
      'matches/event',
      'naive µs/event',
      'naive events',
      'naive/compiled',
      'add ms',
      'µs/rule added',
      'heap MiB',
      'bytes/rule',
    ],
  ];
  for (const r of results) {
    rows.push([
      formatInt(r.rules),
      formatMicros(r.compiledUs),
      formatInt(1e6 / r.compiledUs),
      r.matchesPerEvent.toFixed(2),
      formatMicros(r.naiveUs),
      `${formatInt(r.naiveEvents)}${r.naiveEvents < EVENTS ? ' (sampled)' : ''}`,
      formatRatio(r.naiveUs / r.compiledUs),
      r.addMs.toFixed(1),
      formatMicros((r.addMs * 1000) / r.rules),
      (r.heapBytes / 2 ** 20).toFixed(2),
      Math.abs(r.heapBytes) < HEAP_NOISE_BYTES ? 'noise' : formatInt(r.heapBytes / r.rules),
    ]);
  }
  console.log('== Summary ==');
  for (const line of formatTable(rows)) console.log(`  ${line}`);
  const at = (n: number): CountResult | undefined => results.find((r) => r.rules === n);
  const r100 = at(100);
  const r1000 = at(1000);
  const r10000 = at(10_000);
  if (r100 && r10000) {
    console.log(
      `  per-event cost at 10,000 rules vs 100 rules: ${formatRatio(r10000.compiledUs / r100.compiledUs)} (goal: <= 2x)`,
    );
  }
  if (r1000)
    console.log(
      `  naive vs compiled at 1,000 rules: ${formatRatio(r1000.naiveUs / r1000.compiledUs)} (goal: >= 10x)`,
    );
  const sampled = results.filter((r) => r.naiveEvents < EVENTS);
  if (sampled.length > 0) {
    console.log(
      `  naive timed on fewer events at ${sampled.map((r) => `${formatInt(r.rules)} rules (${formatInt(r.naiveEvents)} events)`).join(', ')} to keep the run short`,
    );
  }
  console.log(
    `  heap = heapUsed after a full GC, after adding the rules minus before (rule texts were already in memory); 'noise' = under ${HEAP_NOISE_BYTES / 1024} KiB`,
  );
  console.log();

  if (FAMILY_BREAKDOWN)
    printFamilyBreakdown(rules.slice(0, Math.max(...RULE_COUNTS)), events.slice(0, FAMILY_EVENTS));

  const problems = results.flatMap((r) => r.problems);
  if (problems.length > 0) {
    console.log(`!!! MISMATCH: ${problems.length} problem(s), see above !!!`);
    process.exitCode = 1;
  } else {
    console.log('Counts agree with the reference interpreter; no never-matching rule matched.');
  }
}

main();
