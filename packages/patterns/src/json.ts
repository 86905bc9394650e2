/**
 * A small JSON reader of our own. JSON.parse cannot be used for patterns or events because EventBridge
 * treats a number's text as part of its identity (`[300]` matches `300.0` numerically but
 * `12345678901234567` only by its exact text), and because AWS reports malformed patterns with the
 * messages of its Java parser (Jackson), which callers see verbatim.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A JSON syntax error: Jackson's wording, and the 1-based line and column where it was found. */
export class JsonSyntaxError extends Error {
  readonly line: number;
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(message);
    this.name = 'JsonSyntaxError';
    this.line = line;
    this.column = column;
  }
}

/** Jackson's default limit (StreamReadConstraints.maxNestingDepth); deeper input is refused, not recursed. */
export const MAX_JSON_DEPTH = 1000;

const EXPECTING_VALUE = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

/** Character codes used by the scanner. */
const enum Ch {
  Tab = 9,
  Newline = 10,
  Return = 13,
  Space = 32,
  Quote = 34,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Zero = 48,
  Nine = 57,
  Colon = 58,
  Backslash = 92,
  OpenBracket = 91,
  CloseBracket = 93,
  OpenBrace = 123,
  CloseBrace = 125,
  LowerE = 101,
  UpperE = 69,
}

/**
 * A cursor over JSON text. Shared by the pattern parser (which builds a tree) and the event flattener
 * (which streams leaves and skips what no rule looks at), so both accept exactly the same JSON.
 */
export class JsonCursor {
  readonly text: string;
  pos = 0;
  depth = 0;

  constructor(text: string) {
    this.text = text;
  }

  fail(message: string, at = this.pos): never {
    const { line, column } = positionOf(this.text, at);
    throw new JsonSyntaxError(message, line, column);
  }

  skipWhitespace(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === Ch.Space || c === Ch.Newline || c === Ch.Return || c === Ch.Tab) pos++;
      else break;
    }
    this.pos = pos;
  }

  /** The next significant character code, or NaN at end of input. */
  peek(): number {
    this.skipWhitespace();
    return this.text.charCodeAt(this.pos);
  }

  enter(): void {
    if (++this.depth > MAX_JSON_DEPTH) {
      this.fail(`Document nesting depth (${this.depth}) exceeds the maximum allowed (${MAX_JSON_DEPTH})`);
    }
  }

  leave(): void {
    this.depth--;
  }

  unexpected(c: number, expectation: string): never {
    if (Number.isNaN(c)) this.fail(`Unexpected end-of-input: ${expectation}`);
    const ch = String.fromCodePoint(this.text.codePointAt(this.pos) ?? c);
    if (c < 32)
      this.fail(
        `Illegal character ((CTRL-CHAR, code ${c})): only regular white space allowed between tokens`,
      );
    this.fail(`Unexpected character ('${ch}' (code ${ch.codePointAt(0)})): ${expectation}`);
  }

  /** Reports what Jackson reports for a bare word or a stray character where a value should start. */
  badValueStart(): never {
    const c = this.text.charCodeAt(this.pos);
    if (isTokenChar(c)) {
      let end = this.pos;
      while (end < this.text.length && isTokenChar(this.text.charCodeAt(end))) end++;
      const token = this.text.slice(this.pos, end);
      if (token === 'NaN' || token === 'Infinity') {
        this.fail(
          `Non-standard token '${token}': enable \`JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS\` to allow`,
        );
      }
      this.fail(`Unrecognized token '${token}': was expecting ${EXPECTING_VALUE}`);
    }
    this.unexpected(c, 'expected a value');
  }

  /** Reads a string token starting at the opening quote; returns the decoded value. */
  readString(): string {
    const text = this.text;
    let pos = this.pos + 1;
    let start = pos;
    let out = '';
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === Ch.Quote) {
        this.pos = pos + 1;
        return out + text.slice(start, pos);
      }
      if (c === Ch.Backslash) {
        out += text.slice(start, pos);
        pos++;
        const e = text.charCodeAt(pos);
        switch (e) {
          case 34:
            out += '"';
            break;
          case 92:
            out += '\\';
            break;
          case 47:
            out += '/';
            break;
          case 98:
            out += '\b';
            break;
          case 102:
            out += '\f';
            break;
          case 110:
            out += '\n';
            break;
          case 114:
            out += '\r';
            break;
          case 116:
            out += '\t';
            break;
          case 117: {
            const hex = text.slice(pos + 1, pos + 5);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
              this.fail(
                'Unexpected character in Unicode escape: expected a hex-digit for character escape sequence',
                pos,
              );
            }
            out += String.fromCharCode(parseInt(hex, 16));
            pos += 4;
            break;
          }
          default:
            if (Number.isNaN(e)) this.fail('Unexpected end-of-input in VALUE_STRING', pos);
            this.fail(`Unrecognized character escape '${String.fromCharCode(e)}' (code ${e})`, pos);
        }
        pos++;
        start = pos;
        continue;
      }
      if (Number.isNaN(c)) this.fail('Unexpected end-of-input in VALUE_STRING', pos);
      if (c < 32) {
        this.fail(
          `Illegal unquoted character ((CTRL-CHAR, code ${c})): has to be escaped using backslash to be included in string value`,
          pos,
        );
      }
      pos++;
    }
  }

  /** Skips a string token without decoding it (still validating escapes and control characters). */
  skipString(): void {
    const text = this.text;
    const from = this.pos + 1;
    const quote = text.indexOf('"', from);
    if (quote < 0) this.fail('Unexpected end-of-input in VALUE_STRING', text.length);
    for (let i = from; i < quote; i++) {
      const c = text.charCodeAt(i);
      // Escapes and control characters are rare: hand those strings to the full reader.
      if (c === Ch.Backslash || c < 32) {
        this.readString();
        return;
      }
    }
    this.pos = quote + 1;
  }

  /** Reads a number token and returns its exact text (validated against JSON's grammar). */
  readNumberText(): string {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    let c = text.charCodeAt(pos);
    if (c === Ch.Minus) c = text.charCodeAt(++pos);
    if (c === Ch.Zero) {
      c = text.charCodeAt(++pos);
      if (c >= Ch.Zero && c <= Ch.Nine) this.fail('Invalid numeric value: Leading zeroes not allowed', pos);
    } else if (c >= Ch.Zero + 1 && c <= Ch.Nine) {
      do c = text.charCodeAt(++pos);
      while (c >= Ch.Zero && c <= Ch.Nine);
    } else {
      if (isTokenChar(c)) {
        let end = pos;
        while (end < text.length && isTokenChar(text.charCodeAt(end))) end++;
        const word = text.slice(pos, end);
        if (word === 'Infinity') {
          this.fail(
            `Non-standard token '-Infinity': enable \`JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS\` to allow`,
          );
        }
      }
      this.fail(
        'Unexpected character: expected digit (0-9) to follow minus sign, for valid numeric value',
        pos,
      );
    }
    if (c === Ch.Dot) {
      c = text.charCodeAt(++pos);
      if (!(c >= Ch.Zero && c <= Ch.Nine)) {
        this.fail('Unexpected character: Decimal point not followed by a digit', pos);
      }
      do c = text.charCodeAt(++pos);
      while (c >= Ch.Zero && c <= Ch.Nine);
    }
    if (c === Ch.LowerE || c === Ch.UpperE) {
      c = text.charCodeAt(++pos);
      if (c === Ch.Plus || c === Ch.Minus) c = text.charCodeAt(++pos);
      if (!(c >= Ch.Zero && c <= Ch.Nine)) {
        this.fail('Unexpected character: Exponent indicator not followed by a digit', pos);
      }
      do c = text.charCodeAt(++pos);
      while (c >= Ch.Zero && c <= Ch.Nine);
    }
    if (isTokenChar(c) && !(c >= Ch.Zero && c <= Ch.Nine)) {
      this.fail(
        `Unexpected character ('${String.fromCharCode(c)}' (code ${c})): Expected space separating root-level values`,
        pos,
      );
    }
    this.pos = pos;
    return text.slice(start, pos);
  }

  /** Reads `true`, `false` or `null` at the cursor, or reports the bad token. */
  readLiteral(): 'true' | 'false' | 'null' {
    const text = this.text;
    for (const word of ['true', 'false', 'null'] as const) {
      if (text.startsWith(word, this.pos) && !isTokenChar(text.charCodeAt(this.pos + word.length))) {
        this.pos += word.length;
        return word;
      }
    }
    return this.badValueStart();
  }

  /** Skips any value, validating it, without building anything. */
  skipValue(): void {
    const c = this.peek();
    if (c === Ch.Quote) this.skipString();
    else if (c === Ch.OpenBrace) {
      this.enter();
      this.pos++;
      if (this.peek() === Ch.CloseBrace) {
        this.pos++;
      } else {
        for (;;) {
          if (this.peek() !== Ch.Quote)
            this.unexpected(this.peek(), 'was expecting double-quote to start field name');
          this.skipString();
          this.expectColon();
          this.skipValue();
          if (this.endOfMember(Ch.CloseBrace, 'Object')) break;
        }
      }
      this.leave();
    } else if (c === Ch.OpenBracket) {
      this.enter();
      this.pos++;
      if (this.peek() === Ch.CloseBracket) {
        this.pos++;
      } else {
        for (;;) {
          this.skipValue();
          if (this.endOfMember(Ch.CloseBracket, 'Array')) break;
        }
      }
      this.leave();
    } else if (c === Ch.Minus || (c >= Ch.Zero && c <= Ch.Nine)) this.readNumberText();
    else this.readLiteral();
  }

  /**
   * Skips a value by structure alone: brackets and strings are followed, numbers and words are not
   * checked. Three times faster than skipValue on number-heavy JSON (measured on city-lot records), and
   * what the event walker uses for parts no rule names: events reach the matcher already validated
   * (PutEvents parses Detail), so re-validating what no rule reads would buy nothing.
   */
  skipValueLenient(): void {
    const text = this.text;
    let pos = this.pos;
    let depth = 0;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === Ch.Quote) {
        pos = this.endOfString(pos);
        if (depth === 0) break;
        continue;
      }
      if (c === Ch.OpenBrace || c === Ch.OpenBracket) depth++;
      else if (c === Ch.CloseBrace || c === Ch.CloseBracket) {
        if (depth === 0) break; // end of the enclosing container: the scalar before it is done
        if (--depth === 0) {
          pos++;
          break;
        }
      } else if (
        depth === 0 &&
        (c === Ch.Comma || c === Ch.Space || c === Ch.Newline || c === Ch.Return || c === Ch.Tab)
      ) {
        break; // end of a scalar
      } else if (c !== c) {
        this.fail('Unexpected end-of-input: expected close marker', pos);
      }
      pos++;
    }
    this.pos = pos;
  }

  /** Position just after the string starting at `start` (an opening quote). */
  private endOfString(start: number): number {
    const text = this.text;
    let quote = text.indexOf('"', start + 1);
    for (;;) {
      if (quote < 0) this.fail('Unexpected end-of-input in VALUE_STRING', text.length);
      let backslashes = 0;
      while (text.charCodeAt(quote - 1 - backslashes) === Ch.Backslash) backslashes++;
      if (backslashes % 2 === 0) return quote + 1;
      quote = text.indexOf('"', quote + 1);
    }
  }

  expectColon(): void {
    const c = this.peek();
    if (c !== Ch.Colon) this.unexpected(c, 'was expecting a colon to separate field name and value');
    this.pos++;
  }

  /** After a member: consumes `,` (returns false) or the closing bracket (returns true). */
  endOfMember(close: number, kind: 'Object' | 'Array'): boolean {
    const c = this.peek();
    if (c === Ch.Comma) {
      this.pos++;
      return false;
    }
    if (c === close) {
      this.pos++;
      return true;
    }
    if (Number.isNaN(c)) this.fail(`Unexpected end-of-input: expected close marker for ${kind}`);
    return this.unexpected(c, `was expecting comma to separate ${kind} entries`);
  }

  /** Fails unless only whitespace remains. */
  expectEnd(): void {
    const c = this.peek();
    if (!Number.isNaN(c)) this.unexpected(c, 'expected end of input after the JSON value');
  }
}

/** Characters Jackson gathers into one token when it reports an unrecognized word. */
function isTokenChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127
  );
}

/** A parsed JSON node that keeps number text, member order (including duplicates) and positions. */
export type JsonNode =
  | { kind: 'object'; members: Array<[string, JsonNode]>; at: number }
  | { kind: 'array'; items: JsonNode[]; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'number'; text: string; at: number }
  | { kind: 'literal'; value: 'true' | 'false' | 'null'; at: number };

/** Parses JSON text into nodes. Throws JsonSyntaxError. */
export function parseJsonNodes(text: string): JsonNode {
  const cursor = new JsonCursor(text);
  const node = readNode(cursor);
  cursor.expectEnd();
  return node;
}

function readNode(cursor: JsonCursor): JsonNode {
  const c = cursor.peek();
  const at = cursor.pos;
  if (c === Ch.Quote) return { kind: 'string', value: cursor.readString(), at };
  if (c === Ch.OpenBrace) {
    cursor.enter();
    cursor.pos++;
    const members: Array<[string, JsonNode]> = [];
    if (cursor.peek() === Ch.CloseBrace) cursor.pos++;
    else {
      for (;;) {
        if (cursor.peek() !== Ch.Quote) {
          cursor.unexpected(cursor.peek(), 'was expecting double-quote to start field name');
        }
        const key = cursor.readString();
        cursor.expectColon();
        members.push([key, readNode(cursor)]);
        if (cursor.endOfMember(Ch.CloseBrace, 'Object')) break;
      }
    }
    cursor.leave();
    return { kind: 'object', members, at };
  }
  if (c === Ch.OpenBracket) {
    cursor.enter();
    cursor.pos++;
    const items: JsonNode[] = [];
    if (cursor.peek() === Ch.CloseBracket) cursor.pos++;
    else {
      for (;;) {
        items.push(readNode(cursor));
        if (cursor.endOfMember(Ch.CloseBracket, 'Array')) break;
      }
    }
    cursor.leave();
    return { kind: 'array', items, at };
  }
  if (c === Ch.Minus || (c >= Ch.Zero && c <= Ch.Nine))
    return { kind: 'number', text: cursor.readNumberText(), at };
  if (Number.isNaN(c)) cursor.fail(`No content to map due to end-of-input`);
  return { kind: 'literal', value: cursor.readLiteral(), at };
}

/** Converts a JS JSON value into nodes (numbers get their shortest text). Positions are unknown (-1). */
export function nodesFromValue(value: unknown, depth = 0): JsonNode {
  if (depth > MAX_JSON_DEPTH)
    throw new JsonSyntaxError('Document nesting depth exceeds the maximum allowed', 1, 1);
  if (value === null) return { kind: 'literal', value: 'null', at: -1 };
  switch (typeof value) {
    case 'string':
      return { kind: 'string', value, at: -1 };
    case 'boolean':
      return { kind: 'literal', value: value ? 'true' : 'false', at: -1 };
    case 'number':
      if (!Number.isFinite(value)) throw new JsonSyntaxError(`Non-finite number ${value} is not JSON`, 1, 1);
      return { kind: 'number', text: String(value), at: -1 };
    case 'object':
      if (Array.isArray(value))
        return { kind: 'array', items: value.map((v) => nodesFromValue(v, depth + 1)), at: -1 };
      return {
        kind: 'object',
        members: Object.entries(value as Record<string, unknown>).map(([k, v]) => [
          k,
          nodesFromValue(v, depth + 1),
        ]),
        at: -1,
      };
    default:
      throw new JsonSyntaxError(`A ${typeof value} is not a JSON value`, 1, 1);
  }
}

/** Converts a node back to a plain JS value (number text goes through Number). */
export function nodeToValue(node: JsonNode): JsonValue {
  switch (node.kind) {
    case 'string':
      return node.value;
    case 'number':
      return Number(node.text);
    case 'literal':
      return node.value === 'null' ? null : node.value === 'true';
    case 'array':
      return node.items.map(nodeToValue);
    case 'object': {
      const out: JsonObject = {};
      for (const [k, v] of node.members) out[k] = nodeToValue(v);
      return out;
    }
  }
}

/** 1-based line and column of an offset in a text (for error positions). */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === Ch.Newline) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
