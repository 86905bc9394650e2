import { InvalidEventError } from './errors.js';
import { parseJsonNodes, type JsonObject } from './json.js';
import { matchesPattern } from './machine.js';
import type { Pattern, PatternOptions } from './pattern.js';

/**
 * Fields TestEventPattern insists on, whatever the pattern looks at. Not `resources`: AWS accepted
 * 114 recorded test events without it (../shared/conformance/event-patterns.json).
 */
export const TEST_EVENT_REQUIRED_FIELDS = ['id', 'account', 'source', 'time', 'region', 'detail-type'];

/**
 * EventBridge's TestEventPattern: the event must be a JSON object carrying the envelope fields
 * (AWS answers `Parameter Event is not valid.` otherwise); then whether the pattern matches it.
 * Throws InvalidPatternError for a bad pattern and InvalidEventError for a bad event.
 */
export function testEventPattern(
  pattern: string | JsonObject | Pattern,
  event: string | JsonObject,
  options: PatternOptions = {},
): boolean {
  let keys: string[];
  if (typeof event === 'string') {
    let root;
    try {
      root = parseJsonNodes(event);
    } catch {
      throw new InvalidEventError('Parameter Event is not valid.');
    }
    keys = root.kind === 'object' ? root.members.map(([key]) => key) : [];
    if (root.kind !== 'object') throw new InvalidEventError('Parameter Event is not valid.');
  } else {
    keys = Object.keys(event);
  }
  if (!TEST_EVENT_REQUIRED_FIELDS.every((field) => keys.includes(field))) {
    throw new InvalidEventError('Parameter Event is not valid.');
  }
  return matchesPattern(pattern, event, options);
}
