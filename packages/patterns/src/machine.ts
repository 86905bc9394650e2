/**
 * The rule machine: every sub-rule of every pattern is a path of conditions (sorted by field path)
 * through one shared tree. Rules that start with the same conditions share the start of their path, and
 * at each node the outgoing conditions on one field are indexed by value (hash maps for exact values,
 * length-bucketed maps for prefixes and suffixes, an interval tree for numeric ranges), so matching an
 * event costs lookups per event field, not a test per rule: a rule whose first condition cannot match
 * is never looked at again. This is event-ruler's idea (a machine of name states and value matchers)
 * in a simpler shape of our own.
 */
import { PathTrie, readEventText, readEventValue, type Leaf } from './event.js';
import type { JsonObject } from './json.js';
import { exactDouble } from './numbers.js';
import { ipKey, networkKey } from './ip.js';
import { foldCase } from './ignore-case.js';
import {
  inNumericRange,
  LeafType,
  matcherAccepts,
  parsePattern,
  type Condition,
  type Matcher,
  type Pattern,
  type PatternOptions,
  type SubRule,
} from './pattern.js';
import { literalPrefix } from './wildcard.js';

export interface RuleMatcher<Id = string> {
  /** Adds a rule, or replaces the pattern of an existing rule with this id. Throws InvalidPatternError. */
  add(id: Id, pattern: string | JsonObject | Pattern): void;
  /** Removes a rule; returns whether it existed. */
  remove(id: Id): boolean;
  has(id: Id): boolean;
  readonly size: number;
  /**
   * Ids of the rules the event matches, each once. The event is JSON text (numbers keep their exact
   * text) or a parsed object. Throws InvalidEventError when it is not a JSON object.
   */
  match(event: string | JsonObject): Id[];
}

export function createRuleMatcher<Id = string>(options: PatternOptions = {}): RuleMatcher<Id> {
  return new Machine<Id>(options);
}

/** Whether one pattern matches one event (EventBridge's TestEventPattern). */
export function matchesPattern(
  pattern: string | JsonObject | Pattern,
  event: string | JsonObject,
  options: PatternOptions = {},
): boolean {
  const machine = new Machine<number>(options);
  machine.add(0, pattern);
  return machine.match(event).length > 0;
}

function isPattern(value: unknown): value is Pattern {
  return typeof value === 'object' && value !== null && 'subRules' in value && 'text' in value;
}

/** Where a sub-rule's path ends: the rules that end here, with how many of their sub-rules do. */
class Node<Id> {
  readonly fields = new Map<string, FieldIndex<Id>>();
  /** Field indexes at this node that hold an exists:false alternative. */
  readonly absenceFields = new Set<FieldIndex<Id>>();
  readonly rules = new Map<Id, number>();
  /** Match-run stamp: set when visited without array constraints in the current run. */
  stamp = 0;
  readonly id: number;

  constructor(id: number) {
    this.id = id;
  }

  isEmpty(): boolean {
    return this.fields.size === 0 && this.rules.size === 0;
  }
}

/** One condition leaving a node. */
class Edge<Id> {
  refs = 0;
  /** Match-run stamp, to report an edge once per leaf even when several of its matchers accept. */
  stamp = 0;
  readonly acceptsAbsence: boolean;

  constructor(
    readonly condition: Condition,
    readonly target: Node<Id>,
  ) {
    this.acceptsAbsence = condition.matchers.some((m) => m.kind === 'exists' && !m.value);
  }
}

type Bucket<Id> = Edge<Id>[];

function pushTo<K, Id>(map: Map<K, Bucket<Id>>, key: K, edge: Edge<Id>): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [edge]);
  else list.push(edge);
}

function removeFrom<K, Id>(map: Map<K, Bucket<Id>>, key: K, edge: Edge<Id>): void {
  const list = map.get(key);
  if (list === undefined) return;
  const i = list.indexOf(edge);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) map.delete(key);
}

/**
 * Strings indexed by a fixed-length prefix (or suffix): one map per distinct length, so a lookup costs
 * one slice and one hash probe per distinct length, however many prefixes there are.
 */
class AffixIndex<T> {
  private readonly byLength = new Map<number, Map<string, T[]>>();
  private lengths: number[] = [];

  constructor(private readonly suffix: boolean) {}

  add(affix: string, item: T): void {
    let map = this.byLength.get(affix.length);
    if (map === undefined) {
      map = new Map();
      this.byLength.set(affix.length, map);
      this.lengths = [...this.byLength.keys()].sort((a, b) => a - b);
    }
    const list = map.get(affix);
    if (list === undefined) map.set(affix, [item]);
    else list.push(item);
  }

  /** Removes the items under this affix that `which` selects. */
  remove(affix: string, which: (item: T) => boolean): void {
    const map = this.byLength.get(affix.length);
    const list = map?.get(affix);
    if (map === undefined || list === undefined) return;
    const kept = list.filter((item) => !which(item));
    if (kept.length > 0) map.set(affix, kept);
    else map.delete(affix);
    if (map.size === 0) {
      this.byLength.delete(affix.length);
      this.lengths = [...this.byLength.keys()].sort((a, b) => a - b);
    }
  }

  get isEmpty(): boolean {
    return this.lengths.length === 0;
  }

  /** The item lists whose affix the value has, one per matching length. */
  matches(value: string, out: T[][]): void {
    for (const length of this.lengths) {
      if (length > value.length) break;
      const key = this.suffix ? value.slice(value.length - length) : value.slice(0, length);
      const list = this.byLength.get(length)!.get(key);
      if (list !== undefined) out.push(list);
    }
  }
}

/** Adds the edge to `out` unless it is already there for this run. */
function pushOnce<Id>(edge: Edge<Id>, run: number, out: Edge<Id>[]): void {
  if (edge.stamp !== run) {
    edge.stamp = run;
    out.push(edge);
  }
}

function pushAllOnce<Id>(list: readonly Edge<Id>[] | undefined, run: number, out: Edge<Id>[]): void {
  if (list !== undefined) for (const edge of list) pushOnce(edge, run, out);
}

type RangeMatcher = Extract<Matcher, { kind: 'numeric' }>;
interface RangeEntry<Id> {
  readonly range: RangeMatcher;
  readonly edge: Edge<Id>;
}

/**
 * Numeric ranges for stabbing queries: a centered interval tree, rebuilt for one field when its ranges
 * change and first queried after that (rule changes are rare next to events). O(log n + hits) a query.
 */
class RangeIndex<Id> {
  private entries: RangeEntry<Id>[] = [];
  private tree: RangeTree<Id> | null | undefined;

  add(entry: RangeEntry<Id>): void {
    this.entries.push(entry);
    this.tree = undefined;
  }

  remove(edge: Edge<Id>): void {
    this.entries = this.entries.filter((e) => e.edge !== edge);
    this.tree = undefined;
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  collect(value: number, run: number, out: Edge<Id>[]): void {
    if (this.entries.length <= 8) {
      for (const e of this.entries) if (inNumericRange(e.range, value)) pushOnce(e.edge, run, out);
      return;
    }
    if (this.tree === undefined) this.tree = buildRangeTree(this.entries);
    let node = this.tree;
    while (node !== null) {
      if (value < node.center) {
        for (const e of node.byLow) {
          if (e.range.low > value) break;
          if (inNumericRange(e.range, value)) pushOnce(e.edge, run, out);
        }
        node = node.left;
      } else if (value > node.center) {
        for (const e of node.byHighDesc) {
          if (e.range.high < value) break;
          if (inNumericRange(e.range, value)) pushOnce(e.edge, run, out);
        }
        node = node.right;
      } else {
        for (const e of node.byLow) if (inNumericRange(e.range, value)) pushOnce(e.edge, run, out);
        return;
      }
    }
  }
}

interface RangeTree<Id> {
  center: number;
  byLow: RangeEntry<Id>[];
  byHighDesc: RangeEntry<Id>[];
  left: RangeTree<Id> | null;
  right: RangeTree<Id> | null;
}

function buildRangeTree<Id>(entries: RangeEntry<Id>[]): RangeTree<Id> | null {
  if (entries.length === 0) return null;
  const points = entries
    .flatMap((e) => [e.range.low, e.range.high])
    .filter((p) => Number.isFinite(p))
    .sort((a, b) => a - b);
  const center = points.length > 0 ? points[points.length >> 1]! : 0;
  const here: RangeEntry<Id>[] = [];
  const left: RangeEntry<Id>[] = [];
  const right: RangeEntry<Id>[] = [];
  for (const e of entries) {
    if (e.range.high < center) left.push(e);
    else if (e.range.low > center) right.push(e);
    else here.push(e);
  }
  return {
    center,
    byLow: [...here].sort((a, b) => a.range.low - b.range.low),
    byHighDesc: [...here].sort((a, b) => b.range.high - a.range.high),
    left: buildRangeTree(left),
    right: buildRangeTree(right),
  };
}

/** A matcher whose index lookup only finds candidates: it is run on the value to confirm. */
interface Checked<Id> {
  readonly matcher: Matcher;
  readonly edge: Edge<Id>;
}

/** The conditions leaving one node on one field, indexed by the values they accept. */
class FieldIndex<Id> {
  readonly edges = new Map<string, Edge<Id>>();
  private readonly strings = new Map<string, Bucket<Id>>();
  private readonly ips = new Map<string, Bucket<Id>>();
  private readonly numberTexts = new Map<string, Bucket<Id>>();
  private readonly numbers = new Map<number, Bucket<Id>>();
  private readonly literals = new Map<string, Bucket<Id>>();
  private readonly prefixes = new AffixIndex<Edge<Id>>(false);
  private readonly suffixes = new AffixIndex<Edge<Id>>(true);
  /** Case-insensitive matchers indexed by their foldCase key, checked exactly on a hit. */
  private readonly folded = new Map<string, Checked<Id>[]>();
  private readonly foldedPrefixes = new AffixIndex<Checked<Id>>(false);
  private readonly foldedSuffixes = new AffixIndex<Checked<Id>>(true);
  /** Wildcards indexed by the literal text before their first star, checked in full on a hit. */
  private readonly wildcards = new AffixIndex<Checked<Id>>(false);
  private readonly ranges = new RangeIndex<Id>();
  /** CIDR blocks by network key, with the mask lengths in use (one lookup per length). */
  private readonly cidrs = new Map<string, Bucket<Id>>();
  private readonly cidrMasks = new Map<number, number>();
  /** Matchers tested one by one: anything-but, exists:true. Both match most values anyway. */
  private scanned: Checked<Id>[] = [];
  private readonly absence: Edge<Id>[] = [];

  constructor(readonly path: string) {}

  get hasAbsence(): boolean {
    return this.absence.length > 0;
  }

  get absenceEdges(): readonly Edge<Id>[] {
    return this.absence;
  }

  addEdge(edge: Edge<Id>): void {
    this.edges.set(edge.condition.key, edge);
    for (const m of edge.condition.matchers) this.index(m, edge, true);
  }

  removeEdge(edge: Edge<Id>): void {
    this.edges.delete(edge.condition.key);
    for (const m of edge.condition.matchers) this.index(m, edge, false);
  }

  private index(m: Matcher, edge: Edge<Id>, add: boolean): void {
    const put = <K>(map: Map<K, Bucket<Id>>, key: K): void =>
      add ? pushTo(map, key, edge) : removeFrom(map, key, edge);
    switch (m.kind) {
      case 'string':
        put(this.strings, m.value);
        if (m.ip !== undefined) put(this.ips, m.ip);
        return;
      case 'number':
        put(this.numberTexts, m.text);
        if (m.value !== undefined) put(this.numbers, m.value);
        return;
      case 'literal':
        put(this.literals, m.value);
        return;
      case 'equals-ignore-case':
        if (add) {
          const list = this.folded.get(m.value);
          if (list === undefined) this.folded.set(m.value, [{ matcher: m, edge }]);
          else list.push({ matcher: m, edge });
        } else {
          const kept = (this.folded.get(m.value) ?? []).filter((item) => item.edge !== edge);
          if (kept.length > 0) this.folded.set(m.value, kept);
          else this.folded.delete(m.value);
        }
        return;
      case 'prefix':
      case 'suffix': {
        if (m.ignoreCase !== undefined) {
          const index = m.kind === 'prefix' ? this.foldedPrefixes : this.foldedSuffixes;
          if (add) index.add(m.value, { matcher: m, edge });
          else index.remove(m.value, (item) => item.edge === edge);
        } else {
          const index = m.kind === 'prefix' ? this.prefixes : this.suffixes;
          if (add) index.add(m.value, edge);
          else index.remove(m.value, (e) => e === edge);
        }
        return;
      }
      case 'wildcard': {
        const literal = literalPrefix(m.wildcard);
        if (add) this.wildcards.add(literal, { matcher: m, edge });
        else this.wildcards.remove(literal, (item) => item.edge === edge);
        return;
      }
      case 'numeric':
        if (m.low === m.high) put(this.numbers, m.low);
        else if (add) this.ranges.add({ range: m, edge });
        else this.ranges.remove(edge);
        return;
      case 'exists':
        if (!m.value) {
          if (add) this.absence.push(edge);
          else this.absence.splice(this.absence.indexOf(edge), 1);
        } else this.scan(m, edge, add); // exists:true accepts every present value
        return;
      case 'cidr': {
        const { range } = m;
        // v4 and v6 masks never collide in keys: the network key carries the family.
        const maskId = range.bits * 2 + (range.v6 ? 1 : 0);
        put(this.cidrs, networkKey(range.low, range.bits));
        const uses = (this.cidrMasks.get(maskId) ?? 0) + (add ? 1 : -1);
        if (uses > 0) this.cidrMasks.set(maskId, uses);
        else this.cidrMasks.delete(maskId);
        return;
      }
      case 'anything-but':
        this.scan(m, edge, add);
        return;
    }
  }

  private scan(matcher: Matcher, edge: Edge<Id>, add: boolean): void {
    if (add) this.scanned.push({ matcher, edge });
    else this.scanned = this.scanned.filter((s) => s.edge !== edge);
  }

  /** Appends to `out` each edge that accepts this value, once per `run` stamp. */
  collectAccepting(leaf: Leaf, run: number, out: Edge<Id>[]): void {
    const text = leaf.text;
    switch (leaf.type) {
      case LeafType.String: {
        pushAllOnce(this.strings.get(text), run, out);
        if (this.ips.size > 0 || this.cidrMasks.size > 0) {
          const key = ipKey(text);
          if (key !== undefined) {
            pushAllOnce(this.ips.get(key), run, out);
            const v6 = key.length === 32 ? 1 : 0;
            for (const maskId of this.cidrMasks.keys()) {
              if ((maskId & 1) === v6) pushAllOnce(this.cidrs.get(networkKey(key, maskId >> 1)), run, out);
            }
          }
        }
        if (!this.prefixes.isEmpty || !this.suffixes.isEmpty) {
          const lists: Edge<Id>[][] = [];
          this.prefixes.matches(text, lists);
          this.suffixes.matches(text, lists);
          for (const list of lists) pushAllOnce(list, run, out);
        }
        if (this.folded.size > 0 || !this.foldedPrefixes.isEmpty || !this.foldedSuffixes.isEmpty) {
          // The folded key finds candidates; each is confirmed with event-ruler's exact rule.
          const folded = foldCase(text);
          const lists: Checked<Id>[][] = [];
          const exact = this.folded.get(folded);
          if (exact !== undefined) lists.push(exact);
          this.foldedPrefixes.matches(folded, lists);
          this.foldedSuffixes.matches(folded, lists);
          for (const list of lists) {
            for (const item of list) {
              if (item.edge.stamp !== run && matcherAccepts(item.matcher, leaf))
                pushOnce(item.edge, run, out);
            }
          }
        }
        if (!this.wildcards.isEmpty) {
          const lists: Checked<Id>[][] = [];
          this.wildcards.matches(text, lists);
          for (const list of lists) {
            for (const item of list) {
              if (item.edge.stamp !== run && matcherAccepts(item.matcher, leaf))
                pushOnce(item.edge, run, out);
            }
          }
        }
        break;
      }
      case LeafType.Number: {
        pushAllOnce(this.numberTexts.get(text), run, out);
        if (this.numbers.size > 0 || !this.ranges.isEmpty) {
          const value = exactDouble(text);
          if (value !== undefined) {
            pushAllOnce(this.numbers.get(value), run, out);
            if (!this.ranges.isEmpty) this.ranges.collect(value, run, out);
          }
        }
        break;
      }
      case LeafType.Literal:
        pushAllOnce(this.literals.get(text), run, out);
        break;
    }
    for (const { matcher, edge } of this.scanned) {
      if (edge.stamp !== run && matcherAccepts(matcher, leaf)) pushOnce(edge, run, out);
    }
  }
}

/** Array constraints picked up along a path: pairs [arrayId, index, ...]. */
type Constraints = readonly number[];
const NO_CONSTRAINTS: Constraints = [];

function isConsistent(trail: readonly number[], constraints: Constraints): boolean {
  for (let i = 0; i < trail.length; i += 2) {
    const id = trail[i]!;
    for (let j = 0; j < constraints.length; j += 2) {
      if (constraints[j] === id && constraints[j + 1] !== trail[i + 1]) return false;
    }
  }
  return true;
}

function extend(constraints: Constraints, trail: readonly number[]): Constraints {
  const out = [...constraints];
  for (let i = 0; i < trail.length; i += 2) {
    let known = false;
    for (let j = 0; j < out.length; j += 2) if (out[j] === trail[i]) known = true;
    if (!known) out.push(trail[i]!, trail[i + 1]!);
  }
  return out;
}

class Machine<Id> implements RuleMatcher<Id> {
  private readonly options: PatternOptions;
  private nextNodeId = 1;
  private readonly root: Node<Id>;
  private readonly rulesById = new Map<Id, Pattern>();
  /** Paths named by some rule: the event walker reads only these. */
  private readonly paths = new PathTrie();
  private run = 0;

  constructor(options: PatternOptions) {
    this.options = options;
    this.root = this.newNode();
  }

  private newNode(): Node<Id> {
    return new Node<Id>(this.nextNodeId++);
  }

  get size(): number {
    return this.rulesById.size;
  }

  has(id: Id): boolean {
    return this.rulesById.has(id);
  }

  add(id: Id, input: string | JsonObject | Pattern): void {
    const pattern = isPattern(input) ? input : parsePattern(input, this.options);
    if (this.rulesById.has(id)) this.remove(id);
    this.rulesById.set(id, pattern);
    for (const subRule of pattern.subRules) this.addSubRule(id, subRule);
  }

  remove(id: Id): boolean {
    const pattern = this.rulesById.get(id);
    if (pattern === undefined) return false;
    this.rulesById.delete(id);
    for (const subRule of pattern.subRules) this.removeSubRule(id, subRule, 0, this.root);
    return true;
  }

  private addSubRule(id: Id, subRule: SubRule): void {
    let node = this.root;
    for (const condition of subRule) {
      let index = node.fields.get(condition.path);
      if (index === undefined) {
        index = new FieldIndex<Id>(condition.path);
        node.fields.set(condition.path, index);
      }
      let edge = index.edges.get(condition.key);
      if (edge === undefined) {
        edge = new Edge<Id>(condition, this.newNode());
        index.addEdge(edge);
        if (edge.acceptsAbsence) node.absenceFields.add(index);
      }
      edge.refs++;
      this.paths.add(condition.path, 1);
      node = edge.target;
    }
    node.rules.set(id, (node.rules.get(id) ?? 0) + 1);
  }

  /** Walks the sub-rule's path back out, pruning edges and nodes no rule uses any more. */
  private removeSubRule(id: Id, subRule: SubRule, depth: number, node: Node<Id>): void {
    const condition = subRule[depth];
    if (condition === undefined) {
      const count = node.rules.get(id) ?? 0;
      if (count <= 1) node.rules.delete(id);
      else node.rules.set(id, count - 1);
      return;
    }
    const index = node.fields.get(condition.path);
    const edge = index?.edges.get(condition.key);
    if (index === undefined || edge === undefined) return;
    this.removeSubRule(id, subRule, depth + 1, edge.target);
    this.paths.add(condition.path, -1);
    if (--edge.refs > 0) return;
    index.removeEdge(edge);
    if (edge.acceptsAbsence && !index.hasAbsence) node.absenceFields.delete(index);
    if (index.edges.size === 0) {
      node.fields.delete(condition.path);
      node.absenceFields.delete(index);
    }
  }

  match(event: string | JsonObject): Id[] {
    const fields =
      typeof event === 'string' ? readEventText(event, this.paths) : readEventValue(event, this.paths);
    const state: MatchRun<Id> = { fields, run: ++this.run, found: [], foundSet: null, visited: null };
    this.visit(this.root, NO_CONSTRAINTS, state);
    return state.found;
  }

  private visit(node: Node<Id>, constraints: Constraints, state: MatchRun<Id>): void {
    // Stamps mark nodes per run instead of allocating visited sets; constrained visits are rarer.
    if (constraints.length === 0) {
      if (node.stamp === state.run) return;
      node.stamp = state.run;
    } else {
      const key = `${node.id}|${constraints.join(',')}`;
      state.visited ??= new Set();
      if (state.visited.has(key)) return;
      state.visited.add(key);
    }
    if (node.rules.size > 0) {
      for (const id of node.rules.keys()) {
        // A rule's $or branches can end at several nodes: report it once. Lists stay short, until not.
        if (state.found.length < 16) {
          if (!state.found.includes(id)) state.found.push(id);
        } else {
          state.foundSet ??= new Set(state.found);
          if (!state.foundSet.has(id)) {
            state.foundSet.add(id);
            state.found.push(id);
          }
        }
      }
    }
    if (node.fields.size === 0) return;
    const fields = state.fields;
    if (node.fields.size <= fields.size) {
      for (const [path, index] of node.fields) this.step(index, fields.get(path), constraints, state);
    } else {
      for (const [path, leaves] of fields) {
        const index = node.fields.get(path);
        if (index !== undefined) this.step(index, leaves, constraints, state);
      }
      for (const index of node.absenceFields) {
        if (!fields.has(index.path)) this.step(index, undefined, constraints, state);
      }
    }
  }

  /** Follows every edge of one field that the event's values (or their absence) satisfy. */
  private step(
    index: FieldIndex<Id>,
    leaves: Leaf[] | undefined,
    constraints: Constraints,
    state: MatchRun<Id>,
  ): void {
    let present = false;
    if (leaves !== undefined) {
      for (const leaf of leaves) {
        const trail = leaf.trail;
        if (trail !== null && constraints.length > 0 && !isConsistent(trail, constraints)) continue;
        present = true;
        const next = trail === null ? constraints : extend(constraints, trail);
        // Edge stamps dedupe within one leaf; a leaf that brings or meets array constraints gets a
        // fresh sub-run, so another array element can follow the same edge under other constraints.
        const leafRun = trail === null && constraints.length === 0 ? state.run : -++this.run;
        const edges: Edge<Id>[] = [];
        index.collectAccepting(leaf, leafRun, edges);
        for (const edge of edges) this.visit(edge.target, next, state);
      }
    }
    // exists:false holds when no value is present that fits the constraints picked up so far; like
    // event-ruler, this depends on which fields (in path order) were matched before it.
    if (!present) for (const edge of index.absenceEdges) this.visit(edge.target, constraints, state);
  }
}

interface MatchRun<Id> {
  readonly fields: Map<string, Leaf[]>;
  readonly run: number;
  /** Matched rule ids, in the order found; few per event, so a list beats a set. */
  readonly found: Id[];
  foundSet: Set<Id> | null;
  /** (node, constraints) pairs already visited, for constrained visits only. */
  visited: Set<string> | null;
}
