import { describe, expect, it } from 'vitest';
import { SerializationError } from '../../src/api/error-shapes.js';
import {
  formatJavaStructure,
  formatJavaValue,
  memberPath,
  WireValidator,
  type StringConstraints,
} from '../../src/api/validation.js';
import { ValidationError } from '../../src/errors.js';

const NAME: StringConstraints = { min: 1, max: 64, pattern: '[\\.\\-_A-Za-z0-9]+' };

function messageOf(run: (v: WireValidator) => void): string {
  const v = new WireValidator();
  try {
    run(v);
    v.throwIfInvalid();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a validation error');
}

describe('WireValidator messages (Coral texts recorded from AWS)', () => {
  it('reports one pattern violation with the model pattern, anchored to the whole value', () => {
    expect(messageOf((v) => v.string('Invalid Name With Spaces!', 'name', NAME))).toBe(
      "1 validation error detected: Value 'Invalid Name With Spaces!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
    );
  });

  it('collects every violation of a request in member order, pattern before length', () => {
    // Recorded: test_create_connection_validations.
    const message = messageOf((v) => {
      v.string('This should fail with two errors 123467890123412341234123412341234', 'name', NAME);
      v.string('INVALID', 'authorizationType', { enum: ['BASIC', 'OAUTH_CLIENT_CREDENTIALS', 'API_KEY'] });
    });
    expect(message).toBe(
      "3 validation errors detected: Value 'This should fail with two errors 123467890123412341234123412341234' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+; Value 'This should fail with two errors 123467890123412341234123412341234' at 'name' failed to satisfy constraint: Member must have length less than or equal to 64; Value 'INVALID' at 'authorizationType' failed to satisfy constraint: Member must satisfy enum value set: [BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY]",
    );
  });

  it('names nested list members as Coral does (targets.1.member.id)', () => {
    expect(messageOf((v) => v.string('!@#$@!#$', `${memberPath('targets', 0)}.id`, NAME))).toBe(
      "1 validation error detected: Value '!@#$@!#$' at 'targets.1.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
    );
  });

  it('throws a ValidationError only when something was found', () => {
    const v = new WireValidator();
    expect(v.string('fine', 'name', NAME)).toBe('fine');
    expect(() => v.throwIfInvalid()).not.toThrow();
    v.string('', 'name', NAME);
    expect(() => v.throwIfInvalid()).toThrow(ValidationError);
  });

  it('reports minimum length, and an empty value breaks the pattern too', () => {
    expect(messageOf((v) => v.string('', 'name', NAME))).toBe(
      "2 validation errors detected: Value '' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+; Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('counts lengths in code points, not UTF-16 units', () => {
    const v = new WireValidator();
    expect(v.string('😀'.repeat(4), 'description', { max: 4 })).toBe('😀😀😀😀');
    expect(() => v.throwIfInvalid()).not.toThrow();
    expect(messageOf((w) => w.string('é'.repeat(5), 'description', { max: 4 }))).toContain(
      'Member must have length less than or equal to 4',
    );
  });

  it('reports a missing required member as null', () => {
    expect(messageOf((v) => v.string(undefined, 'name', { ...NAME, required: true }))).toBe(
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
    // JSON null is an absent member.
    expect(messageOf((v) => v.list(null, 'targets', { required: true }))).toBe(
      "1 validation error detected: Value null at 'targets' failed to satisfy constraint: Member must not be null",
    );
  });

  it('reports integer ranges with "value" wording', () => {
    expect(
      messageOf((v) => {
        v.integer(0, 'limit', { min: 1, max: 100 });
        v.integer(101, 'other', { min: 1, max: 100 });
      }),
    ).toBe(
      "2 validation errors detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '101' at 'other' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
  });

  it('reports list lengths with the list printed the Java way', () => {
    expect(messageOf((v) => v.list([], 'targets', { min: 1, max: 100 }))).toBe(
      "1 validation error detected: Value '[]' at 'targets' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    expect(messageOf((v) => v.list(['a', 'b', 'c'], 'ids', { max: 2 }))).toBe(
      "1 validation error detected: Value '[a, b, c]' at 'ids' failed to satisfy constraint: Member must have length less than or equal to 2",
    );
  });

  it('reports constraints of list items on the list', () => {
    expect(messageOf((v) => v.stringList(['ok', ''], 'tagKeys', { member: { min: 1, max: 128 } }))).toBe(
      "1 validation error detected: Value '[ok, ]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]",
    );
  });

  it('reports map key and value constraints on the map', () => {
    expect(
      messageOf((v) =>
        v.stringMap({ 'bad key': 'v' }, 'headerParameters', { key: { max: 512, pattern: '[a-z]+' } }),
      ),
    ).toBe(
      "1 validation error detected: Value '{bad key=v}' at 'headerParameters' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 512, Member must satisfy regular expression pattern: [a-z]+]",
    );
  });

  it('merges violations rendered elsewhere into its count', () => {
    const message = messageOf((v) => {
      v.string('a b', 'name', NAME);
      expect(
        v.addRendered("2 validation errors detected: Value 'x' at 'a' failed; Value 'y' at 'b' failed"),
      ).toBe(true);
      expect(
        v.addRendered('Only one of Input, InputPath, or InputTransformer must be provided for target t.'),
      ).toBe(false);
    });
    expect(message).toMatch(
      /^3 validation errors detected: Value 'a b' at 'name' .*; Value 'x' at 'a' failed; Value 'y' at 'b' failed$/,
    );
  });
});

describe('WireValidator types (SerializationException, before any constraint)', () => {
  it('refuses a number where a string belongs, naming the member', () => {
    const v = new WireValidator();
    expect(() => v.string(42, 'name', NAME)).toThrow(SerializationError);
    expect(() => v.string(42, 'name', NAME)).toThrow("Value at 'name' must be a string, not a number.");
  });

  it('refuses objects, lists, booleans and fractions where they do not belong', () => {
    const v = new WireValidator();
    expect(() => v.string({}, 'entries.1.member.detail')).toThrow(
      "Value at 'entries.1.member.detail' must be a string, not an object.",
    );
    expect(() => v.list('x', 'targets')).toThrow("Value at 'targets' must be a list, not a string.");
    expect(() => v.integer(1.5, 'limit')).toThrow("Value at 'limit' must be an integer, not a number.");
    expect(() => v.integer('10', 'limit')).toThrow("Value at 'limit' must be an integer, not a string.");
    expect(() => v.boolean('true', 'force')).toThrow("Value at 'force' must be a boolean, not a string.");
    expect(() => v.stringList(['a', 1], 'ids')).toThrow(
      "Value at 'ids.2.member' must be a string, not a number.",
    );
    expect(() => v.object([], 'retryPolicy')).toThrow(
      "Value at 'retryPolicy' must be an object, not a list.",
    );
  });

  it('reads timestamps in epoch seconds (fractional, numeric strings, ISO 8601) as milliseconds', () => {
    const v = new WireValidator();
    expect(v.timestamp(1_767_323_045.123, 'time')).toBe(1_767_323_045_123);
    expect(v.timestamp(1_767_323_045, 'time')).toBe(1_767_323_045_000);
    expect(v.timestamp('1767323045.5', 'time')).toBe(1_767_323_045_500);
    expect(v.timestamp('2026-01-02T03:04:05Z', 'time')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(v.timestamp(null, 'time')).toBeUndefined();
    expect(() => v.timestamp('yesterday', 'time')).toThrow(SerializationError);
    expect(() => v.timestamp(1e300, 'time')).toThrow(SerializationError);
  });
});

describe('Java-style value printing', () => {
  it('prints values and structures as Coral echoes them', () => {
    expect(formatJavaValue(['a', null, { k: 'v' }])).toBe('[a, null, {k=v}]');
    expect(formatJavaStructure('Tag', ['Key', 'Value'], { Key: 'k' })).toBe('Tag(key=k, value=null)');
  });
});
