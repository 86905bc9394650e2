/**
 * Turning an event into what the rule machine reads: for each dotted path that some rule names, the
 * list of leaf values found there. Arrays add no path segment (event arrays are "crushed" as in
 * event-ruler); each leaf remembers which array elements it came from, so a rule can refuse to combine
 * fields from different elements of the same array (event-ruler's array consistency).
 *
 * The walker follows a trie of the paths rules name and skips everything else by structure alone, so
 * an event's cost is mostly the bytes of the fields that matter.
 */
import { InvalidEventError } from './errors.js';
import { JsonCursor, JsonSyntaxError, MAX_JSON_DEPTH, type JsonObject } from './json.js';
import { LeafType } from './pattern.js';

export interface Leaf {
  readonly type: LeafType;
  readonly text: string;
  /**
   * Array elements this value sits in, as pairs [arrayId, index, arrayId, index, ...]; null when the
   * value is in no array that another named field also goes through (no constraint can arise).
   */
  trail: number[] | null;
}

export type EventFields = Map<string, Leaf[]>;

/** One step of a named path: `detail` → `detail.state`. */
export class PathNode {
  readonly children = new Map<string, PathNode>();
  /** How many rule conditions go through or end at this node; the node goes when it drops to 0. */
  refs = 0;
  /** How many rule conditions name exactly this path. */
  leafRefs = 0;

  constructor(readonly path: string) {}
}

/** The paths rules name, as a trie of dot-separated segments, with reference counts. */
export class PathTrie {
  readonly root = new PathNode('');

  add(path: string, delta: 1 | -1): void {
    let node = this.root;
    const segments = path.split('.');
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      let child = node.children.get(segment);
      if (child === undefined) {
        if (delta < 0) return;
        child = new PathNode(segments.slice(0, i + 1).join('.'));
        node.children.set(segment, child);
      }
      child.refs += delta;
      if (i === segments.length - 1) child.leafRefs += delta;
      if (child.refs <= 0) node.children.delete(segment);
      node = child;
    }
  }
}

/** The node for an event key, which may itself contain dots (`{"a.b": 1}` is path `a.b`). */
function childFor(node: PathNode, key: string): PathNode | undefined {
  const child = node.children.get(key);
  if (child !== undefined || !key.includes('.')) return child;
  let at: PathNode | undefined = node;
  for (const segment of key.split('.')) {
    at = at.children.get(segment);
    if (at === undefined) return undefined;
  }
  return at;
}

/** Collector shared by the text and value walkers. */
class Collector {
  readonly fields: EventFields = new Map();
  /** Per array id: the first path that had a leaf in it, or '' once two paths did. */
  private readonly arrayPaths: Array<string | undefined> = [];
  private arrays = 0;

  newArray(): number {
    return this.arrays++;
  }

  add(path: string, type: LeafType, text: string, trail: number[] | null): void {
    if (trail !== null) {
      for (let i = 0; i < trail.length; i += 2) {
        const id = trail[i]!;
        const seen = this.arrayPaths[id];
        if (seen === undefined) this.arrayPaths[id] = path;
        else if (seen !== path) this.arrayPaths[id] = '';
      }
    }
    const leaf: Leaf = { type, text, trail };
    const list = this.fields.get(path);
    if (list === undefined) this.fields.set(path, [leaf]);
    else list.push(leaf);
  }

  /**
   * Drops trail entries for arrays whose leaves all sit at one path: one rule field takes one leaf,
   * so such an array can never make two fields disagree. Most events then carry no constraints at all.
   */
  finish(): EventFields {
    if (this.arrays === 0) return this.fields;
    for (const leaves of this.fields.values()) {
      for (const leaf of leaves) {
        const trail = leaf.trail;
        if (trail === null) continue;
        let kept: number[] | null = null;
        for (let i = 0; i < trail.length; i += 2) {
          if (this.arrayPaths[trail[i]!] === '') (kept ??= []).push(trail[i]!, trail[i + 1]!);
        }
        leaf.trail = kept;
      }
    }
    return this.fields;
  }
}

const NOT_AN_OBJECT = 'Event must be a JSON object';

/** Reads an event given as JSON text. Throws InvalidEventError for anything but a JSON object. */
export function readEventText(text: string, paths: PathTrie): EventFields {
  const cursor = new JsonCursor(text);
  const collector = new Collector();
  try {
    if (cursor.peek() !== 123 /* { */) throw new InvalidEventError(NOT_AN_OBJECT);
    walkObject(cursor, collector, paths.root, null);
    cursor.expectEnd();
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      throw new InvalidEventError(
        `Event is not valid JSON: ${error.message} (line ${error.line}, column ${error.column})`,
      );
    }
    throw error;
  }
  return collector.finish();
}

function walkObject(cursor: JsonCursor, collector: Collector, node: PathNode, trail: number[] | null): void {
  cursor.enter();
  cursor.pos++; // {
  if (cursor.peek() === 125 /* } */) {
    cursor.pos++;
    cursor.leave();
    return;
  }
  for (;;) {
    if (cursor.peek() !== 34)
      cursor.unexpected(cursor.peek(), 'was expecting double-quote to start field name');
    const key = cursor.readString();
    cursor.expectColon();
    const child = childFor(node, key);
    if (child !== undefined) walkValue(cursor, collector, child, trail);
    else {
      cursor.skipWhitespace();
      cursor.skipValueLenient();
    }
    if (cursor.endOfMember(125, 'Object')) break;
  }
  cursor.leave();
}

function walkValue(cursor: JsonCursor, collector: Collector, node: PathNode, trail: number[] | null): void {
  const c = cursor.peek();
  if (c === 123 /* { */) {
    if (node.children.size > 0) walkObject(cursor, collector, node, trail);
    else cursor.skipValueLenient(); // an object where rules want a leaf: it has none
  } else if (c === 91 /* [ */) {
    cursor.enter();
    cursor.pos++;
    if (cursor.peek() === 93) cursor.pos++;
    else {
      const id = collector.newArray();
      for (let index = 0; ; index++) {
        const elementTrail = trail === null ? [id, index] : [...trail, id, index];
        walkValue(cursor, collector, node, elementTrail);
        if (cursor.endOfMember(93, 'Array')) break;
      }
    }
    cursor.leave();
  } else if (node.leafRefs === 0) {
    cursor.skipValueLenient(); // a scalar where rules only name deeper paths
  } else if (c === 34) {
    collector.add(node.path, LeafType.String, cursor.readString(), trail);
  } else if (c === 45 || (c >= 48 && c <= 57)) {
    collector.add(node.path, LeafType.Number, cursor.readNumberText(), trail);
  } else if (Number.isNaN(c)) {
    cursor.fail('Unexpected end-of-input: expected a value');
  } else {
    collector.add(node.path, LeafType.Literal, cursor.readLiteral(), trail);
  }
}

/** Reads an event given as a parsed JS object (numbers take their shortest text). */
export function readEventValue(event: JsonObject, paths: PathTrie): EventFields {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new InvalidEventError(NOT_AN_OBJECT);
  }
  const collector = new Collector();
  walkJsObject(event, collector, paths.root, null, 0);
  return collector.finish();
}

function walkJsObject(
  obj: object,
  collector: Collector,
  node: PathNode,
  trail: number[] | null,
  depth: number,
): void {
  if (depth > MAX_JSON_DEPTH) throw new InvalidEventError(`Event nesting exceeds ${MAX_JSON_DEPTH} levels`);
  for (const key of Object.keys(obj)) {
    const child = childFor(node, key);
    if (child !== undefined) {
      walkJsValue((obj as Record<string, unknown>)[key], collector, child, trail, depth + 1);
    }
  }
}

function walkJsValue(
  value: unknown,
  collector: Collector,
  node: PathNode,
  trail: number[] | null,
  depth: number,
): void {
  if (depth > MAX_JSON_DEPTH) throw new InvalidEventError(`Event nesting exceeds ${MAX_JSON_DEPTH} levels`);
  if (Array.isArray(value)) {
    if (value.length === 0) return;
    const id = collector.newArray();
    for (let index = 0; index < value.length; index++) {
      const elementTrail = trail === null ? [id, index] : [...trail, id, index];
      walkJsValue(value[index], collector, node, elementTrail, depth + 1);
    }
  } else if (value !== null && typeof value === 'object') {
    if (node.children.size > 0) walkJsObject(value, collector, node, trail, depth);
  } else if (node.leafRefs === 0 || value === undefined) {
    return;
  } else if (typeof value === 'string') {
    collector.add(node.path, LeafType.String, value, trail);
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new InvalidEventError(`Event value at ${node.path} is not a JSON number: ${value}`);
    collector.add(node.path, LeafType.Number, String(value), trail);
  } else if (typeof value === 'boolean' || value === null) {
    collector.add(node.path, LeafType.Literal, String(value), trail);
  } else {
    throw new InvalidEventError(`Event value at ${node.path} is not JSON: a ${typeof value}`);
  }
}
