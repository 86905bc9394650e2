/**
 * The JSONPath subset EventBridge evaluates for a target's InputPath and for the values of an
 * InputTransformer's InputPathsMap: `$`, dot notation (`$.detail.instance-id`, `$.detail-type`),
 * array indices (`$.resources[0]`), the `*` wildcard (`$.detail.items[*].id`, `$.detail.*`) and simple
 * bracketed keys (`$['detail-type']`). AWS documents only this subset and evaluates paths when an event
 * is delivered, not when the target is created; filters, slices, unions and deep scan (`..`) are not
 * part of it, and a path using them selects nothing here.
 */
import type { JsonObject, JsonValue } from './json.js';

/** One step of a parsed path. */
export type JsonPathStep =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' };

/**
 * Parses a path into steps, or returns undefined when it is outside the supported subset. `$` alone
 * gives no steps (the whole event).
 */
export function parseJsonPath(path: string): JsonPathStep[] | undefined {
  if (typeof path !== 'string' || path.charCodeAt(0) !== DOLLAR) return undefined;
  const steps: JsonPathStep[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path.charCodeAt(i);
    if (c === DOT) {
      i++;
      let end = i;
      while (end < path.length && isDotKeyChar(path.charCodeAt(end))) end++;
      const name = path.slice(i, end);
      // A dot step ends at the next `.` or `[`; anything else (an empty name from `..`, a quote,
      // whitespace) is not in the subset.
      if (name === '' || (end < path.length && !isStepStart(path.charCodeAt(end)))) return undefined;
      steps.push(name === '*' ? { kind: 'wildcard' } : { kind: 'key', key: name });
      i = end;
    } else if (c === OPEN_BRACKET) {
      const parsed = parseBracket(path, i + 1);
      if (parsed === undefined) return undefined;
      steps.push(parsed.step);
      i = parsed.end;
    } else {
      return undefined;
    }
  }
  return steps;
}

/** True when `path` is in the JSONPath subset this module evaluates. */
export function isValidJsonPath(path: string): boolean {
  return parseJsonPath(path) !== undefined;
}

/** True when the path can select more than one value (it contains a wildcard). */
export function isIndefiniteJsonPath(path: string): boolean {
  return parseJsonPath(path)?.some((step) => step.kind === 'wildcard') ?? false;
}

/**
 * Selects the value at `path` in a parsed event. Returns undefined when the path is missing from the
 * event or is not a supported path. A path with a wildcard returns the array of every value it reaches,
 * in document order (empty when it reaches none), as Java JSONPath implementations do for indefinite
 * paths.
 */
export function selectPath(root: JsonValue, path: string): JsonValue | undefined {
  const steps = parseJsonPath(path);
  if (steps === undefined) return undefined;
  if (!steps.some((step) => step.kind === 'wildcard')) {
    let current: JsonValue | undefined = root;
    for (const step of steps) {
      if (current === undefined) return undefined;
      current = child(current, step);
    }
    return current;
  }
  // Breadth-first over the steps: each step maps the current set of values to the next one, so a
  // wildcard fans out and a missing member simply drops that branch.
  let current: JsonValue[] = [root];
  for (const step of steps) {
    const next: JsonValue[] = [];
    for (const value of current) {
      if (step.kind === 'wildcard') {
        if (Array.isArray(value)) next.push(...value);
        else if (isObject(value)) for (const key of Object.keys(value)) next.push(value[key] as JsonValue);
      } else {
        const found = child(value, step);
        if (found !== undefined) next.push(found);
      }
    }
    current = next;
  }
  return current;
}

function child(value: JsonValue, step: JsonPathStep): JsonValue | undefined {
  if (step.kind === 'key') {
    // Own properties only: a path like `$.constructor` must not reach Object.prototype.
    return isObject(value) && Object.hasOwn(value, step.key) ? value[step.key] : undefined;
  }
  if (step.kind === 'index') return Array.isArray(value) ? value[step.index] : undefined;
  return undefined;
}

function isObject(value: JsonValue): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses what follows a `[`: a non-negative index, `*`, or a key in single or double quotes. */
function parseBracket(path: string, start: number): { step: JsonPathStep; end: number } | undefined {
  const c = path.charCodeAt(start);
  if (c === STAR) {
    return path.charCodeAt(start + 1) === CLOSE_BRACKET
      ? { step: { kind: 'wildcard' }, end: start + 2 }
      : undefined;
  }
  if (c >= ZERO && c <= NINE) {
    let end = start;
    while (end < path.length && path.charCodeAt(end) >= ZERO && path.charCodeAt(end) <= NINE) end++;
    if (path.charCodeAt(end) !== CLOSE_BRACKET) return undefined;
    const index = Number(path.slice(start, end));
    if (!Number.isSafeInteger(index)) return undefined;
    return { step: { kind: 'index', index }, end: end + 1 };
  }
  if (c === SINGLE_QUOTE || c === DOUBLE_QUOTE) {
    // No escape sequences: a quoted key runs to the next quote of the same kind.
    const close = path.indexOf(path[start] as string, start + 1);
    if (close < 0 || path.charCodeAt(close + 1) !== CLOSE_BRACKET) return undefined;
    const key = path.slice(start + 1, close);
    if (key.includes('\\')) return undefined;
    return { step: { kind: 'key', key }, end: close + 2 };
  }
  return undefined;
}

/**
 * Characters a dot-notation key may contain. AWS lists letters, digits, dashes, underscores and
 * forward slashes; other printable characters are accepted too (colons appear in AWS keys such as
 * `aws:cloudformation:stack-name`), but not the characters that delimit steps or quote keys.
 */
function isDotKeyChar(c: number): boolean {
  return (
    c > SPACE &&
    c !== DOT &&
    c !== OPEN_BRACKET &&
    c !== CLOSE_BRACKET &&
    c !== SINGLE_QUOTE &&
    c !== DOUBLE_QUOTE &&
    c !== BACKSLASH &&
    c !== DELETE
  );
}

function isStepStart(c: number): boolean {
  return c === DOT || c === OPEN_BRACKET;
}

const SPACE = 32;
const DOUBLE_QUOTE = 34;
const DOLLAR = 36;
const SINGLE_QUOTE = 39;
const STAR = 42;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const DELETE = 127;
