/**
 * Property tests: random patterns and events never make the engine throw anything but its validation
 * errors, and the compiled rule machine always agrees with the naive one-rule-at-a-time matcher.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createRuleMatcher,
  InvalidEventError,
  InvalidPatternError,
  parsePattern,
  type JsonObject,
  type JsonValue,
} from '../src/index.js';
import { referenceMatch } from './support/reference-match.js';

const keys = fc.constantFrom('a', 'b', 'c', 'a.b', 'detail');
const strings = fc.constantFrom(
  'x',
  'y',
  'X',
  'xy',
  'yx',
  '',
  'ab*c',
  '10.0.0.1',
  '::1',
  'straße',
  'STRASSE',
);
const numbers = fc.constantFrom(0, -0, 1, 1.5, 100, 300, 1e21, -7, 0.1);
const scalar: fc.Arbitrary<JsonValue> = fc.oneof(strings, numbers, fc.constant(null), fc.boolean());

const eventValue: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(keys, tie('value'), { maxKeys: 3 }),
  ),
})).value;
const event = fc.dictionary(keys, eventValue, { minKeys: 2, maxKeys: 5 }) as fc.Arbitrary<JsonObject>;

const operator: fc.Arbitrary<JsonValue> = fc.oneof(
  scalar,
  strings.map((s) => ({ prefix: s })),
  strings.map((s) => ({ suffix: s })),
  strings.map((s) => ({ 'equals-ignore-case': s })),
  strings.map((s) => ({ prefix: { 'equals-ignore-case': s } })),
  fc.constantFrom('x*', '*y', 'x*y', '*', '').map((w) => ({ wildcard: w })),
  fc.oneof(strings, numbers).map((v) => ({ 'anything-but': v })),
  fc.array(strings, { minLength: 1, maxLength: 2 }).map((v) => ({ 'anything-but': v })),
  fc.constantFrom('x', 'a').map((p) => ({ 'anything-but': { prefix: p } })),
  fc.constantFrom('x', 'y').map((p) => ({ 'anything-but': { 'equals-ignore-case': p } })),
  fc
    .constantFrom<JsonValue[]>(['>', 0], ['<', 100], ['>=', 1, '<', 300], ['=', 1.5])
    .map((n) => ({ numeric: [...n] })),
  fc.boolean().map((b) => ({ exists: b })),
  fc.constantFrom('10.0.0.0/8', '::/1').map((c) => ({ cidr: c })),
);

const pattern: fc.Arbitrary<JsonObject> = fc.letrec<{ object: JsonObject }>((tie) => ({
  object: fc
    .tuple(
      fc.dictionary(
        keys,
        fc.oneof(
          { depthSize: 'small' },
          fc.array(operator, { minLength: 1, maxLength: 3 }) as fc.Arbitrary<JsonValue>,
          tie('object') as fc.Arbitrary<JsonValue>,
        ),
        { minKeys: 1, maxKeys: 3 },
      ),
      // One object in five carries an $or: enough to exercise expansion without exploding sizes.
      fc.oneof(
        { arbitrary: fc.constant(null), weight: 4 },
        { arbitrary: fc.array(tie('object'), { minLength: 2, maxLength: 3 }), weight: 1 },
      ),
    )
    .map(([fields, or]) => (or === null ? fields : { ...fields, $or: or })),
})).object;

/** Raw JSON-ish text: valid JSON values, truncated ones, and random characters. */
const jsonish = fc.oneof(
  fc.json({ depthSize: 'small' }),
  fc.json().map((s) => s.slice(0, Math.floor(s.length / 2))),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom('{', '{"a":', '{"a":[1,', '{"a":[0001]}', '{"a":["\\u12"]}', '{"a":[-]}', '{"a":[1e]}'),
);

describe('parsePattern on random input', () => {
  it('returns a pattern or throws InvalidPatternError, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(jsonish, fc.json({ depthSize: 'medium' })), (text) => {
        try {
          parsePattern(text);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidPatternError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts or rejects random pattern-shaped objects the same way as their JSON text', () => {
    fc.assert(
      fc.property(pattern, (p) => {
        const fromObject = attempt(() => parsePattern(p, { maxLength: 4096 }).subRules.length);
        const fromText = attempt(() => parsePattern(JSON.stringify(p), { maxLength: 4096 }).subRules.length);
        expect(fromText).toEqual(fromObject);
      }),
      { numRuns: 500 },
    );
  });
});

describe('matching random events', () => {
  it('a malformed or non-object event throws InvalidEventError, nothing else', () => {
    const matcher = createRuleMatcher<string>();
    matcher.add('r', { a: [{ exists: true }], b: { c: ['x'] } });
    fc.assert(
      fc.property(jsonish, (text) => {
        try {
          matcher.match(text);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidEventError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('one rule: the machine agrees with the naive matcher, on JSON text and on objects', () => {
    let matched = 0;
    let valid = 0;
    fc.assert(
      fc.property(pattern, event, (p, e) => {
        let compiled;
        try {
          compiled = parsePattern(p, { maxLength: 4096 });
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidPatternError);
          return;
        }
        const matcher = createRuleMatcher<string>({ maxLength: 4096 });
        matcher.add('r', compiled);
        const expected = referenceMatch(compiled, e) ? ['r'] : [];
        expect(matcher.match(e)).toEqual(expected);
        expect(matcher.match(JSON.stringify(e))).toEqual(expected);
        valid++;
        matched += expected.length;
      }),
      { numRuns: 5000 },
    );
    // Guard against a vacuous property: the generators must produce real matches and misses.
    expect(matched).toBeGreaterThan(valid * 0.02);
    expect(matched).toBeLessThan(valid * 0.95);
  }, 60_000);

  it('many rules added and removed: the machine reports exactly the rules the naive matcher does', () => {
    fc.assert(
      fc.property(
        fc.array(pattern, { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(11), { maxLength: 6 }),
        fc.array(event, { minLength: 1, maxLength: 5 }),
        (patterns, removals, events) => {
          const matcher = createRuleMatcher<number>({ maxLength: 4096 });
          const live = new Map<number, ReturnType<typeof parsePattern>>();
          patterns.forEach((p, id) => {
            try {
              const compiled = parsePattern(p, { maxLength: 4096 });
              matcher.add(id, compiled);
              live.set(id, compiled);
            } catch (error) {
              expect(error).toBeInstanceOf(InvalidPatternError);
            }
          });
          for (const id of removals) {
            expect(matcher.remove(id)).toBe(live.delete(id));
          }
          expect(matcher.size).toBe(live.size);
          for (const e of events) {
            const expected = [...live].filter(([, p]) => referenceMatch(p, e)).map(([id]) => id);
            expect(matcher.match(e).sort((a, b) => a - b)).toEqual(expected);
          }
        },
      ),
      { numRuns: 1000 },
    );
  }, 60_000);
});

function attempt<T>(fn: () => T): T | string {
  try {
    return fn();
  } catch (error) {
    return error instanceof InvalidPatternError ? `invalid: ${error.reason}` : `other: ${String(error)}`;
  }
}
