/**
 * Turning an event into what the rule machine reads: for each dotted path that some rule names, the
 * list of leaf values found there. Arrays add no path segment (event arrays are "crushed" as in
 * event-ruler); each leaf remembers which array elements it came from, so a rule can refuse to combine
 * fields from different elements of the same array (event-ruler's array consistency).
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

/** Which paths to collect: the paths rules name, and every dotted prefix of them (to know where to descend). */
export interface PathFilter {
  readonly leaves: ReadonlyMap<string, unknown>;
  readonly prefixes: ReadonlyMap<string, unknown>;
}

/** Collector shared by the text and value walkers. */
class Collector {
  readonly fields: EventFields = new Map();
  /** Per array id: the first path that had a leaf in it, or '' once two paths did. */
  private readonly arrayPaths: Array<string | undefined> = [];
  private arrays = 0;

  constructor(readonly filter: PathFilter) {}

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

/** Reads an event given as JSON text. Throws InvalidEventError for anything but a JSON object. */
export function readEventText(text: string, filter: PathFilter): EventFields {
  const cursor = new JsonCursor(text);
  const collector = new Collector(filter);
  try {
    if (cursor.peek() !== 123 /* { */) {
      if (Number.isNaN(cursor.peek())) throw new InvalidEventError('Event must be a JSON object');
      cursor.skipValue();
      throw new InvalidEventError('Event must be a JSON object');
    }
    walkObject(cursor, collector, '', null);
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

function walkObject(cursor: JsonCursor, collector: Collector, prefix: string, trail: number[] | null): void {
  cursor.enter();
  cursor.pos++; // {
  if (cursor.peek() === 125 /* } */) {
    cursor.pos++;
    cursor.leave();
    return;
  }
  const { leaves, prefixes } = collector.filter;
  for (;;) {
    if (cursor.peek() !== 34)
      cursor.unexpected(cursor.peek(), 'was expecting double-quote to start field name');
    const key = cursor.readString();
    cursor.expectColon();
    const path = prefix === '' ? key : prefix + '.' + key;
    const isLeaf = leaves.has(path);
    if (isLeaf || prefixes.has(path)) walkValue(cursor, collector, path, trail, isLeaf);
    else cursor.skipValue();
    if (cursor.endOfMember(125, 'Object')) break;
  }
  cursor.leave();
}

function walkValue(
  cursor: JsonCursor,
  collector: Collector,
  path: string,
  trail: number[] | null,
  isLeaf: boolean,
): void {
  const c = cursor.peek();
  if (c === 123 /* { */) {
    if (collector.filter.prefixes.has(path)) walkObject(cursor, collector, path, trail);
    else cursor.skipValue(); // an object where rules want a leaf: it has none
  } else if (c === 91 /* [ */) {
    cursor.enter();
    cursor.pos++;
    if (cursor.peek() === 93) cursor.pos++;
    else {
      const id = collector.newArray();
      for (let index = 0; ; index++) {
        const elementTrail = trail === null ? [id, index] : [...trail, id, index];
        walkValue(cursor, collector, path, elementTrail, isLeaf);
        if (cursor.endOfMember(93, 'Array')) break;
      }
    }
    cursor.leave();
  } else if (!isLeaf) {
    cursor.skipValue(); // a scalar where rules only name deeper paths
  } else if (c === 34) {
    collector.add(path, LeafType.String, cursor.readString(), trail);
  } else if (c === 45 || (c >= 48 && c <= 57)) {
    collector.add(path, LeafType.Number, cursor.readNumberText(), trail);
  } else if (Number.isNaN(c)) {
    cursor.fail('Unexpected end-of-input: expected a value');
  } else {
    collector.add(path, LeafType.Literal, cursor.readLiteral(), trail);
  }
}

/** Reads an event given as a parsed JS object (numbers take their shortest text). */
export function readEventValue(event: JsonObject, filter: PathFilter): EventFields {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new InvalidEventError('Event must be a JSON object');
  }
  const collector = new Collector(filter);
  walkJsObject(event, collector, '', null, 0);
  return collector.finish();
}

function walkJsObject(
  obj: object,
  collector: Collector,
  prefix: string,
  trail: number[] | null,
  depth: number,
): void {
  if (depth > MAX_JSON_DEPTH) throw new InvalidEventError(`Event nesting exceeds ${MAX_JSON_DEPTH} levels`);
  const { leaves, prefixes } = collector.filter;
  for (const [key, value] of Object.entries(obj)) {
    const path = prefix === '' ? key : prefix + '.' + key;
    const isLeaf = leaves.has(path);
    if (isLeaf || prefixes.has(path)) walkJsValue(value, collector, path, trail, isLeaf, depth + 1);
  }
}

function walkJsValue(
  value: unknown,
  collector: Collector,
  path: string,
  trail: number[] | null,
  isLeaf: boolean,
  depth: number,
): void {
  if (depth > MAX_JSON_DEPTH) throw new InvalidEventError(`Event nesting exceeds ${MAX_JSON_DEPTH} levels`);
  if (Array.isArray(value)) {
    if (value.length === 0) return;
    const id = collector.newArray();
    value.forEach((element, index) => {
      walkJsValue(
        element,
        collector,
        path,
        trail === null ? [id, index] : [...trail, id, index],
        isLeaf,
        depth + 1,
      );
    });
  } else if (value !== null && typeof value === 'object') {
    walkJsObject(value, collector, path, trail, depth);
  } else if (!isLeaf || value === undefined) {
    return;
  } else if (typeof value === 'string') {
    collector.add(path, LeafType.String, value, trail);
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new InvalidEventError(`Event value at ${path} is not a JSON number: ${value}`);
    collector.add(path, LeafType.Number, String(value), trail);
  } else if (typeof value === 'boolean' || value === null) {
    collector.add(path, LeafType.Literal, String(value), trail);
  } else {
    throw new InvalidEventError(`Event value at ${path} is not JSON: a ${typeof value}`);
  }
}
