/**
 * Pattern validation: every error EventBridge returns as InvalidEventPatternException, with AWS's
 * text (`Event pattern is not valid. Reason: ` + event-ruler's compiler message). Written from the
 * reference (/work/shared/reference/event-patterns.md) and the recorded AWS errors in
 * /work/shared/conformance. Labels: [AWS] recorded text, [doc] documented, [code] event-ruler only.
 * Where AWS's text for a service limit is not recorded, only the error class and prefix are checked.
 */
import { describe, expect, it } from 'vitest';
import {
  createRuleMatcher,
  InvalidPatternError,
  matchesPattern,
  parsePattern,
  testEventPattern,
  type JsonObject,
  type PatternOptions,
} from '../src/index.js';

const PREFIX = 'Event pattern is not valid. Reason: ';

type PatternInput = string | JsonObject;

function show(value: PatternInput): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The InvalidPatternError parsePattern throws for this pattern; fails the test if it is accepted. */
function rejection(pattern: PatternInput, options?: PatternOptions): InvalidPatternError {
  try {
    parsePattern(pattern, options);
  } catch (error) {
    expect(error, `wrong error type for ${show(pattern)}`).toBeInstanceOf(InvalidPatternError);
    return error as InvalidPatternError;
  }
  throw new Error(`pattern was accepted but should be rejected: ${show(pattern)}`);
}

/** Asserts the exact AWS message. */
function expectReason(pattern: PatternInput, reason: string, options?: PatternOptions): void {
  const error = rejection(pattern, options);
  expect(error.message, show(pattern)).toBe(PREFIX + reason);
  expect(error.reason).toBe(reason);
}

/** Asserts the message starts with the AWS text (Jackson-style messages may carry a location suffix). */
function expectReasonStart(pattern: PatternInput, reason: string): void {
  const error = rejection(pattern);
  expect(error.message.startsWith(PREFIX + reason), `${show(pattern)} gave: ${error.message}`).toBe(true);
}

/** Asserts only that the pattern is refused with AWS's prefix (limits whose text is not recorded). */
function expectRejected(pattern: PatternInput, options?: PatternOptions): void {
  const error = rejection(pattern, options);
  expect(error.message.startsWith(PREFIX), error.message).toBe(true);
  expect(error.message.length).toBeGreaterThan(PREFIX.length);
}

function expectAccepted(pattern: PatternInput, options?: PatternOptions): void {
  expect(() => parsePattern(pattern, options), show(pattern)).not.toThrow();
}

describe('error objects', () => {
  it('InvalidPatternError carries a stable code, the reason and the full AWS message', () => {
    const error = rejection('{"resources":[]}');
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('INVALID_EVENT_PATTERN');
    expect(error.reason).toBe('Empty arrays are not allowed');
    expect(error.message).toBe(PREFIX + 'Empty arrays are not allowed');
  });

  it('every entry point refuses an invalid pattern with the same InvalidPatternError', () => {
    const pattern = '{"int":42}';
    const expected = PREFIX + '"int" must be an object or an array';
    const event = {
      id: '1',
      account: '123456789012',
      source: 's',
      time: '2022-07-13T13:48:01Z',
      region: 'us-east-1',
      'detail-type': 'd',
      resources: [],
    };
    expect(() => parsePattern(pattern)).toThrow(expected);
    expect(() => matchesPattern(pattern, event)).toThrow(InvalidPatternError);
    expect(() => matchesPattern(pattern, event)).toThrow(expected);
    expect(() => testEventPattern(pattern, event)).toThrow(expected);
    expect(() => createRuleMatcher().add('r', pattern)).toThrow(InvalidPatternError);
    expect(() => createRuleMatcher().add('r', { int: 42 })).toThrow(expected);
  });
});

describe('shape of a pattern', () => {
  it('a pattern that is not a JSON object: "Filter is not an object" [AWS: invalid_json_pattern_4]', () => {
    // AWS's full text continues with Jackson's location, so only the start is compared.
    expectReasonStart('["not", "a", "dict", "but valid json"]', 'Filter is not an object');
    expectReasonStart('"text"', 'Filter is not an object');
    expectReasonStart('42', 'Filter is not an object');
    expectReasonStart('null', 'Filter is not an object');
    expectReasonStart('true', 'Filter is not an object');
  });

  it('a non-object JS value is refused as "Filter is not an object"', () => {
    expectReasonStart([] as unknown as JsonObject, 'Filter is not an object');
    expectReasonStart(null as unknown as JsonObject, 'Filter is not an object');
    expectReasonStart(7 as unknown as JsonObject, 'Filter is not an object');
  });

  it('an empty object at top level or below: "Empty objects are not allowed" [code]', () => {
    expectReason('{}', 'Empty objects are not allowed');
    expectReason({}, 'Empty objects are not allowed');
    expectReason('{"detail":{}}', 'Empty objects are not allowed');
    expectReason('{"a":["x"],"detail":{"b":{}}}', 'Empty objects are not allowed');
  });

  it('an empty leaf array: "Empty arrays are not allowed" [AWS: arrays_empty_EXC]', () => {
    expectReason('{"resources": []}', 'Empty arrays are not allowed');
    expectReason({ detail: { x: [] } }, 'Empty arrays are not allowed');
  });

  it('a scalar member: "<name> must be an object or an array" [AWS: int_nolist_EXC, string_nolist_EXC]', () => {
    expectReason('{"int": 42}', '"int" must be an object or an array');
    expectReason('{"string": "my-value"}', '"string" must be an object or an array');
    expectReason('{"n": null}', '"n" must be an object or an array');
    expectReason('{"b": true}', '"b" must be an object or an array');
  });

  it('a nested scalar member is named by its own key, not its path [code]', () => {
    expectReason('{"detail": {"x": 1}}', '"x" must be an object or an array');
  });

  it('a nested array inside a leaf array: "Match value must be String, number, true, false, or null" [code]', () => {
    expectReason('{"a": ["x", ["y"]]}', 'Match value must be String, number, true, false, or null');
  });

  it('an operator object with two keys: "Only one key allowed in match expression" [code]', () => {
    const reason = 'Only one key allowed in match expression';
    expectReason({ a: [{ prefix: 'x', suffix: 'y' }] }, reason);
    expectReason({ a: [{ suffix: 'x', prefix: 'y' }] }, reason);
    expectReason({ a: [{ exists: true, prefix: 'x' }] }, reason);
    expectReason({ a: [{ cidr: '10.0.0.0/8', prefix: 'x' }] }, reason);
    expectReason({ a: [{ 'equals-ignore-case': 'x', prefix: 'y' }] }, reason);
    expectReason({ a: [{ wildcard: 'x*', prefix: 'y' }] }, reason);
    expectReason({ a: [{ exactly: 'x', prefix: 'y' }] }, reason);
  });

  it('prefix/suffix equals-ignore-case with an extra key: "Only one key allowed in match expression" [code]', () => {
    const reason = 'Only one key allowed in match expression';
    expectReason({ a: [{ prefix: { 'equals-ignore-case': 'x', other: 'y' } }] }, reason);
    expectReason({ a: [{ prefix: { 'equals-ignore-case': 'x' }, other: 'y' }] }, reason);
    expectReason({ a: [{ suffix: { 'equals-ignore-case': 'x' }, other: 'y' }] }, reason);
  });

  it('an extra key after numeric or anything-but: "Too many elements in numeric expression" (sic) [code]', () => {
    // Ruler checks the closing brace of both operators with the same helper, hence the numeric wording.
    const reason = 'Too many elements in numeric expression';
    expectReason({ a: [{ numeric: ['>', 0], prefix: 'x' }] }, reason);
    expectReason({ a: [{ 'anything-but': 'a', prefix: 'x' }] }, reason);
    expectReason({ a: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] }, reason);
    expectReason({ a: [{ 'anything-but': { prefix: 'a' }, suffix: 'b' }] }, reason);
  });

  it('an empty operator object: "Match expression name not found" [code]', () => {
    expectReason('{"a": [{}]}', 'Match expression name not found');
  });

  it('operator names are case-sensitive: "Unrecognized match type X" [AWS: operator_case_sensitive_EXC]', () => {
    expectReason('{"my_key": [{"EXISTS": true}]}', 'Unrecognized match type EXISTS');
    expectReason('{"detail": {"equal": [{"NUMERIC": ["=", 5]}]}}', 'Unrecognized match type NUMERIC');
    expectReason({ a: [{ Prefix: 'x' }] }, 'Unrecognized match type Prefix');
  });

  it('operators AWS does not have are unrecognized: contains, regex [code]', () => {
    expectReason({ a: [{ contains: 'x' }] }, 'Unrecognized match type contains');
    expectReason({ a: [{ regex: 'x.*' }] }, 'Unrecognized match type regex');
  });

  it('a field named like an operator is fine outside $or', () => {
    expectAccepted({ prefix: ['x'], numeric: { exists: ['y'] } });
  });
});

describe('operand types', () => {
  it('prefix needs a string [AWS: content_prefix_int_EXC, content_prefix_list_EXC]', () => {
    const reason = 'prefix match pattern must be a string';
    expectReason('{"time": [{"prefix": 123}]}', reason);
    expectReason('{"time": [{"prefix": ["2022-07-13"]}]}', reason);
    expectReason('{"time": [{"prefix": null}]}', reason);
    expectReason('{"time": [{"prefix": true}]}', reason);
  });

  it('suffix needs a string [AWS: content_suffix_int_EXC, content_suffix_list_EXC]', () => {
    const reason = 'suffix match pattern must be a string';
    expectReason('{"FileName": [{"suffix": 123}]}', reason);
    expectReason('{"FileName": [{"suffix": [".png"]}]}', reason);
    expectReason('{"FileName": [{"suffix": null}]}', reason);
  });

  it('equals-ignore-case needs a string [AWS: content_ignorecase_EXC, content_ignorecase_list_EXC]', () => {
    const reason = 'equals-ignore-case match pattern must be a string';
    expectReason(
      '{"detail-type": [{"equals-ignore-case": ["ec2 instance state-change notification"]}]}',
      reason,
    );
    expectReason('{"detail-type": [{"equals-ignore-case": {"prefix": "ec2"}}]}', reason);
    expectReason('{"detail-type": [{"equals-ignore-case": 5}]}', reason);
  });

  it('prefix/suffix equals-ignore-case needs a string [code]', () => {
    const reason = 'equals-ignore-case match pattern must be a string';
    expectReason({ a: [{ prefix: { 'equals-ignore-case': 5 } }] }, reason);
    expectReason({ a: [{ suffix: { 'equals-ignore-case': ['x'] } }] }, reason);
  });

  it('prefix/suffix objects other than equals-ignore-case are unsupported [code]', () => {
    expectReason({ a: [{ prefix: { suffix: 'x' } }] }, 'Unsupported prefix pattern: suffix');
    expectReason({ a: [{ suffix: { prefix: 'x' } }] }, 'Unsupported suffix pattern: prefix');
  });

  it('wildcard needs a string [AWS: content_wildcard_int_EXC, content_wildcard_list_EXC]', () => {
    const reason = 'wildcard match pattern must be a string';
    expectReason('{"EventBusArn": [{"wildcard": 123}]}', reason);
    expectReason('{"EventBusArn": [{"wildcard": ["arn:aws:events:us-east-1:**:event-bus/*"]}]}', reason);
  });

  it('cidr needs a string, reported as "prefix match pattern must be a string" (sic) [AWS: content_ip_address_type_EXC]', () => {
    const reason = 'prefix match pattern must be a string';
    expectReason('{"detail": {"sourceIPAddress": [{"cidr": ["bad-type"]}]}}', reason);
    expectReason('{"detail": {"sourceIPAddress": [{"cidr": 10}]}}', reason);
  });

  it('exists needs true or false: "exists match pattern must be either true or false." [code]', () => {
    const reason = 'exists match pattern must be either true or false.';
    expectReason({ a: [{ exists: 'true' }] }, reason);
    expectReason({ a: [{ exists: 1 }] }, reason);
    expectReason({ a: [{ exists: null }] }, reason);
  });

  it('numeric needs an array: "Value of numeric must be an array." [AWS: content_numeric_number_EXC]', () => {
    expectReason('{"detail": {"c-count": [{"numeric": 10}]}}', 'Value of numeric must be an array.');
    expectReason({ a: [{ numeric: '>5' }] }, 'Value of numeric must be an array.');
  });

  it('exactly needs a string: "exact match pattern must be a string" [code]', () => {
    expectReason({ a: [{ exactly: 5 }] }, 'exact match pattern must be a string');
  });
});

describe('numeric expressions', () => {
  it('two lower bounds: "Bad numeric range operator: >" [AWS: content_numeric_EXC]', () => {
    expectReason('{"detail": {"c-count": [{"numeric": [">", 0, ">", 0]}]}}', 'Bad numeric range operator: >');
    expectReason({ a: [{ numeric: ['>=', 0, '=', 5] }] }, 'Bad numeric range operator: =');
  });

  it('a missing value: "Value of < must be numeric" [AWS: content_numeric_syntax_EXC]', () => {
    expectReason('{"detail": {"c-count": [{"numeric": [">", 0, "<"]}]}}', 'Value of < must be numeric');
    expectReason({ a: [{ numeric: ['>', 0, '<=', 'ten'] }] }, 'Value of <= must be numeric');
  });

  it('a non-numeric single bound: "Value of <op> must be numeric" [code]', () => {
    expectReason({ a: [{ numeric: ['<', '5'] }] }, 'Value of < must be numeric');
    expectReason({ a: [{ numeric: ['<=', null] }] }, 'Value of <= must be numeric');
    expectReason({ a: [{ numeric: ['>', '5'] }] }, 'Value of > must be numeric');
    expectReason({ a: [{ numeric: ['>=', true] }] }, 'Value of >= must be numeric');
  });

  it('a non-numeric = value: "Value of equals must be numeric" (the word, not the sign) [code]', () => {
    expectReason({ a: [{ numeric: ['=', '5'] }] }, 'Value of equals must be numeric');
  });

  it('the upper bound first, or anything after = / <: "Too many elements in numeric expression" [code]', () => {
    const reason = 'Too many elements in numeric expression';
    expectReason({ a: [{ numeric: ['<', 10, '>', 0] }] }, reason);
    expectReason({ a: [{ numeric: ['<=', 10, '>=', 0] }] }, reason);
    expectReason({ a: [{ numeric: ['=', 5, '<', 6] }] }, reason);
  });

  it('bottom not strictly below top: "Bottom must be less than top" [code, all versions]', () => {
    const reason = 'Bottom must be less than top';
    expectReason({ a: [{ numeric: ['>=', 5, '<=', 5] }] }, reason);
    expectReason({ a: [{ numeric: ['>', 5, '<', 5] }] }, reason);
    expectReason({ a: [{ numeric: ['>', 6, '<', 5] }] }, reason);
  });

  it('an unknown operator: "Unrecognized numeric range operator: !=" [code]', () => {
    expectReason({ a: [{ numeric: ['!=', 5] }] }, 'Unrecognized numeric range operator: !=');
  });

  it('a range with a trailing term: "Too many terms in numeric range expression" [code]', () => {
    expectReason({ a: [{ numeric: ['>', 0, '<', 10, 20] }] }, 'Too many terms in numeric range expression');
  });

  it('a number where the second operator belongs: "Bad value in numeric range: 5" [code]', () => {
    expectReason({ a: [{ numeric: ['>', 0, 5] }] }, 'Bad value in numeric range: 5');
  });

  it('a leading number: "Invalid member in numeric match: 5" [code]', () => {
    expectReason({ a: [{ numeric: [5] }] }, 'Invalid member in numeric match: 5');
  });

  it('valid forms are accepted', () => {
    for (const numeric of [
      ['=', 5],
      ['<', 5],
      ['<=', 5],
      ['>', 5],
      ['>=', 5],
      ['>', 0, '<', 5],
      ['>', 0, '<=', 5],
      ['>=', 0, '<', 5],
      ['>=', 0, '<=', 5],
      ['>=', -1e9, '<=', 1e9],
      ['>', 4.999999, '<', 5],
    ]) {
      expectAccepted({ a: [{ numeric }] });
    }
  });

  it('a bound a double cannot hold exactly (12345678901234567) is refused [code]', () => {
    expectRejected('{"a": [{"numeric": [">", 12345678901234567]}]}');
    expectRejected('{"a": [{"numeric": ["=", 12345678901234567]}]}');
  });

  it('the same number as an exact value is accepted (it matches by text) [code]', () => {
    expectAccepted('{"a": [12345678901234567]}');
  });
});

describe('cidr', () => {
  it('no slash: "Malformed CIDR, one \'/\' required" [AWS: content_ip_address_EXC]', () => {
    expectReason(
      '{"detail": {"sourceIPAddress": [{"cidr": "bad-filter"}]}}',
      "Malformed CIDR, one '/' required",
    );
    expectReason({ ip: [{ cidr: '10.0.0.1' }] }, "Malformed CIDR, one '/' required");
  });

  it('two slashes: "Malformed CIDR, one \'/\' required" [code]', () => {
    expectReason({ ip: [{ cidr: '10.0.0.0/8/8' }] }, "Malformed CIDR, one '/' required");
  });

  it('mask not an integer: "Malformed CIDR, mask bits must be an integer" [AWS: content_ip_address_bad_mask_EXC]', () => {
    const reason = 'Malformed CIDR, mask bits must be an integer';
    expectReason('{"detail": {"sourceIPAddress": [{"cidr": "bad-/64filter"}]}}', reason);
    expectReason({ ip: [{ cidr: '10.0.0.0/x' }] }, reason);
    expectReason({ ip: [{ cidr: '10.0.0.0/8.5' }] }, reason);
  });

  it('negative mask: "Malformed CIDR, mask bits must not be negative" [code]', () => {
    expectReason({ ip: [{ cidr: '10.0.0.0/-1' }] }, 'Malformed CIDR, mask bits must not be negative');
  });

  it('not an IP literal: "Nonstandard IP address: <addr>" [AWS: content_ip_address_bad_ip_EXC, _v6_bad_ip_EXC]', () => {
    expectReason(
      '{"detail": {"sourceIPAddress": [{"cidr": "xx.11.xx/8"}]}}',
      'Nonstandard IP address: xx.11.xx',
    );
    expectReason(
      '{"detail": {"sourceIPAddress": [{"cidr": "xxxx:db8:1234:1a00::/64"}]}}',
      'Nonstandard IP address: xxxx:db8:1234:1a00::',
    );
    expectReason({ ip: [{ cidr: 'example.com/8' }] }, 'Nonstandard IP address: example.com');
  });

  it('IPv4 mask 32 or more: "IPv4 mask bits must be < 32" [code, not recorded on AWS]', () => {
    expectReason({ ip: [{ cidr: '10.0.0.1/32' }] }, 'IPv4 mask bits must be < 32');
    expectReason({ ip: [{ cidr: '10.0.0.0/33' }] }, 'IPv4 mask bits must be < 32');
  });

  it('IPv6 mask 128 or more: "IPv6 mask bits must be < 128" [code, not recorded on AWS]', () => {
    expectReason({ ip: [{ cidr: '2001:db8::1/128' }] }, 'IPv6 mask bits must be < 128');
    expectReason({ ip: [{ cidr: '2001:db8::/200' }] }, 'IPv6 mask bits must be < 128');
  });

  it('masks 0-31 (IPv4) and 0-127 (IPv6) are accepted', () => {
    for (const cidr of [
      '0.0.0.0/0',
      '10.0.0.0/8',
      '10.0.0.0/31',
      '::/0',
      '2001:db8::/64',
      '2001:db8::/127',
    ]) {
      expectAccepted({ ip: [{ cidr }] });
    }
  });
});

describe('anything-but', () => {
  it('a list mixing strings and numbers is refused [doc]', () => {
    expectReason(
      { a: [{ 'anything-but': ['a', 1] }] },
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    );
  });

  it('an empty list is refused [code]', () => {
    expectReason(
      { a: [{ 'anything-but': [] }] },
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    );
  });

  it('null or a boolean in the list is refused [AWS: content_anything_but_string_list_null_type_EXC]', () => {
    const reason = 'Inside anything but list, start|null|boolean is not supported.';
    expectReason('{"detail": {"state": [{"anything-but": ["stopped", null]}]}}', reason);
    expectReason({ a: [{ 'anything-but': [true] }] }, reason);
    expectReason({ a: [{ 'anything-but': ['x', ['y']] }] }, reason);
  });

  it('a null or boolean operand is refused [AWS: content_anything_but_string_null_type_EXC]', () => {
    const reason = 'Value of anything-but must be an array or single string/number value.';
    expectReason('{"detail": {"state": [{"anything-but": null}]}}', reason);
    expectReason({ a: [{ 'anything-but': true }] }, reason);
  });

  it('prefix/suffix with equals-ignore-case inside anything-but is refused [AWS: content_anything_prefix_ignorecase_EXC]', () => {
    const reason = 'Value of anything-but must be an array or single string/number value.';
    expectReason(
      '{"detail": {"FileName": [{"anything-but": {"prefix": {"equals-ignore-case": "file"}}}]}}',
      reason,
    );
    expectReason(
      '{"detail": {"FileName": [{"anything-but": {"suffix": {"equals-ignore-case": ".png"}}}]}}',
      reason,
    );
  });

  it('an empty prefix or suffix: "Null prefix/suffix not allowed" [AWS: content_anything_prefix_empty_EXC]', () => {
    const reason = 'Null prefix/suffix not allowed';
    expectReason('{"detail": {"FileName": [{"anything-but": {"prefix": ""}}]}}', reason);
    expectReason('{"detail": {"FileName": [{"anything-but": {"suffix": ""}}]}}', reason);
    expectReason({ a: [{ 'anything-but': { prefix: ['a', ''] } }] }, reason);
  });

  it('a non-string prefix/suffix: "prefix/suffix match pattern must be a string" [AWS]', () => {
    const reason = 'prefix/suffix match pattern must be a string';
    expectReason('{"detail": {"state": [{"anything-but": {"prefix": 123}}]}}', reason);
    expectReason('{"detail": {"state": [{"anything-but": {"prefix": [123, "test"]}}]}}', reason);
    expectReason('{"detail": {"FileName": [{"anything-but": {"suffix": 123}}]}}', reason);
    expectReason('{"detail": {"FileName": [{"anything-but": {"suffix": [null, ".txt"]}}]}}', reason);
    expectReason('{"detail": {"FileName": [{"anything-but": {"suffix": [123, ".txt"]}}]}}', reason);
  });

  it('a non-string equals-ignore-case [AWS: content_anything_but_ignorecase_EXC, _list_EXC]', () => {
    const reason = 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.';
    expectReason('{"detail": {"state": [{"anything-but": {"equals-ignore-case": 123}}]}}', reason);
    expectReason('{"detail": {"state": [{"anything-but": {"equals-ignore-case": [123, 456]}}]}}', reason);
  });

  it('a non-string wildcard: "wildcard match pattern must be a string" [AWS: content_anything_wildcard_type_EXC]', () => {
    const reason = 'wildcard match pattern must be a string';
    expectReason('{"detail": {"FilePath": [{"anything-but": {"wildcard": 123}}]}}', reason);
    expectReason('{"detail": {"state": [{"anything-but": {"wildcard": [123, "*/dir/*"]}}]}}', reason);
  });

  it('an anything-but wildcard gets the wildcard checks [code]', () => {
    expectReason(
      { a: [{ 'anything-but': { wildcard: 'a**' } }] },
      'Consecutive wildcard characters at pos 2',
    );
    expectReason(
      { a: [{ 'anything-but': { wildcard: ['ok*', 'x\\y'] } }] },
      'Invalid escape character at pos 2',
    );
  });

  it('other operators inside anything-but are unsupported [code]', () => {
    expectReason(
      { a: [{ 'anything-but': { contains: 'x' } }] },
      'Unsupported anything-but pattern: contains',
    );
    expectReason(
      { a: [{ 'anything-but': { numeric: ['>', 1] } }] },
      'Unsupported anything-but pattern: numeric',
    );
  });

  it('an empty anything-but object: "Anything-But expression name not found" [code]', () => {
    expectReason({ a: [{ 'anything-but': {} }] }, 'Anything-But expression name not found');
  });

  it('a number a double cannot hold is refused in anything-but [code]', () => {
    // ComparableNumber.generate throws for it in every Ruler version (out of range before 1.8, not
    // round-tripping after).
    expectRejected('{"a": [{"anything-but": [12345678901234567]}]}');
    expectRejected('{"a": [{"anything-but": 12345678901234567}]}');
  });

  it('all valid forms are accepted', () => {
    for (const operand of [
      's',
      123,
      ['a', 'b'],
      [1, 2],
      { prefix: 'p' },
      { prefix: ['p', 'q'] },
      { suffix: 's' },
      { suffix: ['s', 't'] },
      { 'equals-ignore-case': 'x' },
      { 'equals-ignore-case': ['x', 'y'] },
      { wildcard: '*.txt' },
      { wildcard: ['*.txt', ''] },
    ]) {
      expectAccepted({ a: [{ 'anything-but': operand }] });
    }
  });
});

describe('wildcard', () => {
  it('consecutive stars: "Consecutive wildcard characters at pos N" [AWS: content_wildcard_repeating_star_EXC]', () => {
    expectReason(
      '{"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:**:event-bus/*"}]}',
      'Consecutive wildcard characters at pos 26',
    );
    expectReason({ a: [{ wildcard: '**' }] }, 'Consecutive wildcard characters at pos 1');
    expectReason({ a: [{ wildcard: 'ab***' }] }, 'Consecutive wildcard characters at pos 3');
  });

  it('positions count UTF-8 bytes of the quoted value [code]', () => {
    // Ruler reports the byte index in '"' + value; é is two bytes.
    expectReason({ a: [{ wildcard: 'é**' }] }, 'Consecutive wildcard characters at pos 3');
    expectReason({ a: [{ wildcard: 'é\\x' }] }, 'Invalid escape character at pos 3');
  });

  it('a backslash before another character: "Invalid escape character at pos N" [doc][code]', () => {
    expectReason(String.raw`{"a": [{"wildcard": "a\\x"}]}`, 'Invalid escape character at pos 2');
    expectReason({ a: [{ wildcard: 'ab\\n*' }] }, 'Invalid escape character at pos 3');
  });

  it('a trailing backslash: "Invalid escape character at pos N" [code]', () => {
    expectReason(String.raw`{"a": [{"wildcard": "ab\\"}]}`, 'Invalid escape character at pos 3');
  });

  it('escaped stars and backslashes are accepted, also next to a star', () => {
    expectAccepted(String.raw`{"a": [{"wildcard": "a\\*b"}]}`);
    expectAccepted(String.raw`{"a": [{"wildcard": "a\\\\b"}]}`);
    expectAccepted(String.raw`{"a": [{"wildcard": "\\**"}]}`);
  });

  it('a pattern too complex for AWS is refused with its text [AWS: content_wildcard_complex_EXC]', () => {
    expectReason(
      '{"EventBusArn": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}',
      'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
    );
  });

  it('patterns AWS accepted pass the complexity check [AWS]', () => {
    expectAccepted({ EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] });
    expectAccepted({ FilePath: [{ wildcard: '/Users/*/dir/dir/dir/dir/dir/doc.txt' }] });
  });

  it('other low-complexity patterns are accepted (Ruler complexity 4 and 7) [code]', () => {
    expectAccepted({ a: [{ wildcard: '*/lib/*' }] });
    expectAccepted({ a: [{ wildcard: '*a*a*a*' }] });
    expectAccepted({ a: [{ wildcard: '*' }] });
    expectAccepted({ a: [{ wildcard: '' }] });
  });
});

describe('$or', () => {
  it('a reserved word as a field inside $or is refused [code]', () => {
    expectReason(
      { $or: [{ numeric: ['>', 0] }, { b: ['2'] }] },
      'numeric is Ruler reserved fieldName which cannot be used inside $or.',
    );
    expectReason(
      { $or: [{ a: ['1'] }, { prefix: ['x'] }] },
      'prefix is Ruler reserved fieldName which cannot be used inside $or.',
    );
    expectReason(
      { detail: { $or: [{ a: ['1'] }, { 'anything-but': ['x'] }] } },
      'anything-but is Ruler reserved fieldName which cannot be used inside $or.',
    );
  });

  it('a reserved word deeper inside an $or branch is refused too [code]', () => {
    expectReason(
      { $or: [{ a: { exists: ['1'] } }, { b: ['2'] }] },
      'exists is Ruler reserved fieldName which cannot be used inside $or.',
    );
  });

  it('every reserved word listed in the reference is refused inside $or', () => {
    for (const word of [
      'exactly',
      'equals-ignore-case',
      'prefix',
      'suffix',
      'anything-but',
      'exists',
      'wildcard',
      'numeric',
      'cidr',
      '=',
      '<',
      '<=',
      '>',
      '>=',
      'regex',
      'not-wildcard',
      'not-equals-ignore-case',
      'date-after',
      'date-on-or-after',
      'date-before',
      'date-on-or-before',
      'in-date-range',
      'ip-address-in-range',
      'ip-address-not-in-range',
    ]) {
      expectReason(
        { $or: [{ a: ['1'] }, { [word]: ['x'] }] },
        `${word} is Ruler reserved fieldName which cannot be used inside $or.`,
      );
    }
  });

  it('an $or array with one object is refused [code]', () => {
    expectRejected({ $or: [{ a: ['1'] }] });
  });

  it('an $or array with an empty object or a scalar beside objects is refused [code]', () => {
    expectRejected({ $or: [{ a: ['1'] }, {}] });
    expectRejected({ $or: [{ a: ['1'] }, 'x'] } as unknown as JsonObject);
  });

  it('"$or" with an object or an array of scalars is an ordinary field and is accepted [code]', () => {
    expectAccepted({ $or: { a: ['1'] } });
    expectAccepted({ $or: ['x', 'y'] });
  });

  it('over 1000 combinations is refused: 11 x 11 x 11 branches [doc]', () => {
    expectRejected(orPattern([11, 11, 11]));
    expectRejected(orPattern([32, 32]));
  });

  it('up to 1000 combinations is accepted: 10 x 10 x 10 branches [doc]', () => {
    expectAccepted(orPattern([10, 10, 10]));
    expectAccepted(orPattern([31, 32]));
  });
});

/** $or at top level, under detail, and under detail.inner, with the given branch counts. */
function orPattern(counts: readonly number[]): JsonObject {
  const branches = (level: number, count: number): JsonObject[] =>
    Array.from({ length: count }, (_, i) => ({ [`f${level}_${i}`]: [i] }));
  const levels = counts.map((count, level) => branches(level, count));
  const pattern: JsonObject = {};
  if (levels[0]) pattern.$or = levels[0];
  const detail: JsonObject = {};
  if (levels[1]) detail.$or = levels[1];
  if (levels[2]) detail.inner = { $or: levels[2] };
  if (Object.keys(detail).length > 0) pattern.detail = detail;
  return pattern;
}

describe('limits', () => {
  /** A pattern text of exactly `length` characters. */
  function patternOfLength(length: number): string {
    const text = `{"a":["${'x'.repeat(length - 10)}"]}`;
    expect(text.length).toBe(length);
    return text;
  }

  it('a pattern of 2048 characters is accepted by default, 2049 refused [doc]', () => {
    expectAccepted(patternOfLength(2048));
    expectRejected(patternOfLength(2049));
  });

  it('maxLength raises the limit up to 4096 [doc]', () => {
    expectAccepted(patternOfLength(4096), { maxLength: 4096 });
    expectRejected(patternOfLength(4097), { maxLength: 4096 });
    expectAccepted(patternOfLength(3000), { maxLength: 3000 });
    expectRejected(patternOfLength(3001), { maxLength: 3000 });
  });

  it('maxLength above 4096 is not a valid option', () => {
    expect(() => parsePattern('{"a":["x"]}', { maxLength: 5000 })).toThrow();
  });

  it('the limit applies through the rule matcher and matchesPattern too', () => {
    expect(() => createRuleMatcher().add('r', patternOfLength(2049))).toThrow(InvalidPatternError);
    expect(() => createRuleMatcher({ maxLength: 4096 }).add('r', patternOfLength(2049))).not.toThrow();
    expect(() => matchesPattern(patternOfLength(2049), { a: 'x' })).toThrow(InvalidPatternError);
  });

  it('256 fields per rule are accepted, 257 refused [code: MAXIMUM_RULE_SIZE]', () => {
    const fields = (count: number): string =>
      `{${Array.from({ length: count }, (_, i) => `"f${i}":[1]`).join(',')}}`;
    expectAccepted(fields(256), { maxLength: 4096 });
    expectRejected(fields(257), { maxLength: 4096 });
  });
});

describe('malformed JSON text', () => {
  it('an unquoted word: Jackson\'s "Unrecognized token" [AWS: invalid_json_pattern_1]', () => {
    expectReasonStart(
      'this is valid json but not a dict',
      "Unrecognized token 'this': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
    );
  });

  it('single quotes: Jackson\'s "Unexpected character" [AWS: invalid_json_pattern_2]', () => {
    expectReasonStart(
      "{'bad': 'quotation'}",
      "Unexpected character (''' (code 39)): was expecting double-quote to start field name",
    );
  });

  it('a bare word as a value: "Unrecognized token \'closed\'" [AWS: invalid_json_pattern_3]', () => {
    expectReasonStart(
      '{"not": closed mark"',
      "Unrecognized token 'closed': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
    );
  });

  it('truncated, empty or otherwise broken text is refused with the prefix', () => {
    for (const text of ['{"a":["x"]', '{"a":', '', '   ', '{"a":["x",]}', '{"a" ["x"]}', '{"a":[01]}']) {
      expectRejected(text);
    }
  });
});
