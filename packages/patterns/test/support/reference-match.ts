/**
 * A deliberately naive matcher: one rule at a time, by backtracking over the event's values. It shares
 * the pattern parser and the single-value operator checks with the engine, but none of the machine
 * (shared paths, value indexes, path filter, array-trail pruning), so tests can compare the two on
 * random input, and the benchmarks use it as the "test every rule in turn" baseline.
 */
import { parsePattern, type JsonObject, type Pattern } from '../../src/index.js';
import { LeafType, matcherAccepts, type SubRule } from '../../src/pattern.js';

interface FlatLeaf {
  type: LeafType;
  text: string;
  /** [arrayId, index, ...] for every array the value sits in. */
  trail: number[];
}

type FlatEvent = Map<string, FlatLeaf[]>;

const patterns = new WeakMap<object, Pattern>();
const events = new WeakMap<object, FlatEvent>();

export function referenceMatch(pattern: JsonObject | Pattern, event: JsonObject): boolean {
  const isCompiled = Array.isArray(pattern['subRules']) && typeof pattern['text'] === 'string';
  let compiled = isCompiled ? (pattern as unknown as Pattern) : patterns.get(pattern);
  if (compiled === undefined) {
    compiled = parsePattern(pattern as JsonObject, { maxLength: 4096 });
    patterns.set(pattern, compiled);
  }
  let flat = events.get(event);
  if (flat === undefined) {
    flat = flatten(event);
    events.set(event, flat);
  }
  return compiled.subRules.some((subRule) => matchSubRule(subRule, 0, flat, []));
}

function flatten(event: JsonObject): FlatEvent {
  const out: FlatEvent = new Map();
  let arrays = 0;
  const walk = (value: unknown, path: string, trail: number[]): void => {
    if (Array.isArray(value)) {
      const id = arrays++;
      value.forEach((v, i) => walk(v, path, [...trail, id, i]));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, path === '' ? k : `${path}.${k}`, trail);
    } else {
      const leaf: FlatLeaf =
        typeof value === 'string'
          ? { type: LeafType.String, text: value, trail }
          : typeof value === 'number'
            ? { type: LeafType.Number, text: String(value), trail }
            : { type: LeafType.Literal, text: String(value), trail };
      const list = out.get(path);
      if (list) list.push(leaf);
      else out.set(path, [leaf]);
    }
  };
  for (const [k, v] of Object.entries(event)) walk(v, k, []);
  return out;
}

function consistent(trail: number[], chosen: number[]): boolean {
  for (let i = 0; i < trail.length; i += 2) {
    for (let j = 0; j < chosen.length; j += 2) {
      if (trail[i] === chosen[j] && trail[i + 1] !== chosen[j + 1]) return false;
    }
  }
  return true;
}

function matchSubRule(subRule: SubRule, at: number, event: FlatEvent, chosen: number[]): boolean {
  const condition = subRule[at];
  if (condition === undefined) return true;
  const candidates = (event.get(condition.path) ?? []).filter((leaf) => consistent(leaf.trail, chosen));
  for (const leaf of candidates) {
    if (condition.matchers.some((m) => matcherAccepts(m, leaf))) {
      if (matchSubRule(subRule, at + 1, event, [...chosen, ...leaf.trail])) return true;
    }
  }
  const allowsAbsence = condition.matchers.some((m) => m.kind === 'exists' && !m.value);
  return candidates.length === 0 && allowsAbsence && matchSubRule(subRule, at + 1, event, chosen);
}
