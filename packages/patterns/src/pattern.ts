/**
 * Parsing and validating EventBridge event patterns. A pattern compiles into sub-rules (one per
 * combination of `$or` branches), each a list of field conditions sorted by dotted path; a condition is
 * the OR of its matchers. Messages are event-ruler's compiler texts, which AWS returns verbatim.
 */
import { InvalidPatternError } from './errors.js';
import { isInRange, ipKey, parseCidr, type IpRange } from './ip.js';
import {
  JsonSyntaxError,
  nodesFromValue,
  parseJsonNodes,
  positionOf,
  type JsonNode,
  type JsonObject,
} from './json.js';
import {
  compileIgnoreCase,
  endsWithIgnoreCase,
  equalsIgnoreCase,
  startsWithIgnoreCase,
  type IgnoreCase,
} from './ignore-case.js';
import { exactDouble } from './numbers.js';
import { parseWildcard, matchWildcard, wildcardComplexity, type Wildcard } from './wildcard.js';

export type AnythingBut =
  | { form: 'values'; strings: ReadonlySet<string>; numbers: ReadonlySet<number> }
  | { form: 'prefix' | 'suffix'; values: readonly string[] }
  | { form: 'equals-ignore-case'; values: readonly IgnoreCase[] }
  | { form: 'wildcard'; values: readonly Wildcard[] };

export type Matcher =
  /** Exact string; `ip` is set when the string is an IP literal, which then matches any spelling of it. */
  | { kind: 'string'; value: string; ip: string | undefined }
  /** Exact number: by its text, and by value when a double holds it exactly (`value`). */
  | { kind: 'number'; text: string; value: number | undefined }
  | { kind: 'literal'; value: 'true' | 'false' | 'null' }
  /** `value` is the affix, or with `ignoreCase` its foldCase key (the index key; `ignoreCase` decides). */
  | { kind: 'prefix' | 'suffix'; value: string; ignoreCase: IgnoreCase | undefined }
  /** `value` is the foldCase key. */
  | { kind: 'equals-ignore-case'; value: string; ignoreCase: IgnoreCase }
  | { kind: 'wildcard'; wildcard: Wildcard }
  | { kind: 'numeric'; low: number; lowInclusive: boolean; high: number; highInclusive: boolean }
  | { kind: 'cidr'; range: IpRange }
  | { kind: 'exists'; value: boolean }
  | { kind: 'anything-but'; but: AnythingBut };

export interface Condition {
  /** Dotted field path, e.g. `detail.state`. */
  readonly path: string;
  /** Alternatives: the condition holds when any matcher does. */
  readonly matchers: readonly Matcher[];
  /** Canonical text of the matchers; equal keys mean equal conditions. */
  readonly key: string;
}

/** One conjunction of conditions, sorted by path (the order event-ruler evaluates them in). */
export type SubRule = readonly Condition[];

export interface Pattern {
  /** The pattern's JSON text as given (or serialised, when given as an object). */
  readonly text: string;
  readonly subRules: readonly SubRule[];
}

export interface PatternOptions {
  /** Maximum pattern length in characters: EventBridge's quota, 2048 by default, adjustable up to 4096. */
  maxLength?: number;
}

export const DEFAULT_MAX_PATTERN_LENGTH = 2048;
export const MAX_PATTERN_LENGTH_LIMIT = 4096;
/** EventBridge refuses patterns whose `$or`s expand to more than this many combinations. */
export const MAX_OR_COMBINATIONS = 1000;
/** event-ruler's MAXIMUM_RULE_SIZE: fields per (sub-)rule. */
export const MAX_FIELDS_PER_RULE = 256;
/**
 * Wildcard complexity AWS accepts. AWS rejects Ruler complexity 11 and accepts 7 (see wildcard.ts);
 * the threshold in between is not published, so we refuse from 10 up.
 */
export const MAX_WILDCARD_COMPLEXITY = 9;

const RESERVED_WORDS = new Set([
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
]);

/**
 * Parses and validates a pattern. Throws InvalidPatternError with AWS's message for anything
 * EventBridge would refuse.
 */
export function parsePattern(input: string | JsonObject, options: PatternOptions = {}): Pattern {
  const maxLength = options.maxLength ?? DEFAULT_MAX_PATTERN_LENGTH;
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > MAX_PATTERN_LENGTH_LIMIT) {
    throw new RangeError(
      `maxLength must be an integer from 1 to ${MAX_PATTERN_LENGTH_LIMIT}, got ${maxLength}`,
    );
  }
  let text: string;
  let root: JsonNode;
  if (typeof input === 'string') {
    text = input;
    checkLength(text, maxLength);
    try {
      root = parseJsonNodes(text);
    } catch (error) {
      if (error instanceof JsonSyntaxError) throw new InvalidPatternError(error.message, error);
      throw error;
    }
  } else {
    try {
      text = JSON.stringify(input);
      root = nodesFromValue(input);
    } catch (error) {
      throw new InvalidPatternError(error instanceof Error ? error.message : String(error));
    }
    checkLength(text, maxLength);
  }
  const compiler = new Compiler(text);
  if (root.kind !== 'object') throw compiler.error('Filter is not an object', root);
  const drafts = compiler.compileObject(root, '', false);
  const subRules = drafts.map((draft) => {
    if (draft.size > MAX_FIELDS_PER_RULE) {
      throw compiler.error(`Rule has ${draft.size} fields; at most ${MAX_FIELDS_PER_RULE} are allowed`, root);
    }
    return orderConditions([...draft.values()]);
  });
  compiler.checkWildcardComplexity(subRules);
  return { text, subRules };
}

function checkLength(text: string, maxLength: number): void {
  if (text.length > maxLength) {
    throw new InvalidPatternError(
      `Event pattern is ${text.length} characters long; the limit is ${maxLength} (EventBridge's event pattern size quota)`,
    );
  }
}

/** A sub-rule under construction: path → condition; a later condition on the same path replaces an earlier one. */
type Draft = Map<string, Condition>;

class Compiler {
  constructor(private readonly text: string) {}

  error(reason: string, node: JsonNode): InvalidPatternError {
    return new InvalidPatternError(reason, node.at >= 0 ? positionOf(this.text, node.at) : undefined);
  }

  compileObject(node: Extract<JsonNode, { kind: 'object' }>, prefix: string, inOr: boolean): Draft[] {
    if (node.members.length === 0) throw this.error('Empty objects are not allowed', node);
    let drafts: Draft[] = [new Map()];
    for (const [key, value] of node.members) {
      if (key === '$or' && isOrArray(value)) {
        const branches: Draft[] = [];
        for (const branch of value.items) {
          branches.push(...this.compileObject(branch as Extract<JsonNode, { kind: 'object' }>, prefix, true));
          this.checkCombinations(drafts.length * branches.length, value);
        }
        drafts = this.cross(drafts, branches, value);
        continue;
      }
      if (inOr && RESERVED_WORDS.has(key)) {
        throw this.error(`${key} is Ruler reserved fieldName which cannot be used inside $or.`, value);
      }
      const path = prefix === '' ? key : `${prefix}.${key}`;
      if (value.kind === 'object') {
        drafts = this.cross(drafts, this.compileObject(value, path, inOr), value);
      } else if (value.kind === 'array') {
        const condition = this.compileCondition(path, value);
        for (const draft of drafts) draft.set(path, condition);
      } else {
        throw this.error(`"${key}" must be an object or an array`, value);
      }
    }
    return drafts;
  }

  private cross(left: Draft[], right: Draft[], at: JsonNode): Draft[] {
    if (right.length === 1) {
      for (const draft of left) for (const [path, c] of right[0]!) draft.set(path, c);
      return left;
    }
    this.checkCombinations(left.length * right.length, at);
    const out: Draft[] = [];
    for (const l of left) {
      for (const r of right) {
        const merged = new Map(l);
        for (const [path, c] of r) merged.set(path, c);
        out.push(merged);
      }
    }
    return out;
  }

  private checkCombinations(count: number, at: JsonNode): void {
    if (count > MAX_OR_COMBINATIONS) {
      throw this.error(
        `The $or expressions in this pattern produce more than ${MAX_OR_COMBINATIONS} rule combinations`,
        at,
      );
    }
  }

  private compileCondition(path: string, node: Extract<JsonNode, { kind: 'array' }>): Condition {
    if (node.items.length === 0) throw this.error('Empty arrays are not allowed', node);
    const matchers: Matcher[] = [];
    for (const item of node.items) matchers.push(this.compileMatcher(item));
    const keys = [...new Set(matchers.map(matcherKey))].sort();
    return { path, matchers, key: keys.join('\u0000') };
  }

  private compileMatcher(node: JsonNode): Matcher {
    switch (node.kind) {
      case 'string':
        return { kind: 'string', value: node.value, ip: ipKey(node.value) };
      case 'number':
        return { kind: 'number', text: node.text, value: exactDouble(node.text) };
      case 'literal':
        return { kind: 'literal', value: node.value };
      case 'array':
        throw this.error('Match value must be String, number, true, false, or null', node);
      case 'object':
        return this.compileOperator(node);
    }
  }

  private compileOperator(node: Extract<JsonNode, { kind: 'object' }>): Matcher {
    const first = node.members[0];
    if (first === undefined) throw this.error('Match expression name not found', node);
    // Ruler reads the expression as a stream: the first operator is compiled (and its errors win)
    // before a second key is noticed, and numeric/anything-but report that with their own text.
    const matcher = this.compileOperatorMember(first[0], first[1], node);
    const extra = node.members[1];
    if (extra !== undefined) {
      const numericLike = first[0] === 'numeric' || first[0] === 'anything-but';
      throw this.error(
        numericLike ? 'Too many elements in numeric expression' : 'Only one key allowed in match expression',
        extra[1],
      );
    }
    return matcher;
  }

  private compileOperatorMember(op: string, operand: JsonNode, node: JsonNode): Matcher {
    switch (op) {
      case 'exactly':
        if (operand.kind !== 'string') throw this.error('exact match pattern must be a string', operand);
        return { kind: 'string', value: operand.value, ip: undefined };
      case 'prefix':
      case 'suffix': {
        if (operand.kind === 'string') return { kind: op, value: operand.value, ignoreCase: undefined };
        const ignoreCase = this.ignoreCaseOperand(op, operand);
        if (ignoreCase === undefined) throw this.error(`${op} match pattern must be a string`, operand);
        return { kind: op, value: ignoreCase.key, ignoreCase };
      }
      case 'equals-ignore-case': {
        if (operand.kind !== 'string') {
          throw this.error('equals-ignore-case match pattern must be a string', operand);
        }
        const ignoreCase = compileIgnoreCase(operand.value);
        return { kind: 'equals-ignore-case', value: ignoreCase.key, ignoreCase };
      }
      case 'wildcard':
        if (operand.kind !== 'string') throw this.error('wildcard match pattern must be a string', operand);
        return { kind: 'wildcard', wildcard: this.wildcard(operand) };
      case 'exists':
        if (operand.kind !== 'literal' || operand.value === 'null') {
          throw this.error('exists match pattern must be either true or false.', operand);
        }
        return { kind: 'exists', value: operand.value === 'true' };
      case 'numeric':
        return this.numeric(operand);
      case 'cidr': {
        if (operand.kind !== 'string') throw this.error('prefix match pattern must be a string', operand);
        try {
          return { kind: 'cidr', range: parseCidr(operand.value) };
        } catch (error) {
          throw this.error((error as Error).message, operand);
        }
      }
      case 'anything-but':
        return { kind: 'anything-but', but: this.anythingBut(operand) };
      default:
        throw this.error(`Unrecognized match type ${op}`, node);
    }
  }

  /** `{"equals-ignore-case": "x"}` as the operand of prefix/suffix, else undefined (not an object). */
  private ignoreCaseOperand(op: string, operand: JsonNode): IgnoreCase | undefined {
    if (operand.kind !== 'object') return undefined;
    const first = operand.members[0];
    if (first === undefined) throw this.error('Match expression name not found', operand);
    const [key, value] = first;
    if (key !== 'equals-ignore-case') throw this.error(`Unsupported ${op} pattern: ${key}`, operand);
    if (value.kind !== 'string') throw this.error('equals-ignore-case match pattern must be a string', value);
    if (operand.members.length > 1) throw this.error('Only one key allowed in match expression', operand);
    return compileIgnoreCase(value.value);
  }

  private wildcard(node: Extract<JsonNode, { kind: 'string' }>): Wildcard {
    try {
      return parseWildcard(node.value);
    } catch (error) {
      throw this.error((error as Error).message, node);
    }
  }

  private numeric(node: JsonNode): Matcher {
    if (node.kind !== 'array') throw this.error('Value of numeric must be an array.', node);
    const items = node.items;
    let i = 0;
    const operator = (): string => {
      const item = items[i++];
      if (item === undefined || item.kind !== 'string') {
        throw this.error(`Invalid member in numeric match: ${item ? describe(item) : ']'}`, item ?? node);
      }
      return item.value;
    };
    const operand = (op: string): number => {
      const item = items[i++];
      if (item === undefined || item.kind !== 'number') {
        throw this.error(`Value of ${op === '=' ? 'equals' : op} must be numeric`, item ?? node);
      }
      const value = exactDouble(item.text);
      if (value === undefined) {
        throw this.error(`Value of ${op} must be a number a double can hold exactly: ${item.text}`, item);
      }
      return value;
    };
    const end = (): void => {
      if (i < items.length) throw this.error('Too many elements in numeric expression', items[i]!);
    };
    const first = operator();
    switch (first) {
      case '=': {
        const v = operand('=');
        end();
        return { kind: 'numeric', low: v, lowInclusive: true, high: v, highInclusive: true };
      }
      case '<':
      case '<=': {
        const v = operand(first);
        end();
        return {
          kind: 'numeric',
          low: -Infinity,
          lowInclusive: false,
          high: v,
          highInclusive: first === '<=',
        };
      }
      case '>':
      case '>=': {
        const low = operand(first);
        if (i >= items.length) {
          return { kind: 'numeric', low, lowInclusive: first === '>=', high: Infinity, highInclusive: false };
        }
        const next = items[i]!;
        if (next.kind !== 'string') throw this.error(`Bad value in numeric range: ${describe(next)}`, next);
        const second = operator();
        if (second !== '<' && second !== '<=') {
          throw this.error(`Bad numeric range operator: ${second}`, items[i - 1]!);
        }
        const high = operand(second);
        if (i < items.length) throw this.error('Too many terms in numeric range expression', items[i]!);
        if (!(low < high)) throw this.error('Bottom must be less than top', node);
        return { kind: 'numeric', low, lowInclusive: first === '>=', high, highInclusive: second === '<=' };
      }
      default:
        throw this.error(`Unrecognized numeric range operator: ${first}`, items[0]!);
    }
  }

  private anythingBut(node: JsonNode): AnythingBut {
    const valueError = 'Value of anything-but must be an array or single string/number value.';
    switch (node.kind) {
      case 'string':
        return { form: 'values', strings: new Set([node.value]), numbers: new Set() };
      case 'number':
        return this.numbersOnly([node]);
      case 'literal':
        throw this.error(valueError, node);
      case 'array': {
        if (node.items.length === 0) {
          // Ruler's text for an empty list: it finds neither all-strings nor all-numbers.
          throw this.error(
            'Inside anything but list, either all values are number or string, mixed type is not supported',
            node,
          );
        }
        const strings: string[] = [];
        const numbers: Array<Extract<JsonNode, { kind: 'number' }>> = [];
        for (const item of node.items) {
          if (item.kind === 'string') strings.push(item.value);
          else if (item.kind === 'number') numbers.push(item);
          else throw this.error('Inside anything but list, start|null|boolean is not supported.', item);
          if (strings.length > 0 && numbers.length > 0) {
            throw this.error(
              'Inside anything but list, either all values are number or string, mixed type is not supported',
              item,
            );
          }
        }
        if (numbers.length > 0) return this.numbersOnly(numbers);
        return { form: 'values', strings: new Set(strings), numbers: new Set() };
      }
      case 'object': {
        const first = node.members[0];
        if (first === undefined) throw this.error('Anything-But expression name not found', node);
        const [op, operand] = first;
        const extra = node.members[1];
        if (extra !== undefined) throw this.error('Too many elements in numeric expression', extra[1]);
        switch (op) {
          case 'prefix':
          case 'suffix': {
            // An operand object (e.g. equals-ignore-case) is a form anything-but does not have.
            if (operand.kind === 'object') throw this.error(valueError, node);
            const values = this.stringList(operand, 'prefix/suffix match pattern must be a string');
            if (values.some((v) => v === '')) throw this.error('Null prefix/suffix not allowed', operand);
            return { form: op, values };
          }
          case 'equals-ignore-case': {
            const values = this.stringList(
              operand,
              'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
            );
            return { form: 'equals-ignore-case', values: values.map(compileIgnoreCase) };
          }
          case 'wildcard': {
            const list = operand.kind === 'array' ? operand.items : [operand];
            if (list.length === 0) throw this.error('Empty arrays are not allowed', operand);
            const values = list.map((item) => {
              if (item.kind !== 'string') throw this.error('wildcard match pattern must be a string', item);
              return this.wildcard(item);
            });
            return { form: 'wildcard', values };
          }
          default:
            throw this.error(`Unsupported anything-but pattern: ${op}`, node);
        }
      }
    }
  }

  /** Numbers to exclude; Ruler refuses any a double cannot hold exactly. */
  private numbersOnly(items: Array<Extract<JsonNode, { kind: 'number' }>>): AnythingBut {
    const numbers = new Set<number>();
    for (const item of items) {
      const value = exactDouble(item.text);
      if (value === undefined) {
        throw this.error(
          `Value of anything-but must be a number a double can hold exactly: ${item.text}`,
          item,
        );
      }
      numbers.add(value);
    }
    return { form: 'values', strings: new Set(), numbers };
  }

  /** A string or a non-empty array of strings. */
  private stringList(node: JsonNode, message: string): string[] {
    if (node.kind === 'string') return [node.value];
    if (node.kind !== 'array') throw this.error(message, node);
    if (node.items.length === 0) throw this.error('Empty arrays are not allowed', node);
    return node.items.map((item) => {
      if (item.kind !== 'string') throw this.error(message, item);
      return item.value;
    });
  }

  /** AWS service limit on wildcard non-determinism, per field of each sub-rule. */
  checkWildcardComplexity(subRules: readonly SubRule[]): void {
    const checked = new Set<Condition>(); // $or expansion shares condition objects across sub-rules
    for (const subRule of subRules) {
      for (const condition of subRule) {
        if (checked.has(condition)) continue;
        checked.add(condition);
        const wildcards: Wildcard[] = [];
        for (const m of condition.matchers) {
          if (m.kind === 'wildcard') wildcards.push(m.wildcard);
          else if (m.kind === 'anything-but' && m.but.form === 'wildcard') wildcards.push(...m.but.values);
        }
        if (wildcards.length === 0 || wildcards.every((w) => w.segments.length <= 1)) continue;
        if (wildcardComplexity(wildcards, MAX_WILDCARD_COMPLEXITY + 1) > MAX_WILDCARD_COMPLEXITY) {
          throw new InvalidPatternError(
            'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
          );
        }
      }
    }
  }
}

/**
 * The order a sub-rule's conditions are walked in. event-ruler walks field names in lexical order, and
 * that order is observable only through exists:false inside arrays (it is checked against the array
 * elements chosen by the fields before it). Sub-rules with an absence alternative keep lexical order,
 * to give Ruler's answers. For all others the answer is the same in any order, so the selective
 * conditions go first: a rule whose exact condition misses is then dropped by one hash lookup, instead
 * of first passing an anything-but that nearly every event satisfies.
 */
function orderConditions(conditions: Condition[]): Condition[] {
  const byPath = (a: Condition, b: Condition): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  if (conditions.some((c) => c.matchers.some((m) => m.kind === 'exists' && !m.value))) {
    return conditions.sort(byPath);
  }
  return conditions.sort((a, b) => selectivity(a) - selectivity(b) || byPath(a, b));
}

/** 0: found by a hash lookup; 1: found through an index; 2: tested against every value. */
function selectivity(condition: Condition): number {
  let worst = 0;
  for (const m of condition.matchers) {
    switch (m.kind) {
      case 'string':
      case 'number':
      case 'literal':
      case 'equals-ignore-case':
        break;
      case 'prefix':
      case 'suffix':
      case 'numeric':
      case 'cidr':
        worst = Math.max(worst, 1);
        break;
      case 'wildcard':
        worst = Math.max(worst, m.wildcard.leadingStar ? 2 : 1);
        break;
      case 'anything-but':
      case 'exists':
        worst = 2;
        break;
    }
  }
  return worst;
}

/** `$or` only means "or" with two or more objects; anything else is an ordinary field named `$or`. */
function isOrArray(node: JsonNode): node is Extract<JsonNode, { kind: 'array' }> {
  return (
    node.kind === 'array' && node.items.length >= 2 && node.items.every((item) => item.kind === 'object')
  );
}

function describe(node: JsonNode): string {
  switch (node.kind) {
    case 'number':
      return node.text;
    case 'literal':
      return node.value;
    case 'string':
      return node.value;
    case 'array':
      return '[';
    case 'object':
      return '{';
  }
}

/** A canonical text for a matcher, so identical conditions share one path in the rule machine. */
export function matcherKey(m: Matcher): string {
  switch (m.kind) {
    case 'string':
      return `s:${m.value}`;
    case 'number':
      return `n:${m.value ?? m.text}`;
    case 'literal':
      return `l:${m.value}`;
    case 'prefix':
    case 'suffix':
      return m.ignoreCase ? `${m.kind}/i:${m.ignoreCase.source}` : `${m.kind}:${m.value}`;
    case 'equals-ignore-case':
      return `i:${m.ignoreCase.source}`;
    case 'wildcard':
      return `w:${m.wildcard.source}`;
    case 'numeric':
      return `r:${m.lowInclusive ? '[' : '('}${m.low},${m.high}${m.highInclusive ? ']' : ')'}`;
    case 'cidr':
      return `c:${m.range.low}-${m.range.high}`;
    case 'exists':
      return `e:${m.value}`;
    case 'anything-but': {
      const b = m.but;
      switch (b.form) {
        case 'values':
          return `!v:${JSON.stringify([[...b.strings].sort(), [...b.numbers].sort()])}`;
        case 'prefix':
        case 'suffix':
          return `!${b.form}:${JSON.stringify([...b.values].sort())}`;
        case 'equals-ignore-case':
          return `!i:${JSON.stringify(b.values.map((v) => v.source).sort())}`;
        case 'wildcard':
          return `!w:${JSON.stringify(b.values.map((w) => w.source).sort())}`;
      }
    }
  }
}

/** What the matcher sees of one event value: its JSON type and its text (decoded for strings). */
export interface LeafValue {
  readonly type: LeafType;
  /** Decoded string, exact number text, or `true` / `false` / `null`. */
  readonly text: string;
}

export const enum LeafType {
  String = 0,
  Number = 1,
  Literal = 2,
}

/**
 * Whether one matcher accepts one present value. exists:false never accepts a present value: its
 * match is decided by the absence of values, in the rule machine.
 */
export function matcherAccepts(m: Matcher, leaf: LeafValue): boolean {
  const isString = leaf.type === LeafType.String;
  switch (m.kind) {
    case 'string':
      if (!isString) return false;
      if (leaf.text === m.value) return true;
      return m.ip !== undefined && ipKey(leaf.text) === m.ip;
    case 'number':
      if (leaf.type !== LeafType.Number) return false;
      if (leaf.text === m.text) return true;
      return m.value !== undefined && exactDouble(leaf.text) === m.value;
    case 'literal':
      return leaf.type === LeafType.Literal && leaf.text === m.value;
    case 'prefix':
      if (!isString) return false;
      return m.ignoreCase ? startsWithIgnoreCase(m.ignoreCase, leaf.text) : leaf.text.startsWith(m.value);
    case 'suffix':
      if (!isString) return false;
      return m.ignoreCase ? endsWithIgnoreCase(m.ignoreCase, leaf.text) : leaf.text.endsWith(m.value);
    case 'equals-ignore-case':
      return isString && equalsIgnoreCase(m.ignoreCase, leaf.text);
    case 'wildcard':
      return isString && matchWildcard(m.wildcard, leaf.text);
    case 'numeric': {
      if (leaf.type !== LeafType.Number) return false;
      const v = exactDouble(leaf.text);
      return v !== undefined && inNumericRange(m, v);
    }
    case 'cidr': {
      if (!isString) return false;
      const key = ipKey(leaf.text);
      return key !== undefined && isInRange(key, m.range);
    }
    case 'exists':
      return m.value;
    case 'anything-but':
      return !isExcluded(m.but, leaf);
  }
}

export function inNumericRange(m: Extract<Matcher, { kind: 'numeric' }>, v: number): boolean {
  if (m.lowInclusive ? v < m.low : v <= m.low) return false;
  if (m.highInclusive ? v > m.high : v >= m.high) return false;
  return true;
}

/** Whether an anything-but excludes this value (values of the other type are never excluded). */
export function isExcluded(but: AnythingBut, leaf: LeafValue): boolean {
  switch (but.form) {
    case 'values': {
      if (leaf.type === LeafType.String) return but.strings.has(leaf.text);
      if (leaf.type !== LeafType.Number || but.numbers.size === 0) return false;
      const v = exactDouble(leaf.text);
      return v !== undefined && but.numbers.has(v);
    }
    case 'prefix':
      return leaf.type === LeafType.String && but.values.some((p) => leaf.text.startsWith(p));
    case 'suffix':
      return leaf.type === LeafType.String && but.values.some((s) => leaf.text.endsWith(s));
    case 'equals-ignore-case':
      return leaf.type === LeafType.String && but.values.some((v) => equalsIgnoreCase(v, leaf.text));
    case 'wildcard':
      return leaf.type === LeafType.String && but.values.some((w) => matchWildcard(w, leaf.text));
  }
}
