/**
 * Validation of AWS JSON input the way AWS's Coral layer does it, so clients get the texts they get
 * from AWS (reference §1.2, recorded in ../shared/conformance/aws-errors.json):
 *
 *   1 validation error detected: Value 'x y' at 'name' failed to satisfy constraint: Member must
 *   satisfy regular expression pattern: [\.\-_A-Za-z0-9]+
 *
 * Every constraint violation of a request is collected and reported in one ValidationError
 * (`N validation errors detected: a; b`), in the order of the members in the operation's input shape.
 * Within one member the order is pattern, maximum length, minimum length: the recorded three-error
 * message lists the pattern before the length for the same value. Model patterns are unanchored regular
 * expressions that AWS matches against the whole value, so they are anchored here. Lengths count
 * Unicode code points, as the service model does.
 *
 * Wrong JSON types are a different failure. Coral deserialises before it validates and stops at the
 * first member it cannot read, answering SerializationException (for a number sent as a string AWS
 * says `class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an
 * String`). The AWS SDKs never send a wrong type, so only hand-written JSON and untyped JavaScript
 * callers see this; they get AWS's exception name with a message that names the member and the types
 * instead of Java class names. A JSON `null` is treated as an absent member, as Coral does.
 */
import { codePointLength } from '@busway/patterns';
import { ValidationError } from '../errors.js';
import { SerializationError } from './error-shapes.js';

export interface StringConstraints {
  /** Minimum length in code points. */
  min?: number;
  /** Maximum length in code points. */
  max?: number;
  /** The service model's regular expression (unanchored, as AWS prints it). */
  pattern?: string;
  /** Allowed values, printed as `[A, B]` in the order given. */
  enum?: readonly string[];
}

export interface NumberConstraints {
  min?: number;
  max?: number;
}

export interface ListConstraints {
  min?: number;
  max?: number;
}

export interface MapConstraints {
  /** Maximum number of entries. */
  max?: number;
  key?: StringConstraints;
  value?: StringConstraints;
}

/** What a value looks like in JSON terms, for type error messages. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** The model measures lengths in Unicode code points, as @busway/patterns does for target input. */
export { codePointLength };

/** One Coral violation line. `shown` is the value as AWS prints it (without the quotes). */
export function violation(shown: string | null, path: string, constraint: string): string {
  const value = shown === null ? 'null' : `'${shown}'`;
  return `Value ${value} at '${path}' failed to satisfy constraint: ${constraint}`;
}

/** The ValidationError for a list of violations, with Coral's count prefix. */
export function validationErrorOf(violations: readonly string[], count = violations.length): ValidationError {
  return new ValidationError(
    `${count} validation error${count === 1 ? '' : 's'} detected: ${violations.join('; ')}`,
  );
}

/** Path of the `index`-th (0-based) member of a list, as Coral prints it: `targets.1.member`. */
export function memberPath(listPath: string, index: number): string {
  return `${listPath}.${index + 1}.member`;
}

/**
 * How Java prints a value inside a Coral message: strings bare, `null`, lists as `[a, b]`, maps as
 * `{k=v}`. Structures are printed by formatJavaStructure, which knows their member order.
 */
export function formatJavaValue(value: unknown, depth = 0): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // Echoed values come from the request; a deeply nested one must not overflow the stack (a 500).
  if (depth >= MAX_PRINT_DEPTH) return '...';
  if (Array.isArray(value)) return `[${value.map((item) => formatJavaValue(item, depth + 1)).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, item]) => `${key}=${formatJavaValue(item, depth + 1)}`)
      .join(', ')}}`;
  }
  return String(value);
}

const MAX_PRINT_DEPTH = 32;

/**
 * How Coral prints a request structure (Lombok-style `toString`): `Shape(member=value, ...)` with the
 * members in model order and lower-camel names, absent ones as `null`. AWS echoes whole lists this way
 * when a list is too long: `Value '[PutEventsRequestEntry(time=null, source=...)]' at 'entries' ...`.
 */
export function formatJavaStructure(
  shapeName: string,
  wireMembers: readonly string[],
  value: unknown,
  formatMember: (member: string, item: unknown) => string = (_member, item) => formatJavaValue(item),
): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return formatJavaValue(value);
  const record = value as Record<string, unknown>;
  const members = wireMembers.map(
    (member) => `${lowerCamel(member)}=${formatMember(member, record[member])}`,
  );
  return `${shapeName}(${members.join(', ')})`;
}

/** `EventBusName` -> `eventBusName`: Coral's paths use the model's member names in lower camel case. */
export function lowerCamel(wireName: string): string {
  return wireName.charAt(0).toLowerCase() + wireName.slice(1);
}

const compiledPatterns = new Map<string, RegExp>();

/** The model pattern anchored to the whole value (Java's `matches()`). */
function anchored(pattern: string): RegExp {
  let regex = compiledPatterns.get(pattern);
  if (regex === undefined) {
    // `u` so that \p{L} (RunCommandTargetKey) works and a surrogate pair counts as one character.
    regex = new RegExp(`^(?:${pattern})$`, 'u');
    compiledPatterns.set(pattern, regex);
  }
  return regex;
}

/** The violations of one string against its constraints, in Coral's order. */
export function stringViolations(value: string, path: string, constraints: StringConstraints): string[] {
  const found: string[] = [];
  if (constraints.enum !== undefined && !constraints.enum.includes(value)) {
    found.push(
      violation(value, path, `Member must satisfy enum value set: [${constraints.enum.join(', ')}]`),
    );
  }
  if (constraints.pattern !== undefined && !anchored(constraints.pattern).test(value)) {
    found.push(
      violation(value, path, `Member must satisfy regular expression pattern: ${constraints.pattern}`),
    );
  }
  const length = constraints.max !== undefined || constraints.min !== undefined ? codePointLength(value) : 0;
  if (constraints.max !== undefined && length > constraints.max) {
    found.push(violation(value, path, `Member must have length less than or equal to ${constraints.max}`));
  }
  if (constraints.min !== undefined && length < constraints.min) {
    found.push(violation(value, path, `Member must have length greater than or equal to ${constraints.min}`));
  }
  return found;
}

/**
 * The constraint texts a string breaks, without the `Value ... at ...` frame, for list members and map
 * keys, which Coral reports on the container: `Member must satisfy constraint: [...]`.
 */
function innerConstraintTexts(constraints: StringConstraints): string[] {
  const texts: string[] = [];
  if (constraints.max !== undefined)
    texts.push(`Member must have length less than or equal to ${constraints.max}`);
  if (constraints.min !== undefined)
    texts.push(`Member must have length greater than or equal to ${constraints.min}`);
  if (constraints.pattern !== undefined)
    texts.push(`Member must satisfy regular expression pattern: ${constraints.pattern}`);
  if (constraints.enum !== undefined)
    texts.push(`Member must satisfy enum value set: [${constraints.enum.join(', ')}]`);
  return texts;
}

/**
 * Reads and checks the members of one request. Readers return the typed value (or undefined when the
 * member is absent or breaks a constraint), throw SerializationError at once for a wrong JSON type, and
 * collect constraint violations; `throwIfInvalid()` then throws one ValidationError with all of them.
 */
export class WireValidator {
  private readonly violations: string[] = [];
  /** Violations added as pre-formatted groups (from @busway/patterns) count more than one line each. */
  private extraCount = 0;

  /** Adds a violation found by other code (already in Coral's `Value ... at ...` form). */
  add(text: string): void {
    this.violations.push(text);
  }

  /**
   * Adds the violations of a message already rendered as `N validation errors detected: a; b` (as
   * @busway/patterns' validateTargetInput throws), so that they are reported with this request's own.
   * Returns false when `message` is not such a message.
   */
  addRendered(message: string): boolean {
    const match = /^(\d+) validation errors? detected: ([\s\S]*)$/.exec(message);
    if (match === null || match[1] === undefined || match[2] === undefined) return false;
    this.violations.push(match[2]);
    this.extraCount += Number(match[1]) - 1;
    return true;
  }

  get count(): number {
    return this.violations.length + this.extraCount;
  }

  /** Throws the collected violations, if any, as one ValidationError. */
  throwIfInvalid(): void {
    if (this.violations.length > 0) throw validationErrorOf(this.violations, this.count);
  }

  /** Reports a required member that is absent (or JSON null). */
  private missing(path: string): undefined {
    this.violations.push(violation(null, path, 'Member must not be null'));
    return undefined;
  }

  string(
    value: unknown,
    path: string,
    constraints: StringConstraints & { required?: boolean } = {},
  ): string | undefined {
    if (value === undefined || value === null)
      return constraints.required === true ? this.missing(path) : undefined;
    if (typeof value !== 'string') throw typeError(path, 'a string', value);
    const found = stringViolations(value, path, constraints);
    this.violations.push(...found);
    return found.length === 0 ? value : undefined;
  }

  /** An integer member (Integer, Long). Fractions are refused: Coral would truncate them silently. */
  integer(
    value: unknown,
    path: string,
    constraints: NumberConstraints & { required?: boolean } = {},
  ): number | undefined {
    if (value === undefined || value === null)
      return constraints.required === true ? this.missing(path) : undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(path, 'an integer', value);
    const before = this.violations.length;
    if (constraints.max !== undefined && value > constraints.max) {
      this.violations.push(
        violation(String(value), path, `Member must have value less than or equal to ${constraints.max}`),
      );
    }
    if (constraints.min !== undefined && value < constraints.min) {
      this.violations.push(
        violation(String(value), path, `Member must have value greater than or equal to ${constraints.min}`),
      );
    }
    return this.violations.length === before ? value : undefined;
  }

  boolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw typeError(path, 'a boolean', value);
    return value;
  }

  /**
   * A timestamp, returned in epoch milliseconds. The AWS JSON protocols send epoch seconds as numbers
   * (JS v3 fractional, botocore whole); numeric strings and ISO 8601 texts are accepted too, for
   * hand-written requests.
   */
  timestamp(value: unknown, path: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    let seconds: number | undefined;
    if (typeof value === 'number') seconds = value;
    else if (typeof value === 'string') {
      const text = value.trim();
      if (/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) seconds = Number(text);
      else if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
        const ms = Date.parse(text);
        if (!Number.isNaN(ms)) seconds = ms / 1000;
      }
    }
    if (seconds === undefined || !Number.isFinite(seconds)) {
      throw typeError(path, 'a timestamp (epoch seconds)', value);
    }
    const ms = Math.round(seconds * 1000);
    // Date's range (±8.64e15 ms); beyond it nothing downstream can represent the time.
    if (Math.abs(ms) > 8.64e15) throw typeError(path, 'a timestamp (epoch seconds)', value);
    return ms;
  }

  /** A structure member: a JSON object. */
  object(
    value: unknown,
    path: string,
    options: { required?: boolean } = {},
  ): Record<string, unknown> | undefined {
    if (value === undefined || value === null)
      return options.required === true ? this.missing(path) : undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw typeError(path, 'an object', value);
    return value as Record<string, unknown>;
  }

  /**
   * A list member. Its length is checked here; its items are the caller's (structures are read member
   * by member under `memberPath(path, i)`). `shown` prints the whole list for a length violation.
   */
  list(
    value: unknown,
    path: string,
    constraints: ListConstraints & { required?: boolean; shown?: (items: unknown[]) => string } = {},
  ): unknown[] | undefined {
    if (value === undefined || value === null)
      return constraints.required === true ? this.missing(path) : undefined;
    if (!Array.isArray(value)) throw typeError(path, 'a list', value);
    const shown = (): string => (constraints.shown ?? formatJavaValue)(value);
    if (constraints.max !== undefined && value.length > constraints.max) {
      this.violations.push(
        violation(shown(), path, `Member must have length less than or equal to ${constraints.max}`),
      );
    }
    if (constraints.min !== undefined && value.length < constraints.min) {
      this.violations.push(
        violation(shown(), path, `Member must have length greater than or equal to ${constraints.min}`),
      );
    }
    return value;
  }

  /**
   * A list of strings. Coral reports constraints of the items on the list itself:
   * `Value '[a, b c]' at 'ids' failed to satisfy constraint: Member must satisfy constraint: [...]`.
   */
  stringList(
    value: unknown,
    path: string,
    constraints: ListConstraints & { required?: boolean; member?: StringConstraints } = {},
  ): string[] | undefined {
    const before = this.count;
    const items = this.list(value, path, constraints);
    if (items === undefined) return undefined;
    items.forEach((item, index) => {
      // Coral cannot put a null into a list of strings either; it fails deserialisation.
      if (typeof item !== 'string') throw typeError(`${path}.${index + 1}.member`, 'a string', item);
    });
    const strings = items as string[];
    const member = constraints.member;
    if (member !== undefined && strings.some((item) => stringViolations(item, path, member).length > 0)) {
      this.violations.push(
        violation(
          formatJavaValue(strings),
          path,
          `Member must satisfy constraint: [${innerConstraintTexts(member).join(', ')}]`,
        ),
      );
    }
    return this.count === before ? strings : undefined;
  }

  /** A map of strings to strings (`{k=v}` when printed), with constraints on keys and values. */
  stringMap(
    value: unknown,
    path: string,
    constraints: MapConstraints & { required?: boolean } = {},
  ): Record<string, string> | undefined {
    const record = this.object(value, path, constraints);
    if (record === undefined) return undefined;
    const entries = Object.entries(record);
    for (const [key, item] of entries) {
      if (typeof item !== 'string') throw typeError(`${path}.${key}`, 'a string', item);
    }
    const before = this.count;
    const shown = formatJavaValue(record);
    if (constraints.max !== undefined && entries.length > constraints.max) {
      this.violations.push(
        violation(shown, path, `Member must have length less than or equal to ${constraints.max}`),
      );
    }
    const { key, value: valueConstraints } = constraints;
    if (key !== undefined && entries.some(([name]) => stringViolations(name, path, key).length > 0)) {
      this.violations.push(
        violation(shown, path, `Map keys must satisfy constraint: [${innerConstraintTexts(key).join(', ')}]`),
      );
    }
    if (
      valueConstraints !== undefined &&
      entries.some(([, item]) => stringViolations(item as string, path, valueConstraints).length > 0)
    ) {
      this.violations.push(
        violation(
          shown,
          path,
          `Map value must satisfy constraint: [${innerConstraintTexts(valueConstraints).join(', ')}]`,
        ),
      );
    }
    return this.count === before ? (record as Record<string, string>) : undefined;
  }
}

/** The SerializationError for a member of the wrong JSON type. */
export function typeError(path: string, expected: string, value: unknown): SerializationError {
  return new SerializationError(`Value at '${path}' must be ${expected}, not ${jsonTypeOf(value)}.`);
}
