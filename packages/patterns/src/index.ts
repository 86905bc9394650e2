export * from './errors.js';
export type { JsonValue, JsonObject } from './json.js';
export { parsePattern, type Pattern, type PatternOptions } from './pattern.js';
export { createRuleMatcher, matchesPattern, type RuleMatcher } from './machine.js';
export * from './target-input.js';
export { testEventPattern, TEST_EVENT_REQUIRED_FIELDS } from './test-event-pattern.js';
