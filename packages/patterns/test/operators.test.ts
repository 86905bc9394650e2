/**
 * Per-operator semantics of EventBridge event patterns, written from the reference
 * (/work/shared/reference/event-patterns.md) rather than from the implementation. Labels in names and
 * comments follow the reference: [doc] user guide or Ruler README, [AWS] recorded against real
 * EventBridge, [code] read in event-ruler only (Busway follows Ruler there).
 *
 * Events given as objects are also tried as JSON text, and both answers must agree. Events whose number
 * spelling matters (300.0, 3.0e2, 12345678901234567) are given as JSON text only.
 */
import { describe, expect, it } from 'vitest';
import { matchesPattern, type JsonObject } from '../src/index.js';

type Event = string | JsonObject;
type PatternInput = string | JsonObject;

function show(value: PatternInput): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Whether the pattern matches; an object event must give the same answer as its JSON text. */
function m(pattern: PatternInput, event: Event): boolean {
  const direct = matchesPattern(pattern, event);
  if (typeof event !== 'string') {
    const viaText = matchesPattern(pattern, JSON.stringify(event));
    expect(viaText, `object and JSON text disagree on ${show(event)}`).toBe(direct);
  }
  return direct;
}

/** Asserts the pattern matches every event in `yes` and none in `no`. */
function check(pattern: PatternInput, yes: readonly Event[], no: readonly Event[]): void {
  for (const event of yes) {
    expect(m(pattern, event), `${show(pattern)} should match ${show(event)}`).toBe(true);
  }
  for (const event of no) {
    expect(m(pattern, event), `${show(pattern)} should not match ${show(event)}`).toBe(false);
  }
}

describe('exact values', () => {
  it('a string matches only the identical string: case, spaces and length count', () => {
    check(
      { state: ['running'] },
      [{ state: 'running' }],
      [
        { state: 'Running' },
        { state: 'running ' },
        { state: ' running' },
        { state: 'runnin' },
        { state: 'runningg' },
      ],
    );
  });

  it('strings are compared byte for byte, without Unicode normalisation [doc]', () => {
    check({ name: ['caf\u00e9'] }, [{ name: 'caf\u00e9' }], [{ name: 'cafe\u0301' }]);
  });

  it('an escaped character in JSON text equals the same character written directly', () => {
    check({ name: ['caf\u00e9'] }, [String.raw`{"name":"caf\u00e9"}`], []);
    check(String.raw`{"name":["caf\u00e9"]}`, [{ name: 'café' }], []);
  });

  it('a missing field never matches an exact value', () => {
    check({ state: ['running'] }, [], [{}, { other: 'running' }]);
  });

  it('field names are case-sensitive [doc][AWS: key_case_sensitive_NEG]', () => {
    check({ state: ['running'] }, [], [{ State: 'running' }, { STATE: 'running' }]);
  });

  it('fields the pattern does not name are ignored [doc]', () => {
    check({ source: ['shop'] }, [{ source: 'shop', extra: 1, more: { deep: [1, 2] } }], []);
  });

  it('every field the pattern names must match (AND across fields) [doc]', () => {
    const pattern = { source: ['shop'], 'detail-type': ['Order Placed'] };
    check(
      pattern,
      [{ source: 'shop', 'detail-type': 'Order Placed' }],
      [{ source: 'shop' }, { 'detail-type': 'Order Placed' }, { source: 'shop', 'detail-type': 'Other' }],
    );
  });

  it('the pattern nesting must be the event nesting', () => {
    check(
      { detail: { state: ['x'] } },
      [{ detail: { state: 'x' } }],
      [{ state: 'x' }, { detail: { inner: { state: 'x' } } }, { other: { state: 'x' } }],
    );
  });

  it('a leaf condition does not match a field whose value is an object', () => {
    check({ a: ['x'] }, [], [{ a: { b: 'x' } }, { a: {} }]);
  });

  it('an object condition does not match a field whose value is a scalar', () => {
    check({ a: { b: ['x'] } }, [], [{ a: 'x' }, { a: 'b' }]);
  });

  it('with duplicate keys in the pattern text, the last one wins [doc][AWS]', () => {
    check('{"a":["x"],"a":["y"]}', [{ a: 'y' }], [{ a: 'x' }]);
  });

  it('number 300 matches 300, 300.0, 3.0e2 and 3e2 by value [AWS: number_comparison_float, contradicts the guide]', () => {
    check(
      '{"n":[300]}',
      ['{"n":300}', '{"n":300.0}', '{"n":3.0e2}', '{"n":3e2}', '{"n":3E+2}', '{"n":300.000}'],
      ['{"n":301}', '{"n":299.99}', '{"n":30}', '{"n":3000}'],
    );
  });

  it('a number written 300.0 or 3.0e2 in the pattern matches the event number 300', () => {
    check('{"n":[300.0]}', ['{"n":300}', '{"n":3e2}'], ['{"n":301}']);
    check('{"n":[3.0e2]}', ['{"n":300}', '{"n":300.0}'], []);
  });

  it('fractional numbers match by value whatever their spelling', () => {
    check('{"n":[0.5]}', ['{"n":0.5}', '{"n":5e-1}', '{"n":0.50}', '{"n":50E-2}'], ['{"n":0.51}']);
  });

  it('negative numbers match by value', () => {
    check('{"n":[-12.5]}', ['{"n":-12.5}', '{"n":-1.25e1}'], ['{"n":12.5}', '{"n":-12.4}']);
  });

  it('-0 equals 0 as an exact number [code]', () => {
    check('{"n":[0]}', ['{"n":0}', '{"n":-0}', '{"n":-0.0}', '{"n":0.0}', '{"n":0e5}'], ['{"n":1}']);
    check('{"n":[-0]}', ['{"n":0}'], []);
  });

  it('a number never matches the string with the same text, in either direction', () => {
    check({ n: [300] }, [], [{ n: '300' }, '{"n":"300.0"}']);
    check({ n: ['300'] }, [], [{ n: 300 }]);
  });

  it('a 12-digit account id given as a number matches by value', () => {
    check('{"account":[123456789012]}', ['{"account":123456789012}', '{"account":1.23456789012e11}'], []);
    check('{"account":[123456789012]}', [], ['{"account":"123456789012"}']);
  });

  it('a number a double cannot hold (12345678901234567) matches only by its exact text [code]', () => {
    // 12345678901234567 rounds to the double 12345678901234568, so it has no comparable form.
    check(
      '{"id":[12345678901234567]}',
      ['{"id":12345678901234567}'],
      [
        '{"id":12345678901234568}',
        '{"id":12345678901234566}',
        '{"id":1.2345678901234567e16}',
        '{"id":"12345678901234567"}',
      ],
    );
  });

  it('an event number a double cannot hold does not equal a representable pattern number [code]', () => {
    check('{"id":[12345678901234568]}', ['{"id":12345678901234568}'], ['{"id":12345678901234567}']);
  });

  it('null matches JSON null only, not the string "null" or a missing field [doc][AWS: null_value_NEG]', () => {
    check({ v: [null] }, [{ v: null }], [{ v: 'null' }, {}, { v: '' }, { v: 0 }, { v: false }]);
  });

  it('the string "null" does not match JSON null', () => {
    check({ v: ['null'] }, [{ v: 'null' }], [{ v: null }]);
  });

  it('true and false match the JSON keywords, not the strings "true" and "false" [code]', () => {
    check({ v: [true] }, [{ v: true }], [{ v: 'true' }, { v: false }, { v: 1 }, { v: 'True' }]);
    check({ v: [false] }, [{ v: false }], [{ v: 'false' }, { v: true }, { v: 0 }, { v: null }]);
  });

  it('the strings "true" and "false" do not match the JSON keywords', () => {
    check({ v: ['true'] }, [{ v: 'true' }], [{ v: true }]);
    check({ v: ['false'] }, [{ v: 'false' }], [{ v: false }]);
  });

  it('an empty string matches only the empty string, not null or a missing field [doc]', () => {
    check({ v: [''] }, [{ v: '' }], [{ v: null }, {}, { v: ' ' }, { v: 0 }]);
  });

  it('null does not match the empty string [doc: not interchangeable]', () => {
    check({ v: [null] }, [], [{ v: '' }]);
  });

  it('an IPv4 string in a pattern matches that address only [code]', () => {
    check(
      { ip: ['10.0.0.1'] },
      [{ ip: '10.0.0.1' }],
      [{ ip: '10.0.0.2' }, { ip: '10.0.0.10' }, { ip: '10.0.0.0' }],
    );
  });

  it('an IPv6 string in a pattern matches the same address written another way [code]', () => {
    check(
      { ip: ['2001:db8::1'] },
      [{ ip: '2001:db8::1' }, { ip: '2001:0db8:0000:0000:0000:0000:0000:0001' }, { ip: '2001:DB8::1' }],
      [{ ip: '2001:db8::2' }, { ip: '2001:db8::' }],
    );
  });

  it('a field named like an operator outside $or is an ordinary field', () => {
    check({ prefix: ['x'], numeric: [1] }, [{ prefix: 'x', numeric: 1 }], [{ prefix: 'xy', numeric: 1 }]);
  });

  it('the Ruler-only {"exactly": s} operator matches the string exactly [code]', () => {
    check({ v: [{ exactly: 'abc' }] }, [{ v: 'abc' }], [{ v: 'ABC' }, { v: 'abcd' }, {}]);
  });
});

describe('arrays in the pattern (OR within a field)', () => {
  it('a field matches when any listed value matches [doc]', () => {
    check(
      { state: ['running', 'pending'] },
      [{ state: 'running' }, { state: 'pending' }],
      [{ state: 'stopped' }, {}],
    );
  });

  it('one array may mix exact values and operators [code][AWS: or-numeric-anything-but]', () => {
    check(
      { v: [{ prefix: 'a' }, { suffix: 'z' }, 'exact', { numeric: ['>', 100] }] },
      [{ v: 'abc' }, { v: 'xyz' }, { v: 'exact' }, { v: 101 }],
      [{ v: 'other' }, { v: 'EXACT' }, { v: 100 }],
    );
  });

  it('one array may mix strings, numbers, null and booleans', () => {
    check(
      { v: ['300', 300, null, true] },
      [{ v: '300' }, { v: 300 }, { v: null }, { v: true }],
      [{ v: false }, { v: '' }, { v: 301 }],
    );
  });
});

describe('arrays in the event', () => {
  it('an array value matches when any element matches [doc][AWS: arrays]', () => {
    check(
      { resources: ['arn:b'] },
      [{ resources: ['arn:a', 'arn:b'] }, { resources: ['arn:b'] }],
      [{ resources: ['arn:a', 'arn:c'] }],
    );
  });

  it('pattern array and event array match when their intersection is non-empty [doc]', () => {
    check({ v: ['x', 'y'] }, [{ v: ['y', 'z'] }, { v: ['q', 'x'] }], [{ v: ['z', 'w'] }]);
  });

  it('elements of mixed types are matched one by one', () => {
    check({ v: [5] }, [{ v: ['5', null, 5] }], [{ v: ['5', null, true] }]);
  });

  it('arrays of arrays of scalars are flattened', () => {
    check({ v: ['z'] }, [{ v: [['x'], ['y', ['z']]] }], [{ v: [['x'], ['y']] }]);
  });

  it('an empty event array has no values, so no value condition matches it [AWS: exists_list_empty_NEG]', () => {
    check({ v: ['x'] }, [], [{ v: [] }]);
    check({ v: [{ prefix: '' }] }, [], [{ v: [] }]);
    check({ v: [null] }, [], [{ v: [] }]);
  });

  it('arrays of objects are crushed: a field inside any element matches [doc: README][AWS: list_within_dict]', () => {
    const event = {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    };
    check({ employees: { firstName: ['Anna'] } }, [event], []);
    check({ employees: { firstName: ['Maria'] } }, [], [event]);
  });

  it('crushing works through several levels of arrays [doc: README]', () => {
    const event = { a: [{ b: [{ c: 'x' }, { c: 'y' }] }, { b: [{ c: 'z' }] }] };
    check({ a: { b: { c: ['z'] } } }, [event], []);
    check({ a: { b: { c: ['w'] } } }, [], [event]);
  });

  it('array consistency: fields from different elements of one array do not combine [doc: README][code]', () => {
    // Not in the EventBridge guide and not recorded against AWS; Ruler's rulesForJSONEvent does this.
    const event = {
      employees: [
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    };
    check({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, [], [event]);
    check({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, [event], []);
    check({ employees: { firstName: ['Peter'], lastName: ['Jones'] } }, [event], []);
  });

  it('array consistency holds for a scalar array inside an element [code]', () => {
    const event = {
      items: [
        { id: 1, tags: ['a', 'b'] },
        { id: 2, tags: ['c'] },
      ],
    };
    check({ items: { id: [1], tags: ['c'] } }, [], [event]);
    check({ items: { id: [2], tags: ['c'] } }, [event], []);
    check({ items: { id: [1], tags: ['b'] } }, [event], []);
  });

  it('array consistency holds across two levels of arrays [code]', () => {
    const event = {
      groups: [
        {
          name: 'g1',
          members: [
            { first: 'Anna', last: 'Smith' },
            { first: 'Peter', last: 'Jones' },
          ],
        },
        { name: 'g2', members: [{ first: 'Maria', last: 'Garcia' }] },
      ],
    };
    // Outer element and inner element agree.
    check({ groups: { name: ['g1'], members: { first: ['Peter'] } } }, [event], []);
    check({ groups: { name: ['g1'], members: { first: ['Anna'], last: ['Smith'] } } }, [event], []);
    check({ groups: { name: ['g2'], members: { first: ['Maria'], last: ['Garcia'] } } }, [event], []);
    // Different outer elements.
    check({ groups: { name: ['g2'], members: { first: ['Peter'] } } }, [], [event]);
    check({ groups: { name: ['g1'], members: { first: ['Maria'] } } }, [], [event]);
    // Same outer element, different inner elements.
    check({ groups: { members: { first: ['Anna'], last: ['Jones'] } } }, [], [event]);
    check({ groups: { name: ['g1'], members: { first: ['Anna'], last: ['Jones'] } } }, [], [event]);
    // Different outer and inner elements.
    check({ groups: { members: { first: ['Anna'], last: ['Garcia'] } } }, [], [event]);
  });

  it('fields outside an array combine with any element of it', () => {
    const event = { dept: 'eng', employees: [{ name: 'Anna' }, { name: 'Peter' }] };
    check({ dept: ['eng'], employees: { name: ['Peter'] } }, [event], []);
  });

  it('fields from two different arrays combine freely (consistency is per array)', () => {
    const event = { a: [{ x: 1 }, { x: 2 }], b: [{ y: 1 }, { y: 2 }] };
    check({ a: { x: [2] }, b: { y: [1] } }, [event], []);
    check({ a: { x: [3] }, b: { y: [1] } }, [], [event]);
  });

  it('array consistency applies to operators as well as exact values', () => {
    const event = {
      items: [
        { sku: 'a-1', qty: 1 },
        { sku: 'b-1', qty: 50 },
      ],
    };
    check({ items: { sku: [{ prefix: 'a-' }], qty: [{ numeric: ['>', 10] }] } }, [], [event]);
    check({ items: { sku: [{ prefix: 'b-' }], qty: [{ numeric: ['>', 10] }] } }, [event], []);
  });
});

describe('dotted keys', () => {
  // The README warns that dot-joining "may change in future version and should not be relied upon".
  it('a dotted pattern key matches the nested event path [doc][AWS: dot_joining_pattern]', () => {
    check({ 'a.b': ['x'] }, [{ a: { b: 'x' } }], [{ a: { b: 'y' } }, { a: 'x' }]);
  });

  it('a nested pattern matches a dotted event key [doc][AWS: dot_joining_event]', () => {
    check({ a: { b: ['x'] } }, [{ 'a.b': 'x' }], [{ 'a.b': 'y' }]);
  });

  it('a dotted pattern key matches the same dotted event key', () => {
    check({ 'a.b': ['x'] }, [{ 'a.b': 'x' }], []);
  });

  it('dotted and nested keys mix at several levels', () => {
    check(
      { detail: { 'x.y': { z: ['1'] } } },
      [{ 'detail.x': { 'y.z': '1' } }, { detail: { x: { y: { z: '1' } } } }],
      [],
    );
  });
});

describe('prefix', () => {
  it('matches strings that start with the prefix, including the prefix itself', () => {
    check(
      { arn: [{ prefix: 'arn:aws:' }] },
      [{ arn: 'arn:aws:events:us-east-1' }, { arn: 'arn:aws:' }],
      [{ arn: 'ARN:AWS:events' }, { arn: 'xarn:aws:' }, { arn: 'arn:aw' }, {}],
    );
  });

  it('is case-sensitive', () => {
    check({ v: [{ prefix: 'Event' }] }, [{ v: 'EventBridge' }], [{ v: 'eventbridge' }]);
  });

  it('an empty prefix matches every string including "" [AWS: content_prefix_empty]', () => {
    check({ v: [{ prefix: '' }] }, [{ v: '' }, { v: 'anything' }], [{}]);
  });

  it('never matches a number, boolean or null, even an empty prefix [code]', () => {
    check({ v: [{ prefix: '' }] }, [], [{ v: 5 }, { v: null }, { v: true }, { v: false }]);
    check({ v: [{ prefix: '1' }] }, [], [{ v: 123 }, { v: 1.5 }]);
    check({ v: [{ prefix: 'n' }] }, [], [{ v: null }]);
    check({ v: [{ prefix: 't' }] }, [], [{ v: true }]);
  });

  it('matches when any element of an event array starts with the prefix', () => {
    check({ v: [{ prefix: 'y' }] }, [{ v: ['x-1', 'y-2'] }], [{ v: ['x-1', 'z-2'] }, { v: [] }]);
  });

  it('works on non-ASCII and surrogate-pair characters', () => {
    check({ v: [{ prefix: 'über' }] }, [{ v: 'überall' }], [{ v: 'uberall' }, { v: 'Überall' }]);
    check({ v: [{ prefix: '😀' }] }, [{ v: '😀 smile' }], [{ v: '😁 grin' }, { v: 'x😀' }]);
  });

  it('several prefixes on one field are alternatives', () => {
    check({ v: [{ prefix: 'a' }, { prefix: 'b' }] }, [{ v: 'ax' }, { v: 'bx' }], [{ v: 'cx' }]);
  });
});

describe('suffix', () => {
  it('matches strings that end with the suffix, including the suffix itself', () => {
    check(
      { file: [{ suffix: '.png' }] },
      [{ file: 'photo.png' }, { file: '.png' }],
      [{ file: 'photo.PNG' }, { file: 'photo.png.bak' }, { file: 'png' }, {}],
    );
  });

  it('an empty suffix matches every string including "" [AWS: content_suffix_empty]', () => {
    check({ v: [{ suffix: '' }] }, [{ v: '' }, { v: 'anything' }], [{}]);
  });

  it('never matches a number, boolean or null [code]', () => {
    check({ v: [{ suffix: '' }] }, [], [{ v: 15 }, { v: null }, { v: false }]);
    check({ v: [{ suffix: '5' }] }, [], [{ v: 15 }, { v: 2.5 }]);
    check({ v: [{ suffix: 'll' }] }, [], [{ v: null }]);
    check({ v: [{ suffix: 'ue' }] }, [], [{ v: true }]);
  });

  it('matches when any element of an event array ends with the suffix', () => {
    check({ v: [{ suffix: '.txt' }] }, [{ v: ['a.png', 'b.txt'] }], [{ v: ['a.png', 'b.jpg'] }]);
  });

  it('works on multi-byte characters', () => {
    check({ v: [{ suffix: 'ße' }] }, [{ v: 'Straße' }], [{ v: 'Strasse' }]);
    check({ v: [{ suffix: '😀' }] }, [{ v: 'smile 😀' }], [{ v: '😀 smile' }]);
  });
});

describe('equals-ignore-case', () => {
  it('matches the same string in any case [AWS: content_ignorecase]', () => {
    check(
      { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
      [
        { 'detail-type': 'EC2 Instance State-change Notification' },
        { 'detail-type': 'ec2 instance state-change notification' },
        { 'detail-type': 'EC2 INSTANCE STATE-CHANGE NOTIFICATION' },
      ],
      [{ 'detail-type': 'EC2 Instance State-change Notificatio' }, { 'detail-type': 'EC2 Instance' }],
    );
  });

  it('does not match longer or shorter strings', () => {
    check(
      { v: [{ 'equals-ignore-case': 'abc' }] },
      [{ v: 'aBc' }],
      [{ v: 'abcd' }, { v: 'ab' }, { v: ' abc' }],
    );
  });

  it('an empty operand matches only the empty string [AWS]', () => {
    check({ v: [{ 'equals-ignore-case': '' }] }, [{ v: '' }], [{ v: 'a' }, { v: null }, {}]);
  });

  it('never matches numbers, booleans or null', () => {
    check({ v: [{ 'equals-ignore-case': '123' }] }, [{ v: '123' }], [{ v: 123 }]);
    check({ v: [{ 'equals-ignore-case': 'TRUE' }] }, [{ v: 'true' }], [{ v: true }]);
    check({ v: [{ 'equals-ignore-case': 'Null' }] }, [{ v: 'null' }], [{ v: null }]);
  });

  it('folds non-ASCII letters (Latin-1, Greek, Cyrillic)', () => {
    check(
      { v: [{ 'equals-ignore-case': 'ÄÖÜ élan' }] },
      [{ v: 'äöü ÉLAN' }, { v: 'Äöü Élan' }],
      [{ v: 'aou elan' }],
    );
    check({ v: [{ 'equals-ignore-case': 'Ωmega' }] }, [{ v: 'ωMEGA' }], [{ v: 'omega' }]);
    check({ v: [{ 'equals-ignore-case': 'Привет' }] }, [{ v: 'пРИВЕТ' }, { v: 'ПРИВЕТ' }], [{ v: 'Привед' }]);
  });

  it('matches per pattern character, lower or upper form: "straße" matches "STRASSE" but not "strasse" [code]', () => {
    // Ruler maps each pattern char c to {c.toLowerCase(ROOT), c.toUpperCase(ROOT)}; ß upper-cases to "SS".
    // This is not full Unicode case folding, so the lower-case "ss" is not one of ß's forms.
    check(
      { v: [{ 'equals-ignore-case': 'straße' }] },
      [{ v: 'STRASSE' }, { v: 'straße' }, { v: 'STRAßE' }],
      [{ v: 'strasse' }],
    );
  });

  it('matches when any element of an event array matches', () => {
    check({ v: [{ 'equals-ignore-case': 'x' }] }, [{ v: ['a', 'X'] }], [{ v: ['a', 'y'] }]);
  });
});

describe('prefix and suffix with equals-ignore-case', () => {
  it('prefix equals-ignore-case matches a prefix in any case [doc][AWS]', () => {
    check(
      { v: [{ prefix: { 'equals-ignore-case': 'EventB' } }] },
      [{ v: 'eventbridge' }, { v: 'EVENTBUS' }, { v: 'EventB' }],
      [{ v: 'Event' }, { v: 'xEventB' }, { v: 5 }, { v: null }, {}],
    );
  });

  it('suffix equals-ignore-case matches a suffix in any case [doc][AWS]', () => {
    check(
      { file: [{ suffix: { 'equals-ignore-case': '.png' } }] },
      [{ file: 'photo.PNG' }, { file: 'photo.Png' }, { file: '.png' }],
      [{ file: 'photo.jpg' }, { file: 'png' }, { file: 'photo.png.bak' }],
    );
  });

  it('prefix equals-ignore-case folds non-ASCII letters', () => {
    check({ v: [{ prefix: { 'equals-ignore-case': 'ÉTÉ' } }] }, [{ v: 'été 2024' }], [{ v: 'ete 2024' }]);
  });

  it('an empty prefix equals-ignore-case matches every string but no number [code]', () => {
    check({ v: [{ prefix: { 'equals-ignore-case': '' } }] }, [{ v: '' }, { v: 'x' }], [{ v: 1 }]);
  });

  it('applies per element of an event array', () => {
    check(
      { v: [{ suffix: { 'equals-ignore-case': '.TXT' } }] },
      [{ v: ['a.png', 'b.txt'] }],
      [{ v: ['a.png'] }],
    );
  });
});

describe('anything-but', () => {
  describe('single string', () => {
    const pattern = { state: [{ 'anything-but': 'stopped' }] };

    it('matches any other string and refuses the excluded one', () => {
      check(pattern, [{ state: 'running' }, { state: 'Stopped' }, { state: '' }], [{ state: 'stopped' }]);
    });

    it('does not match a missing field [AWS: content_anything_but_string_missing_NEG]', () => {
      check(pattern, [], [{}, { other: 'running' }]);
    });

    it('matches null because null is present [AWS: content_anything_but_string_null]', () => {
      check(pattern, [{ state: null }], []);
    });

    it('matches numbers and booleans, which can never be the excluded string', () => {
      check(pattern, [{ state: 5 }, { state: true }, { state: false }], []);
    });

    it('does not match a field whose value is an object (no leaf there)', () => {
      check(pattern, [], [{ state: { name: 'running' } }]);
    });
  });

  describe('single number', () => {
    const pattern = '{"n":[{"anything-but":123}]}';

    it('refuses the excluded number whatever its spelling [code]', () => {
      check(pattern, ['{"n":124}', '{"n":-123}', '{"n":12.3}'], ['{"n":123}', '{"n":123.0}', '{"n":1.23e2}']);
    });

    it('matches the string "123": strings are never the excluded number [code, unverified on AWS]', () => {
      check(pattern, ['{"n":"123"}'], []);
    });

    it('matches null and booleans, not a missing field', () => {
      check(pattern, ['{"n":null}', '{"n":true}'], ['{}']);
    });
  });

  describe('list of strings', () => {
    const pattern = { state: [{ 'anything-but': ['stopped', 'overloaded'] }] };

    it('refuses every listed string and matches others [doc][AWS: content_anything_but_string_list]', () => {
      check(pattern, [{ state: 'running' }], [{ state: 'stopped' }, { state: 'overloaded' }]);
    });

    it('matches null and numbers; not a missing field or an empty array', () => {
      check(pattern, [{ state: null }, { state: 100 }], [{}, { state: [] }]);
    });
  });

  describe('list of numbers', () => {
    const pattern = '{"n":[{"anything-but":[100,200]}]}';

    it('refuses every listed number whatever its spelling [code]', () => {
      check(
        pattern,
        ['{"n":150}', '{"n":0}'],
        ['{"n":100}', '{"n":100.0}', '{"n":1e2}', '{"n":200}', '{"n":2.0e2}'],
      );
    });

    it('matches strings and null; not a missing field [code]', () => {
      check(pattern, ['{"n":"100"}', '{"n":null}'], ['{}']);
    });
  });

  describe('prefix', () => {
    const pattern = { state: [{ 'anything-but': { prefix: 'init' } }] };

    it('refuses strings with the prefix and matches others [AWS: content_anything_prefix]', () => {
      check(
        pattern,
        [{ state: 'running' }, { state: 'INIT' }, { state: 'ini' }, { state: '' }],
        [{ state: 'initializing' }, { state: 'init' }],
      );
    });

    it('does not match a missing field; matches null [AWS: content_anything_prefix_missing_NEG, _null]', () => {
      check(pattern, [{ state: null }], [{}]);
    });

    it('matches a number because it cannot start with the prefix [AWS: content_anything_prefix_int_value]', () => {
      check({ v: [{ 'anything-but': { prefix: '1' } }] }, [{ v: 123 }], [{ v: '123' }]);
    });

    it('a list of prefixes refuses any of them [AWS: content_anything_prefix_list]', () => {
      check(
        { state: [{ 'anything-but': { prefix: ['init', 'stop'] } }] },
        [{ state: 'running' }, { state: null }, { state: 7 }],
        [{ state: 'initial' }, { state: 'stopping' }, {}],
      );
    });
  });

  describe('suffix', () => {
    const pattern = { file: [{ 'anything-but': { suffix: '.txt' } }] };

    it('refuses strings with the suffix and matches others [AWS: content_anything_suffix]', () => {
      check(
        pattern,
        [{ file: 'a.png' }, { file: 'a.TXT' }, { file: 'txt' }],
        [{ file: 'a.txt' }, { file: '.txt' }],
      );
    });

    it('does not match a missing field; matches null and numbers', () => {
      check(pattern, [{ file: null }, { file: 42 }], [{}]);
    });

    it('a list of suffixes refuses any of them', () => {
      check(
        { file: [{ 'anything-but': { suffix: ['.txt', '.md'] } }] },
        [{ file: 'a.png' }],
        [{ file: 'a.txt' }, { file: 'README.md' }],
      );
    });
  });

  describe('equals-ignore-case', () => {
    const pattern = { state: [{ 'anything-but': { 'equals-ignore-case': 'Stopped' } }] };

    it('refuses the string in any case and matches others [AWS: content_anything_but_ignorecase]', () => {
      check(
        pattern,
        [{ state: 'running' }, { state: 'stopped!' }],
        [{ state: 'STOPPED' }, { state: 'stopped' }],
      );
    });

    it('does not match a missing field; matches null and numbers', () => {
      check(pattern, [{ state: null }, { state: 1 }], [{}]);
    });

    it('a list refuses any listed string in any case [AWS: content_anything_but_ignorecase_list]', () => {
      check(
        { state: [{ 'anything-but': { 'equals-ignore-case': ['a', 'B'] } }] },
        [{ state: 'c' }],
        [{ state: 'A' }, { state: 'b' }],
      );
    });
  });

  describe('wildcard', () => {
    const pattern = { path: [{ 'anything-but': { wildcard: '*/lib/*' } }] };

    it('refuses strings the wildcard matches and matches others [AWS: content_anything_wildcard]', () => {
      check(
        pattern,
        [{ path: '/usr/bin/node' }, { path: 'lib' }],
        [{ path: '/usr/lib/node' }, { path: '/lib/' }],
      );
    });

    it('does not match a missing field; matches null [AWS: content_anything_wildcard_missing_NEG, _null]', () => {
      check(pattern, [{ path: null }], [{}]);
    });

    it('matches a number [AWS: content_anything_wildcard_int]', () => {
      check(pattern, [{ path: 42 }], []);
    });

    it('a list refuses a string any of the wildcards matches [AWS: content_anything_wildcard_list]', () => {
      check(
        { path: [{ 'anything-but': { wildcard: ['*.txt', 'tmp/*'] } }] },
        [{ path: 'a.png' }],
        [{ path: 'a.txt' }, { path: 'tmp/a.png' }],
      );
    });

    it('an empty wildcard excludes only the empty string [AWS: content_anything_wildcard_empty]', () => {
      check({ v: [{ 'anything-but': { wildcard: '' } }] }, [{ v: 'a' }, { v: null }], [{ v: '' }]);
    });
  });

  describe('event arrays', () => {
    it('matches when any element is not excluded [code]', () => {
      check(
        { state: [{ 'anything-but': 'stopped' }] },
        [{ state: ['stopped', 'running'] }],
        [{ state: ['stopped'] }, { state: ['stopped', 'stopped'] }, { state: [] }],
      );
    });

    it('numeric list: [100, 50] matches anything-but [100, 500] because 50 qualifies [doc: SNS]', () => {
      check({ n: [{ 'anything-but': [100, 500] }] }, [{ n: [100, 50] }], [{ n: [100, 500] }, { n: [500] }]);
    });

    it('in an array of objects, an element without the field does not count as a value', () => {
      const pattern = { items: { a: [{ 'anything-but': 'x' }] } };
      check(pattern, [{ items: [{ a: 'x' }, { a: 'y' }] }], [{ items: [{ a: 'x' }, { b: 1 }] }]);
    });

    it('prefix form is per element too', () => {
      check(
        { v: [{ 'anything-but': { prefix: 'init' } }] },
        [{ v: ['init-a', 'run'] }],
        [{ v: ['init-a', 'init-b'] }],
      );
    });
  });

  it('combines with exists:false in one field: present-and-not-excluded or absent [AWS: or-exists*]', () => {
    const pattern = { homemade: { S: [{ 'anything-but': ['roses'] }, { exists: false }] } };
    check(
      pattern,
      [{ homemade: { S: 'ABCD' } }, { homemade: { N: '789' } }, { purchased: { N: '789' } }],
      [{ homemade: { S: 'roses' } }],
    );
  });

  it('combines with numeric in one field [AWS: or-numeric-anything-but]', () => {
    const pattern = { N: [{ numeric: ['>', 100] }, { 'anything-but': '101' }] };
    check(pattern, [{ N: '42' }, { N: 150 }], [{ N: '101' }]);
  });
});

describe('numeric', () => {
  it('= matches equal numbers whatever their spelling, and nothing else', () => {
    check(
      '{"n":[{"numeric":["=",5]}]}',
      ['{"n":5}', '{"n":5.0}', '{"n":5e0}', '{"n":0.5e1}', '{"n":500e-2}'],
      ['{"n":5.1}', '{"n":4.999999}', '{"n":-5}', '{"n":"5"}'],
    );
  });

  it('< excludes its bound', () => {
    check({ n: [{ numeric: ['<', 10] }] }, [{ n: 9.999999 }, { n: -100 }], [{ n: 10 }, { n: 11 }]);
  });

  it('<= includes its bound', () => {
    check({ n: [{ numeric: ['<=', 10] }] }, [{ n: 10 }, { n: 9 }], [{ n: 10.000001 }]);
  });

  it('> excludes its bound', () => {
    check({ n: [{ numeric: ['>', 10] }] }, [{ n: 10.000001 }, { n: 1e6 }], [{ n: 10 }, { n: 9 }]);
  });

  it('>= includes its bound', () => {
    check({ n: [{ numeric: ['>=', 10] }] }, [{ n: 10 }, { n: 11 }], [{ n: 9.999999 }]);
  });

  it('a > / <= range excludes the bottom and includes the top [doc]', () => {
    check(
      { n: [{ numeric: ['>', 0, '<=', 5] }] },
      [{ n: 0.000001 }, { n: 5 }, { n: 2.5 }],
      [{ n: 0 }, { n: 5.000001 }, { n: -1 }],
    );
  });

  it('a >= / < range includes the bottom and excludes the top', () => {
    check({ n: [{ numeric: ['>=', 0, '<', 5] }] }, [{ n: 0 }, { n: 4.999999 }], [{ n: 5 }, { n: -0.000001 }]);
  });

  it('a >= / <= range includes both ends, a > / < range neither', () => {
    check({ n: [{ numeric: ['>=', 1, '<=', 2] }] }, [{ n: 1 }, { n: 2 }], [{ n: 0.999999 }, { n: 2.000001 }]);
    check({ n: [{ numeric: ['>', 1, '<', 2] }] }, [{ n: 1.5 }], [{ n: 1 }, { n: 2 }]);
  });

  it('floats compare by value: 101.0 > 100 [AWS: numeric-int-float], 0.3 is not < 0.3', () => {
    check('{"n":[{"numeric":[">",100]}]}', ['{"n":101.0}'], ['{"n":100.0}']);
    check({ n: [{ numeric: ['>=', 0.1, '<', 0.3] }] }, [{ n: 0.2 }, { n: 0.1 }], [{ n: 0.3 }, { n: 0.09 }]);
  });

  it('exponents work in patterns and events: 3.018e2 = 301.8, 1.5e3 = 1500', () => {
    check('{"n":[{"numeric":["=",3.018e2]}]}', ['{"n":301.8}', '{"n":3018e-1}'], ['{"n":301.9}']);
    check('{"n":[{"numeric":[">=",1500]}]}', ['{"n":1.5e3}', '{"n":15E2}'], ['{"n":1.4999e3}']);
    check('{"n":[{"numeric":[">",1e2]}]}', ['{"n":101}'], ['{"n":100}']);
  });

  it('negative numbers and negative ranges', () => {
    check({ n: [{ numeric: ['<', 0] }] }, [{ n: -1 }, { n: -0.5 }], [{ n: 0 }, { n: 1 }]);
    check(
      { n: [{ numeric: ['>', -10, '<', -5] }] },
      [{ n: -7.5 }, { n: -9.999999 }],
      [{ n: -5 }, { n: -10 }, { n: -10.5 }, { n: 7.5 }],
    );
  });

  it('-0 equals 0: it satisfies = 0 and >= 0 but not < 0 or > 0 [code]', () => {
    check('{"n":[{"numeric":["=",0]}]}', ['{"n":-0}', '{"n":-0.0}', '{"n":0}'], []);
    check('{"n":[{"numeric":["<",0]}]}', [], ['{"n":-0}', '{"n":-0.0}']);
    check('{"n":[{"numeric":[">",0]}]}', [], ['{"n":-0}']);
    check('{"n":[{"numeric":[">=",0]}]}', ['{"n":-0}'], []);
    check('{"n":[{"numeric":["=",-0]}]}', ['{"n":0}'], []);
  });

  it('strings, null, booleans, objects and missing fields never match [doc][AWS: numeric-string_NEG, numeric-null_NEG]', () => {
    check(
      { n: [{ numeric: ['>', 0] }] },
      [],
      [{ n: '5' }, { n: '1e3' }, { n: null }, { n: true }, { n: false }, { n: { v: 5 } }, {}, { n: [] }],
    );
  });

  it('matches when any element of an event array is in range', () => {
    check(
      { n: [{ numeric: ['>', 10] }] },
      [{ n: [1, 50] }, { n: ['x', 11] }],
      [{ n: [1, 2] }, { n: ['50'] }],
    );
  });

  it('several numeric conditions on one field are alternatives', () => {
    check(
      { n: [{ numeric: ['<', 0] }, { numeric: ['>', 100] }] },
      [{ n: -1 }, { n: 101 }],
      [{ n: 0 }, { n: 50 }, { n: 100 }],
    );
  });

  it('an exact number and a numeric range combine on one field', () => {
    check({ n: [5, { numeric: ['>', 100] }] }, [{ n: 5 }, { n: 101 }], [{ n: 6 }]);
  });

  it('compares across the whole double range [code: Ruler >= 1.8.0]', () => {
    // Outside the +-5e9 the EventBridge guide still documents; Busway follows current Ruler.
    check(
      { n: [{ numeric: ['>', 5e9] }] },
      ['{"n":1e300}', '{"n":5000000001}'],
      ['{"n":5e9}', '{"n":-1e300}'],
    );
    check({ n: [{ numeric: ['<', -5e9] }] }, ['{"n":-1e300}'], ['{"n":1e300}']);
    check({ n: [{ numeric: ['>', 0, '<', 1e-6] }] }, ['{"n":1e-7}'], ['{"n":0}', '{"n":1e-6}']);
  });

  it('an event number a double cannot hold matches no numeric condition [code]', () => {
    check('{"n":[{"numeric":[">",0]}]}', ['{"n":12345678901234568}'], ['{"n":12345678901234567}']);
  });
});

describe('exists', () => {
  describe('exists: true', () => {
    const pattern = { v: [{ exists: true }] };

    it('matches any present leaf: strings, "", 0, false', () => {
      check(pattern, [{ v: 'x' }, { v: '' }, { v: 0 }, { v: false }, { v: true }], []);
    });

    it('matches null because null is present [code]', () => {
      check(pattern, [{ v: null }, { v: [null] }], []);
    });

    it('matches a non-empty array and does not match an empty one [AWS: exists_list_empty_NEG]', () => {
      check(pattern, [{ v: ['a'] }, { v: [1, 2] }], [{ v: [] }]);
    });

    it('does not match a missing field [AWS: content_exists_NEG]', () => {
      check(pattern, [], [{}, { other: 1 }]);
    });

    it('does not match an object-valued path: exists works on leaves only [doc][AWS: exists_dynamodb_NEG]', () => {
      check(pattern, [], [{ v: { S: 'x' } }, { v: {} }]);
      check({ v: { S: [{ exists: true }] } }, [{ v: { S: 'x' } }], []);
    });

    it('matches a field inside any element of an array of objects', () => {
      check(
        { items: { flag: [{ exists: true }] } },
        [{ items: [{ a: 1 }, { flag: false }] }],
        [{ items: [{ a: 1 }, { a: 2 }] }],
      );
    });
  });

  describe('exists: false', () => {
    const pattern = { v: [{ exists: false }] };

    it('matches a missing field [doc][AWS]', () => {
      check(pattern, [{}, { other: 1 }], []);
    });

    it('matches when a parent on the path is missing [AWS: content_exists_false]', () => {
      check(
        { a: { b: { c: [{ exists: false }] } } },
        [{}, { a: {} }, { a: { b: {} } }, { a: { x: 1 } }],
        [{ a: { b: { c: 1 } } }],
      );
    });

    it('does not match null, "", 0 or false: they are present [code]', () => {
      check(pattern, [], [{ v: null }, { v: '' }, { v: 0 }, { v: false }, { v: 'x' }]);
    });

    it('matches an empty array, which has no leaf [code]', () => {
      check(pattern, [{ v: [] }], [{ v: ['a'] }, { v: [null] }]);
    });

    it('matches an object-valued path, which is not a leaf [doc: README]', () => {
      check(pattern, [{ v: { c1: 100 } }, { v: {} }], []);
    });

    it('does not match when a leaf exists below the path in a deeper object [AWS: content_exists_false_NEG]', () => {
      check({ a: { b: [{ exists: false }] } }, [], [{ a: { b: 'x' } }]);
    });

    it('in an array of objects, fails if any element has the field [code]', () => {
      check(
        { items: { flag: [{ exists: false }] } },
        [{ items: [{ a: 1 }, { a: 2 }] }, { items: [] }],
        [{ items: [{ a: 1 }, { flag: true }] }, { items: [{ flag: null }] }],
      );
    });

    it('combines with other fields (AND)', () => {
      check(
        { source: ['s'], detail: { error: [{ exists: false }] } },
        [{ source: 's', detail: { ok: true } }],
        [
          { source: 's', detail: { error: 'x' } },
          { source: 't', detail: {} },
        ],
      );
    });

    it('is checked against the array element pinned by fields that sort first [code, Ruler-specific]', () => {
      // Ruler evaluates a sub-rule's keys in lexical order; exists:false sees only the fields that are
      // array-consistent with those matched so far. Order-dependent; documented in the reference §2.6.
      check({ items: { a: ['1'], b: [{ exists: false }] } }, [{ items: [{ a: '1' }, { b: 2 }] }], []);
      check({ items: { z: ['1'], b: [{ exists: false }] } }, [], [{ items: [{ z: '1' }, { b: 2 }] }]);
    });
  });
});

describe('cidr', () => {
  it('IPv4: matches addresses inside the block, including both ends [doc]', () => {
    check(
      { ip: [{ cidr: '10.0.0.0/24' }] },
      [{ ip: '10.0.0.0' }, { ip: '10.0.0.1' }, { ip: '10.0.0.255' }],
      [{ ip: '10.0.1.0' }, { ip: '9.255.255.255' }, { ip: '11.0.0.0' }],
    );
  });

  it('IPv4: /8, /31 and /0 blocks', () => {
    check({ ip: [{ cidr: '10.0.0.0/8' }] }, [{ ip: '10.255.3.4' }], [{ ip: '11.0.0.1' }]);
    check(
      { ip: [{ cidr: '192.168.0.0/31' }] },
      [{ ip: '192.168.0.0' }, { ip: '192.168.0.1' }],
      [{ ip: '192.168.0.2' }],
    );
    check({ ip: [{ cidr: '0.0.0.0/0' }] }, [{ ip: '1.2.3.4' }, { ip: '255.255.255.255' }], [{ ip: 'x' }]);
  });

  it('address bits below the mask are ignored: 10.0.0.1/24 is 10.0.0.0/24 [code]', () => {
    check(
      { ip: [{ cidr: '10.0.0.1/24' }] },
      [{ ip: '10.0.0.0' }, { ip: '10.0.0.200' }],
      [{ ip: '10.0.1.1' }],
    );
  });

  it('IPv6: compares addresses, not text [AWS: content_ip_address_v6]', () => {
    check(
      { ip: [{ cidr: '2001:db8:1234:1a00::/64' }] },
      [
        { ip: '2001:db8:1234:1a00::1' },
        { ip: '2001:0db8:1234:1a00:0000:0000:0000:0001' },
        { ip: '2001:DB8:1234:1A00::DEAD:BEEF' },
        { ip: '2001:db8:1234:1a00:ffff:ffff:ffff:ffff' },
        { ip: '2001:db8:1234:1a00::' },
      ],
      [{ ip: '2001:db8:1234:1a01::' }, { ip: '2001:db8:1234:1b00::1' }, { ip: '2001:db8:1234:19ff::1' }],
    );
  });

  it('IPv6: address bits below the mask are ignored', () => {
    check(
      { ip: [{ cidr: '2001:db8::1/32' }] },
      [{ ip: '2001:db8::' }, { ip: '2001:db8:ffff::1' }],
      [{ ip: '2001:db9::' }],
    );
  });

  it('non-IP strings, invalid addresses, numbers and null never match [AWS: content_ip_address_NEG, bad_type_NEG]', () => {
    check(
      { ip: [{ cidr: '10.0.0.0/8' }] },
      [],
      [
        { ip: 'not-an-ip' },
        { ip: '10.0.0.256' },
        { ip: '10.0.0' },
        { ip: '10.0.0.1 ' },
        { ip: '10.0.0.0/8' },
        { ip: 10 },
        { ip: null },
        { ip: true },
        {},
      ],
    );
  });

  it('matches when any element of an event array is inside the block', () => {
    check(
      { ip: [{ cidr: '10.0.0.0/8' }] },
      [{ ip: ['1.1.1.1', '10.0.0.5'] }],
      [{ ip: ['1.1.1.1', '11.0.0.5'] }],
    );
  });

  it('IPv4 and IPv6 blocks on one field are alternatives', () => {
    check(
      { ip: [{ cidr: '10.0.0.0/8' }, { cidr: '2001:db8::/32' }] },
      [{ ip: '10.1.2.3' }, { ip: '2001:db8::5' }],
      [{ ip: '11.1.2.3' }, { ip: '2001:db9::5' }],
    );
  });
});

describe('wildcard', () => {
  it('a star in the middle matches zero or more characters [doc]', () => {
    check(
      { v: [{ wildcard: 'Simple*Service' }] },
      [{ v: 'SimpleService' }, { v: 'SimpleQueueService' }, { v: 'Simple*Service' }],
      [{ v: 'SimpleService2' }, { v: 'simpleQueueService' }, { v: 'ASimpleService' }],
    );
  });

  it('a leading star matches any start', () => {
    check(
      { v: [{ wildcard: '*.png' }] },
      [{ v: 'a.png' }, { v: '.png' }],
      [{ v: 'a.png.bak' }, { v: 'a.PNG' }],
    );
  });

  it('a trailing star matches any end', () => {
    check(
      { v: [{ wildcard: 'arn:aws:*' }] },
      [{ v: 'arn:aws:' }, { v: 'arn:aws:s3:::b' }],
      [{ v: 'arn:aw' }],
    );
  });

  it('several stars [AWS: content_wildcard]', () => {
    check(
      { v: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
      [{ v: 'arn:aws:events:us-east-1:123456789012:event-bus/default' }],
      [{ v: 'arn:aws:events:us-west-2:123456789012:event-bus/default' }],
    );
    check(
      { v: [{ wildcard: '*/lib/*' }] },
      [{ v: '/usr/lib/x' }, { v: '/lib/' }],
      [{ v: 'lib' }, { v: '/usr/lib' }],
    );
    check(
      { v: [{ wildcard: 'a*b*c' }] },
      [{ v: 'abc' }, { v: 'aXbYc' }, { v: 'abbbc' }, { v: 'acbc' }],
      [{ v: 'acb' }, { v: 'abcx' }, { v: 'xabc' }],
    );
  });

  it('needs backtracking-correct matching: *ab matches aab, a*a needs two a', () => {
    check({ v: [{ wildcard: '*ab' }] }, [{ v: 'aab' }, { v: 'abab' }], [{ v: 'aba' }]);
    check({ v: [{ wildcard: 'a*a' }] }, [{ v: 'aa' }, { v: 'aba' }], [{ v: 'a' }]);
  });

  it('"*" matches every string including "" but no number, boolean or null [code]', () => {
    check({ v: [{ wildcard: '*' }] }, [{ v: '' }, { v: 'x' }], [{ v: 5 }, { v: null }, { v: true }, {}]);
  });

  it('"" matches only the empty string [code][AWS]', () => {
    check({ v: [{ wildcard: '' }] }, [{ v: '' }], [{ v: 'a' }, { v: null }]);
  });

  it('without a star it is an exact string match', () => {
    check({ v: [{ wildcard: 'abc' }] }, [{ v: 'abc' }], [{ v: 'abcd' }, { v: 'ABC' }]);
  });

  it('regular-expression characters are literal', () => {
    check({ v: [{ wildcard: 'a.b*' }] }, [{ v: 'a.bc' }], [{ v: 'axbc' }]);
    check({ v: [{ wildcard: '(x)+?[y]*' }] }, [{ v: '(x)+?[y]z' }], [{ v: 'xxy' }]);
  });

  it('never matches a number, even one whose text fits [doc]', () => {
    check({ v: [{ wildcard: '1*' }] }, [{ v: '123' }], [{ v: 123 }]);
  });

  it('\\* in JSON text is a literal star [doc]', () => {
    const pattern = String.raw`{"v":[{"wildcard":"a\\*b"}]}`;
    check(pattern, ['{"v":"a*b"}'], ['{"v":"axb"}', '{"v":"ab"}', String.raw`{"v":"a\\*b"}`]);
    // The same pattern given as an object: the decoded string is a\*b.
    check({ v: [{ wildcard: 'a\\*b' }] }, [{ v: 'a*b' }], [{ v: 'axb' }]);
  });

  it('\\\\ in JSON text is a literal backslash [doc]', () => {
    const pattern = String.raw`{"v":[{"wildcard":"a\\\\b*"}]}`;
    check(
      pattern,
      [String.raw`{"v":"a\\b"}`, String.raw`{"v":"a\\bc"}`],
      [String.raw`{"v":"a\\\\b"}`, '{"v":"ab"}'],
    );
  });

  it('an escaped star followed by a wildcard star is not "consecutive" [code]', () => {
    check(String.raw`{"v":[{"wildcard":"\\**"}]}`, ['{"v":"*"}', '{"v":"*abc"}'], ['{"v":"abc"}']);
  });

  it('handles non-ASCII characters around stars', () => {
    check({ v: [{ wildcard: 'ü*ß' }] }, [{ v: 'über Straß' }, { v: 'üß' }], [{ v: 'uber Straß' }]);
  });

  it('matches when any element of an event array matches', () => {
    check({ v: [{ wildcard: '*.txt' }] }, [{ v: ['a.png', 'b.txt'] }], [{ v: ['a.png'] }]);
  });
});

describe('$or', () => {
  it('at top level: either branch suffices [doc]', () => {
    check(
      { $or: [{ a: ['1'] }, { b: ['2'] }] },
      [{ a: '1' }, { b: '2' }, { a: '1', b: '2' }],
      [{ a: '2', b: '1' }, {}],
    );
  });

  it('beside other fields: the other fields must still match (AND) [doc: README]', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2'] },
      ],
    };
    check(
      pattern,
      [
        { source: 'aws.cloudwatch', metricName: 'ReadLatency' },
        { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2' },
      ],
      [
        { source: 'aws.ec2', metricName: 'ReadLatency' },
        { source: 'aws.cloudwatch', metricType: 'MetricType' },
        { source: 'aws.cloudwatch' },
      ],
    );
  });

  it('nested under a field: branch paths are relative to it', () => {
    check(
      { detail: { $or: [{ x: ['1'] }, { y: ['2'] }] } },
      [{ detail: { x: '1' } }, { detail: { y: '2' } }],
      [{ x: '1' }, { detail: { z: '1' } }],
    );
  });

  it('with operators in branches [doc: README]', () => {
    check(
      {
        detail: {
          $or: [
            { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
            { 'd-count': [{ numeric: ['<', 10] }] },
            { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
          ],
        },
      },
      [{ detail: { 'c-count': 5 } }, { detail: { 'd-count': 9 } }, { detail: { 'x-limit': 301.8 } }],
      [{ detail: { 'c-count': 6, 'd-count': 10, 'x-limit': 301 } }],
    );
  });

  it('at several levels at once: one branch of each must match', () => {
    const pattern = { $or: [{ a: ['1'] }, { b: ['2'] }], detail: { $or: [{ c: ['3'] }, { d: ['4'] }] } };
    check(
      pattern,
      [
        { a: '1', detail: { c: '3' } },
        { b: '2', detail: { d: '4' } },
      ],
      [{ a: '1' }, { detail: { c: '3' } }, { a: '1', detail: { e: '3' } }],
    );
  });

  it('inside an $or branch [doc: README]', () => {
    const pattern = { $or: [{ a: ['1'] }, { b: ['2'], $or: [{ c: ['3'] }, { d: ['4'] }] }] };
    check(
      pattern,
      [{ a: '1' }, { b: '2', c: '3' }, { b: '2', d: '4' }],
      [{ b: '2' }, { c: '3' }, { b: '3', c: '3' }],
    );
  });

  it('a branch may name a nested object', () => {
    check(
      { $or: [{ detail: { x: ['1'] } }, { detail: { y: { z: ['2'] } } }] },
      [{ detail: { x: '1' } }, { detail: { y: { z: '2' } } }],
      [{ detail: { y: '2' } }],
    );
  });

  it('array consistency applies within each branch', () => {
    const pattern = { $or: [{ items: { a: ['1'], b: ['2'] } }, { items: { c: ['3'] } }] };
    check(
      pattern,
      [{ items: [{ a: '1', b: '2' }] }, { items: [{ a: '1' }, { b: '2' }, { c: '3' }] }],
      [{ items: [{ a: '1' }, { b: '2' }] }],
    );
  });

  it('"$or" whose value is an object is an ordinary field named $or [code]', () => {
    check({ $or: { a: ['1'] } }, [{ $or: { a: '1' } }], [{ a: '1' }]);
  });

  it('"$or" whose value is an array of scalars is an ordinary field named $or [code]', () => {
    check({ $or: ['x', 'y'] }, [{ $or: 'x' }, { $or: ['z', 'y'] }], [{ x: 'x' }, { $or: 'z' }]);
  });
});
