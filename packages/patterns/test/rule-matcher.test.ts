/**
 * createRuleMatcher: many rules in one machine. Adding, replacing and removing rules; ids reported
 * once; JSON text and objects giving the same answers; and robustness on hostile events (deep
 * nesting, huge arrays, odd Unicode, numbers at the edges), which must produce an answer or an
 * InvalidEventError, never another exception, a crash or a hang.
 */
import { describe, expect, it } from 'vitest';
import {
  createRuleMatcher,
  InvalidEventError,
  InvalidPatternError,
  matchesPattern,
  parsePattern,
  type JsonObject,
  type RuleMatcher,
} from '../src/index.js';

function sorted<T>(ids: readonly T[]): T[] {
  return [...ids].sort();
}

/** Matches and asserts that the JSON text of an object event gives the same ids. */
function matchBoth(matcher: RuleMatcher, event: JsonObject): string[] {
  const fromObject = sorted(matcher.match(event));
  expect(sorted(matcher.match(JSON.stringify(event))), JSON.stringify(event)).toEqual(fromObject);
  return fromObject;
}

/** Runs `fn`; passes if it returns an array of ids or throws InvalidEventError, fails on anything else. */
function answerOrInvalidEvent<T>(fn: () => T[]): T[] | InvalidEventError {
  try {
    const result = fn();
    expect(Array.isArray(result)).toBe(true);
    return result;
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(InvalidEventError);
    return error as InvalidEventError;
  }
}

describe('adding, replacing and removing rules', () => {
  it('size and has follow add and remove', () => {
    const matcher = createRuleMatcher();
    expect(matcher.size).toBe(0);
    expect(matcher.has('a')).toBe(false);
    matcher.add('a', { source: ['s'] });
    matcher.add('b', { source: ['t'] });
    expect(matcher.size).toBe(2);
    expect(matcher.has('a')).toBe(true);
    expect(matcher.remove('a')).toBe(true);
    expect(matcher.has('a')).toBe(false);
    expect(matcher.size).toBe(1);
    expect(matcher.remove('a')).toBe(false);
    expect(matcher.remove('never-added')).toBe(false);
    expect(matcher.size).toBe(1);
  });

  it('an empty matcher matches nothing', () => {
    expect(createRuleMatcher().match({ source: 's' })).toEqual([]);
  });

  it('a removed rule never matches again', () => {
    const matcher = createRuleMatcher();
    matcher.add('a', { source: ['s'] });
    expect(matcher.match({ source: 's' })).toEqual(['a']);
    matcher.remove('a');
    expect(matcher.match({ source: 's' })).toEqual([]);
    expect(matcher.match('{"source":"s"}')).toEqual([]);
  });

  it('a removed rule with $or, operators and exists:false never matches again', () => {
    const matcher = createRuleMatcher();
    matcher.add('a', {
      $or: [{ source: [{ prefix: 's' }] }, { detail: { n: [{ numeric: ['>', 1] }] } }],
      gone: [{ exists: false }],
    });
    expect(matcher.match({ source: 'sx' })).toEqual(['a']);
    matcher.remove('a');
    for (const event of [{ source: 'sx' }, { detail: { n: 5 } }, {}]) {
      expect(matcher.match(event)).toEqual([]);
    }
  });

  it('a rule can be added again after removal', () => {
    const matcher = createRuleMatcher();
    matcher.add('a', { source: ['s'] });
    matcher.remove('a');
    matcher.add('a', { source: ['s'] });
    expect(matcher.match({ source: 's' })).toEqual(['a']);
    expect(matcher.size).toBe(1);
  });

  it('adding under an existing id replaces the pattern: the old one stops matching', () => {
    const matcher = createRuleMatcher();
    matcher.add('a', { source: ['old'] });
    matcher.add('a', { source: ['new'] });
    expect(matcher.size).toBe(1);
    expect(matcher.match({ source: 'old' })).toEqual([]);
    expect(matcher.match({ source: 'new' })).toEqual(['a']);
  });

  it('replacing with the same pattern keeps the rule working', () => {
    const matcher = createRuleMatcher();
    matcher.add('a', { source: ['s'] });
    matcher.add('a', { source: ['s'] });
    expect(matcher.size).toBe(1);
    expect(matcher.match({ source: 's' })).toEqual(['a']);
    matcher.remove('a');
    expect(matcher.match({ source: 's' })).toEqual([]);
  });

  it('replacing one of two rules sharing conditions leaves the other unchanged', () => {
    const matcher = createRuleMatcher();
    matcher.add('a', { source: ['s'], type: ['x'] });
    matcher.add('b', { source: ['s'], type: ['x'] });
    matcher.add('a', { source: ['s'], type: ['y'] });
    expect(matcher.match({ source: 's', type: 'x' })).toEqual(['b']);
    expect(matcher.match({ source: 's', type: 'y' })).toEqual(['a']);
  });

  it('removing one of two rules sharing conditions leaves the other working', () => {
    const matcher = createRuleMatcher();
    matcher.add('short', { source: ['s'] });
    matcher.add('long', { source: ['s'], type: ['x'] });
    matcher.add('sibling', { source: ['s'], type: ['y'] });
    matcher.remove('short');
    expect(matcher.match({ source: 's', type: 'x' })).toEqual(['long']);
    matcher.remove('long');
    expect(matcher.match({ source: 's', type: 'x' })).toEqual([]);
    expect(matcher.match({ source: 's', type: 'y' })).toEqual(['sibling']);
  });

  it('removing a rule whose pattern is identical to another keeps the other', () => {
    const matcher = createRuleMatcher();
    const pattern = { source: [{ prefix: 'a' }], n: [{ numeric: ['>', 0] }], x: [{ exists: false }] };
    matcher.add('one', pattern);
    matcher.add('two', pattern);
    matcher.remove('one');
    expect(matcher.match({ source: 'ab', n: 1 })).toEqual(['two']);
  });

  it('a rejected replacement leaves the previous pattern in force', () => {
    const matcher = createRuleMatcher();
    matcher.add('a', { source: ['s'] });
    expect(() => matcher.add('a', '{"source": []}')).toThrow(InvalidPatternError);
    expect(matcher.size).toBe(1);
    expect(matcher.match({ source: 's' })).toEqual(['a']);
  });

  it('a rejected new rule is not added', () => {
    const matcher = createRuleMatcher();
    expect(() => matcher.add('a', '{"source": "s"}')).toThrow(InvalidPatternError);
    expect(matcher.size).toBe(0);
    expect(matcher.has('a')).toBe(false);
  });

  it('accepts patterns as JSON text, objects or parsed Patterns', () => {
    const matcher = createRuleMatcher();
    matcher.add('text', '{"source":["s"]}');
    matcher.add('object', { source: ['s'] });
    matcher.add('parsed', parsePattern('{"source":["s"]}'));
    expect(sorted(matcher.match({ source: 's' }))).toEqual(['object', 'parsed', 'text']);
  });

  it('ids may be of any type', () => {
    const matcher = createRuleMatcher<number>();
    matcher.add(1, { a: ['x'] });
    matcher.add(2, { a: ['y'] });
    expect(matcher.match({ a: 'y' })).toEqual([2]);
    const objectIds = createRuleMatcher<{ name: string }>();
    const id = { name: 'r' };
    objectIds.add(id, { a: ['x'] });
    expect(objectIds.match({ a: 'x' })[0]).toBe(id);
  });
});

describe('reporting matches', () => {
  it('rules with identical patterns under different ids are all reported', () => {
    const matcher = createRuleMatcher();
    for (const id of ['a', 'b', 'c']) matcher.add(id, { source: ['s'], n: [{ numeric: ['>', 0] }] });
    expect(matchBoth(matcher, { source: 's', n: 1 })).toEqual(['a', 'b', 'c']);
  });

  it('each id is reported once when several $or branches match', () => {
    const matcher = createRuleMatcher();
    matcher.add('r', { $or: [{ a: ['1'] }, { b: ['2'] }, { c: [{ exists: true }] }] });
    expect(matchBoth(matcher, { a: '1', b: '2', c: 3 })).toEqual(['r']);
  });

  it('each id is reported once when several array elements match', () => {
    const matcher = createRuleMatcher();
    matcher.add('r', { items: { sku: [{ prefix: 'a' }] } });
    expect(matchBoth(matcher, { items: [{ sku: 'a1' }, { sku: 'a2' }, { sku: 'a3' }] })).toEqual(['r']);
  });

  it('each id is reported once when several alternatives of one field match', () => {
    const matcher = createRuleMatcher();
    matcher.add('r', { v: ['abc', { prefix: 'a' }, { suffix: 'c' }, { wildcard: '*b*' }, { exists: true }] });
    expect(matchBoth(matcher, { v: 'abc' })).toEqual(['r']);
  });

  it('each id is reported once with nested $or expanding to many sub-rules', () => {
    const matcher = createRuleMatcher();
    matcher.add('r', {
      $or: [{ a: ['1'] }, { a: [{ prefix: '1' }] }],
      detail: { $or: [{ b: ['2'] }, { b: [{ numeric: ['=', 2] }] }, { c: [{ exists: false }] }] },
    });
    expect(matchBoth(matcher, { a: '1', detail: { b: 2 } })).toEqual(['r']);
  });

  it('reports exactly the matching rules among many', () => {
    const matcher = createRuleMatcher();
    for (let i = 0; i < 500; i++) {
      matcher.add(`exact-${i}`, { source: [`svc.${i}`] });
      matcher.add(`prefix-${i}`, { source: [{ prefix: `svc.${i}` }] });
      matcher.add(`num-${i}`, { detail: { n: [{ numeric: ['>=', i] }] } });
    }
    const ids = matchBoth(matcher, { source: 'svc.12', detail: { n: 3 } });
    expect(ids).toEqual(sorted(['exact-12', 'prefix-1', 'prefix-12', 'num-0', 'num-1', 'num-2', 'num-3']));
  });

  it('a machine with many mixed rules answers like each pattern on its own', () => {
    const patterns: Record<string, JsonObject> = {
      exact: { source: ['shop'] },
      number: { detail: { total: [12.5] } },
      nullValue: { detail: { coupon: [null] } },
      prefix: { 'detail-type': [{ prefix: 'Order' }] },
      suffix: { 'detail-type': [{ suffix: 'Placed' }] },
      ignoreCase: { 'detail-type': [{ 'equals-ignore-case': 'order placed' }] },
      prefixIgnoreCase: { 'detail-type': [{ prefix: { 'equals-ignore-case': 'ORDER' } }] },
      anythingBut: { source: [{ 'anything-but': ['other', 'shop2'] }] },
      anythingButPrefix: { source: [{ 'anything-but': { prefix: 'sh' } }] },
      anythingButNumber: { detail: { total: [{ 'anything-but': 12.5 }] } },
      numeric: { detail: { total: [{ numeric: ['>', 10, '<=', 20] }] } },
      exists: { detail: { customer: { id: [{ exists: true }] } } },
      notExists: { detail: { refund: [{ exists: false }] } },
      cidr: { detail: { ip: [{ cidr: '10.0.0.0/8' }] } },
      wildcard: { resources: [{ wildcard: 'arn:*:order/*' }] },
      arrays: { detail: { items: { sku: ['b'], qty: [2] } } },
      arraysInconsistent: { detail: { items: { sku: ['a'], qty: [2] } } },
      or: { $or: [{ source: ['nope'] }, { detail: { tags: ['gift'] } }] },
      nested: { detail: { customer: { tier: ['gold'] } }, source: ['shop'] },
      miss: { source: ['shop'], detail: { total: [13] } },
    };
    const events: JsonObject[] = [
      {
        source: 'shop',
        'detail-type': 'Order Placed',
        resources: ['arn:aws:shop:us-east-1:1:order/1'],
        detail: {
          total: 12.5,
          coupon: null,
          ip: '10.1.2.3',
          items: [
            { sku: 'a', qty: 1 },
            { sku: 'b', qty: 2 },
          ],
          tags: ['new', 'gift'],
          customer: { id: 'c-9', tier: 'gold' },
        },
      },
      { source: 'other', 'detail-type': 'order placed', detail: { total: '12.5', refund: 1 } },
      { source: 'warehouse', detail: { total: 20, ip: '11.0.0.1', items: [] } },
    ];
    const matcher = createRuleMatcher();
    for (const [id, pattern] of Object.entries(patterns)) matcher.add(id, pattern);
    for (const event of events) {
      const expected = Object.entries(patterns)
        .filter(([, pattern]) => matchesPattern(pattern, event))
        .map(([id]) => id);
      expect(matchBoth(matcher, event), JSON.stringify(event)).toEqual(sorted(expected));
    }
    // Spot-check the first event against the semantics, independent of matchesPattern.
    const first = matchBoth(matcher, events[0] as JsonObject);
    expect(first).toContain('arrays');
    expect(first).not.toContain('arraysInconsistent');
    expect(first).toContain('anythingBut');
    expect(first).not.toContain('anythingButPrefix');
    expect(first).not.toContain('anythingButNumber');
    expect(first).not.toContain('miss');
    expect(first).toContain('notExists');
  });

  it('rules with different operators on one field each answer by their own semantics', () => {
    const matcher = createRuleMatcher();
    const rules: Record<string, JsonObject> = {
      exact: { v: ['10.0.0.1'] },
      cidr: { v: [{ cidr: '10.0.0.0/8' }] },
      prefix: { v: [{ prefix: '10.' }] },
      suffix: { v: [{ suffix: '.1' }] },
      wildcard: { v: [{ wildcard: '10.*.1' }] },
      ignoreCase: { v: [{ 'equals-ignore-case': '10.0.0.1' }] },
      butExact: { v: [{ 'anything-but': '10.0.0.1' }] },
      butPrefix: { v: [{ 'anything-but': { prefix: '10.' } }] },
      numeric: { v: [{ numeric: ['>', 0] }] },
      number: { v: [5] },
      string5: { v: ['5'] },
      exists: { v: [{ exists: true }] },
      absent: { v: [{ exists: false }] },
    };
    for (const [id, pattern] of Object.entries(rules)) matcher.add(id, pattern);
    const cases: [JsonObject, string[]][] = [
      [{ v: '10.0.0.1' }, ['exact', 'cidr', 'prefix', 'suffix', 'wildcard', 'ignoreCase', 'exists']],
      [{ v: '10.0.0.2' }, ['cidr', 'prefix', 'butExact', 'exists']],
      [{ v: 5 }, ['butExact', 'butPrefix', 'numeric', 'number', 'exists']],
      [{ v: '5' }, ['butExact', 'butPrefix', 'string5', 'exists']],
      [{ v: null }, ['butExact', 'butPrefix', 'exists']],
      [{ v: '2001:db8::1' }, ['butExact', 'butPrefix', 'exists']],
      [{}, ['absent']],
      [{ v: [] }, ['absent']],
      [
        { v: ['10.0.0.1', 5] },
        [
          'exact',
          'cidr',
          'prefix',
          'suffix',
          'wildcard',
          'ignoreCase',
          'butExact',
          'butPrefix',
          'numeric',
          'number',
          'exists',
        ],
      ],
    ];
    for (const [event, expected] of cases) {
      expect(matchBoth(matcher, event), JSON.stringify(event)).toEqual(sorted(expected));
    }
  });

  it('JSON text and objects give the same answer for numbers spelled as integers', () => {
    const matcher = createRuleMatcher();
    matcher.add('r', { n: [300] });
    expect(matcher.match({ n: 300 })).toEqual(['r']);
    expect(matcher.match('{"n":300}')).toEqual(['r']);
    expect(matcher.match('{"n":300.0}')).toEqual(['r']);
  });
});

describe('invalid events', () => {
  const matcher = createRuleMatcher();
  matcher.add('r', { a: ['x'] });
  matcher.add('e', { b: [{ exists: false }] });

  it('JSON text that is not an object is an InvalidEventError', () => {
    for (const text of ['[]', '[{"a":"x"}]', '"x"', '42', 'null', 'true']) {
      expect(() => matcher.match(text), text).toThrow(InvalidEventError);
    }
  });

  it('malformed JSON text is an InvalidEventError', () => {
    for (const text of [
      '',
      ' ',
      '{',
      '{"a":',
      '{"a":"x"',
      '{"a":}',
      "{'a':'x'}",
      '{"a":"x",}',
      'x',
      '{"a":[1,]}',
    ]) {
      expect(() => matcher.match(text), JSON.stringify(text)).toThrow(InvalidEventError);
    }
  });

  it('a non-object JS value is an InvalidEventError', () => {
    for (const value of [null, undefined, 42, true, [], [{ a: 'x' }]]) {
      expect(() => matcher.match(value as unknown as JsonObject), String(value)).toThrow(InvalidEventError);
    }
  });

  it('values JSON cannot hold give an answer or an InvalidEventError, never another error', () => {
    const cyclic: Record<string, unknown> = { a: 'x' };
    cyclic.self = cyclic;
    for (const value of [
      { a: 'x', u: undefined },
      { a: 'x', n: Number.NaN },
      { a: 'x', n: Infinity },
      { a: 'x', f: () => 1 },
      { a: 'x', s: Symbol('s') },
      { a: 'x', big: BigInt(10) },
      { a: 'x', d: new Date(0) },
      { a: 'x', m: new Map([[1, 2]]) },
      cyclic,
    ]) {
      answerOrInvalidEvent(() => matcher.match(value as unknown as JsonObject));
    }
  });

  it('malformed JSON in a field no rule reads gives an answer or an InvalidEventError', () => {
    // The event walker skips unread values by structure alone (json.ts skipValueLenient), assuming
    // PutEvents validated the event; Ruler's Jackson parser would refuse these. Not an error type leak.
    for (const text of ['{"a":"x","v":[1,]}', '{"a":"x","v":tru}', '{"a":"x","v":01}', '{"a":"x","v":NaN}']) {
      answerOrInvalidEvent(() => matcher.match(text));
    }
  });

  it('trailing content after the object gives an answer or an InvalidEventError', () => {
    answerOrInvalidEvent(() => matcher.match('{"a":"x"} {"a":"y"}'));
    answerOrInvalidEvent(() => matcher.match('{"a":"x"} garbage'));
  });

  it('matchesPattern reports invalid events the same way', () => {
    expect(() => matchesPattern({ a: ['x'] }, '[1]')).toThrow(InvalidEventError);
    expect(() => matchesPattern({ a: ['x'] }, '{')).toThrow(InvalidEventError);
  });
});

describe('hostile events', () => {
  const matcher = createRuleMatcher();
  matcher.add('shallow', { top: ['x'] });
  matcher.add('deep', { a: { a: { a: ['leaf'] } } });
  matcher.add('absent', { missing: [{ exists: false }] });
  matcher.add('numeric', { xs: [{ numeric: ['>', 99_990] }] });
  matcher.add('exact', { xs: [50_000] });
  matcher.add('anythingBut', { xs: [{ 'anything-but': 0 }] });
  matcher.add('wild', { words: [{ wildcard: '*zz*z' }] });

  function nestedText(depth: number, leaf: string, key = 'a'): string {
    return `${`{"${key}":`.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
  }

  function nestedObject(depth: number, leaf: unknown): JsonObject {
    let value: unknown = leaf;
    for (let i = 0; i < depth; i++) value = { a: value };
    return value as JsonObject;
  }

  it('5,000 levels of objects as text: an answer or InvalidEventError, no crash', () => {
    answerOrInvalidEvent(() => matcher.match(nestedText(5000, '"leaf"')));
    answerOrInvalidEvent(() => matcher.match(`{"top":"x","deep":${nestedText(5000, '1')}}`));
  });

  it('5,000 levels of objects as a JS value: an answer or InvalidEventError, no crash', () => {
    answerOrInvalidEvent(() => matcher.match(nestedObject(5000, 'leaf')));
    answerOrInvalidEvent(() => matcher.match({ top: 'x', deep: nestedObject(5000, 1) }));
  });

  it('5,000 levels of arrays: an answer or InvalidEventError, no crash', () => {
    const text = `{"top":"x","xs":${'['.repeat(5000)}1${']'.repeat(5000)}}`;
    answerOrInvalidEvent(() => matcher.match(text));
    let value: unknown = 1;
    for (let i = 0; i < 5000; i++) value = [value];
    answerOrInvalidEvent(() => matcher.match({ top: 'x', xs: value } as JsonObject));
  });

  it('moderate nesting (50 levels) is matched normally', () => {
    const m = createRuleMatcher();
    m.add('r', nestedObject(50, ['leaf']));
    expect(m.match(nestedText(50, '"leaf"'))).toEqual(['r']);
    expect(m.match(nestedObject(50, 'leaf'))).toEqual(['r']);
    expect(m.match(nestedObject(50, 'other'))).toEqual([]);
  });

  it('100,000 numbers in one array are matched per element', () => {
    const xs = Array.from({ length: 100_000 }, (_, i) => i);
    const event = { xs };
    const ids = sorted(matcher.match(event));
    expect(ids).toEqual(['absent', 'anythingBut', 'exact', 'numeric']);
    expect(sorted(matcher.match(JSON.stringify(event)))).toEqual(ids);
  });

  it('100,000 zeros in one array fail anything-but 0 and numeric', () => {
    const ids = sorted(matcher.match({ xs: new Array<number>(100_000).fill(0) }));
    expect(ids).toEqual(['absent']);
  });

  it('100,000 strings in one array with a wildcard rule', () => {
    const words = Array.from({ length: 100_000 }, (_, i) => `w${i}zzzzzzzzzzzzzzzzzzzzzzzzzzzy`);
    expect(matcher.match({ words })).toEqual(['absent']);
    words[99_999] = 'zzz';
    expect(sorted(matcher.match({ words }))).toEqual(['absent', 'wild']);
  });

  it('100,000 objects in one array keep array consistency', () => {
    const m = createRuleMatcher();
    m.add('same', { items: { a: [77_777], b: ['b77777'] } });
    m.add('mixed', { items: { a: [77_777], b: ['b77778'] } });
    const items = Array.from({ length: 100_000 }, (_, i) => ({ a: i, b: `b${i}` }));
    expect(m.match({ items })).toEqual(['same']);
    expect(m.match(JSON.stringify({ items }))).toEqual(['same']);
  });
});

describe('odd Unicode', () => {
  it('surrogate pairs in keys and values match, as text and objects', () => {
    const matcher = createRuleMatcher();
    matcher.add('emoji', { '😀key': ['value 😀'] });
    matcher.add('prefix', { v: [{ prefix: '𝄞' }] });
    expect(matchBoth(matcher, { '😀key': 'value 😀' })).toEqual(['emoji']);
    expect(matchBoth(matcher, { v: '𝄞 clef' })).toEqual(['prefix']);
    expect(matcher.match(String.raw`{"\ud83d\ude00key":"value \ud83d\ude00"}`)).toEqual(['emoji']);
  });

  it('escaped \\u0000 in values and keys is an ordinary character', () => {
    const matcher = createRuleMatcher();
    matcher.add('nul', { v: ['a\u0000b'] });
    matcher.add('nulKey', { 'k\u0000': ['x'] });
    expect(matcher.match(String.raw`{"v":"a\u0000b"}`)).toEqual(['nul']);
    expect(matcher.match({ v: 'a\u0000b' })).toEqual(['nul']);
    expect(matcher.match({ v: 'ab' })).toEqual([]);
    expect(matcher.match(String.raw`{"k\u0000":"x"}`)).toEqual(['nulKey']);
    expect(matcher.match({ k: 'x' })).toEqual([]);
  });

  it('escaped and literal characters in JSON text are the same string', () => {
    const matcher = createRuleMatcher();
    matcher.add('r', { v: ['é"\\/\n\t'] });
    expect(matcher.match(String.raw`{"v":"\u00e9\"\\\/\n\t"}`)).toEqual(['r']);
  });

  it('lone surrogates give an answer or InvalidEventError', () => {
    const matcher = createRuleMatcher();
    matcher.add('r', { v: [{ prefix: 'a' }] });
    answerOrInvalidEvent(() => matcher.match(String.raw`{"v":"a\ud800"}`));
    answerOrInvalidEvent(() => matcher.match(String.raw`{"v":"\udc00a"}`));
    answerOrInvalidEvent(() => matcher.match({ v: 'a\ud800' }));
  });

  it('raw control characters inside JSON strings give an answer or InvalidEventError', () => {
    const matcher = createRuleMatcher();
    matcher.add('r', { v: [{ exists: true }] });
    answerOrInvalidEvent(() => matcher.match('{"v":"a\u0001b"}'));
  });
});

describe('numbers at the edges', () => {
  function ids(pattern: JsonObject | string, event: string | JsonObject): boolean {
    const matcher = createRuleMatcher();
    matcher.add('r', pattern);
    return matcher.match(event).length > 0;
  }

  it('1e308 is a number: it exists, equals itself and exceeds 1e307 [code: Ruler >= 1.8.0]', () => {
    expect(ids({ n: [{ exists: true }] }, '{"n":1e308}')).toBe(true);
    expect(ids('{"n":[1e308]}', '{"n":1e308}')).toBe(true);
    expect(ids({ n: [{ numeric: ['>', 1e307] }] }, '{"n":1e308}')).toBe(true);
    expect(ids({ n: [{ numeric: ['>', 1e307] }] }, { n: 1e308 })).toBe(true);
    expect(ids({ n: [{ numeric: ['<', 0] }] }, '{"n":1e308}')).toBe(false);
  });

  it('1e-320 (subnormal) is present and not equal to 0', () => {
    expect(ids({ n: [{ exists: true }] }, '{"n":1e-320}')).toBe(true);
    expect(ids({ n: [{ numeric: ['=', 0] }] }, '{"n":1e-320}')).toBe(false);
    expect(ids('{"n":[0]}', '{"n":1e-320}')).toBe(false);
    expect(ids('{"n":[1e-320]}', '{"n":1e-320}')).toBe(true);
  });

  it('-0 equals 0 as text and as an object', () => {
    expect(ids({ n: [{ numeric: ['=', 0] }] }, '{"n":-0}')).toBe(true);
    expect(ids({ n: [0] }, '{"n":-0.0}')).toBe(true);
    const matcher = createRuleMatcher();
    matcher.add('r', { n: [{ numeric: ['>=', 0, '<', 1] }] });
    expect(matcher.match({ n: -0 })).toEqual(['r']);
  });

  it('1e400 overflows a double: present, matched only by its text, never numerically [code]', () => {
    expect(ids({ n: [{ exists: true }] }, '{"n":1e400}')).toBe(true);
    expect(ids('{"n":[1e400]}', '{"n":1e400}')).toBe(true);
    expect(ids({ n: [{ numeric: ['>', 0] }] }, '{"n":1e400}')).toBe(false);
    expect(ids({ n: [{ numeric: ['>', 1e308] }] }, '{"n":-1e400}')).toBe(false);
    expect(ids({ n: [{ 'anything-but': 5 }] }, '{"n":1e400}')).toBe(true);
  });

  it('very long number texts give an answer', () => {
    const long = `1${'0'.repeat(5000)}`;
    answerOrInvalidEvent(() => {
      const matcher = createRuleMatcher();
      matcher.add('r', { n: [{ numeric: ['>', 0] }] });
      return matcher.match(`{"n":${long}}`);
    });
    answerOrInvalidEvent(() => {
      const matcher = createRuleMatcher();
      matcher.add('r', { n: [{ exists: true }] });
      return matcher.match(`{"n":0.${'0'.repeat(5000)}1}`);
    });
  });
});
