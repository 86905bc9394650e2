/**
 * Greedy shrinking of a JSON event on which two matchers disagree, so a count mismatch can be
 * reported as a small reproducible case (pattern + a few-field event) rather than a 900-byte record.
 */
import type { JsonObject, JsonValue } from '../packages/patterns/src/index.js';

type Path = readonly (string | number)[];

/**
 * Removes object members and array elements (halves of long arrays first) while `stillFails` holds,
 * until no single removal keeps it failing. `stillFails(event)` must be true for the input.
 */
export function shrinkEvent(
  event: JsonObject,
  stillFails: (candidate: JsonObject) => boolean,
  maxTries = 20_000,
): JsonObject {
  let current = event;
  let tries = 0;
  for (let progress = true; progress && tries < maxTries;) {
    progress = false;
    for (const candidate of removals(current)) {
      if (++tries > maxTries) break;
      if (stillFails(candidate)) {
        current = candidate;
        progress = true;
        break;
      }
    }
  }
  return current;
}

function* removals(root: JsonObject): Generator<JsonObject> {
  for (const [path, node] of containers(root, [])) {
    if (Array.isArray(node)) {
      if (node.length > 4) {
        const half = node.length >> 1;
        yield replaceAt(root, path, node.slice(half));
        yield replaceAt(root, path, node.slice(0, half));
      }
      for (let i = 0; i < node.length; i++)
        yield replaceAt(root, path, [...node.slice(0, i), ...node.slice(i + 1)]);
    } else {
      for (const key of Object.keys(node)) {
        const copy: JsonObject = { ...node };
        delete copy[key];
        yield replaceAt(root, path, copy);
      }
    }
  }
}

/** Every object and array in the tree with its path, outermost first. */
function* containers(node: JsonValue, path: Path): Generator<[Path, JsonObject | JsonValue[]]> {
  if (node === null || typeof node !== 'object') return;
  yield [path, node];
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) yield* containers(node[i] as JsonValue, [...path, i]);
  } else {
    for (const [key, value] of Object.entries(node)) yield* containers(value, [...path, key]);
  }
}

function replaceAt(root: JsonObject, path: Path, value: JsonValue): JsonObject {
  if (path.length === 0) return value as JsonObject;
  const [head, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = [...(root as JsonValue[])];
    copy[head as number] = replaceAt(copy[head as number] as JsonObject, rest, value);
    return copy as unknown as JsonObject;
  }
  return { ...root, [head as string]: replaceAt(root[head as string] as JsonObject, rest, value) };
}
