/**
 * JSONata expressions (locators, mappings, role expressions, expression conditions) and the request view
 * they are evaluated over. JSONata is the expression language workflow engines already use for the same
 * jobs (Step Functions, n8n-style mappers), so definitions read the same here.
 *
 * The request view: `{method, path, headers, query, body}` with lower-case header names (read a
 * hyphenated one as ``headers.`x-api-key` ``), query values as strings (arrays when repeated), and the
 * body parsed: JSON for JSON content types (400 if it is not), an object for form posts, otherwise JSON when
 * the text is JSON and the text when not, null when empty.
 */
import jsonata from 'jsonata';
import { InboundRequestError, ValidationError } from '../errors.js';
import type { InboundRequest } from './types.js';

export interface CompiledExpression {
  readonly text: string;
  evaluate(input: unknown, bindings?: Record<string, unknown>): Promise<unknown>;
}

/** Longest expression accepted in a definition. */
const MAX_EXPRESSION_LENGTH = 4096;

/** Compiles an expression of a definition; a syntax error is the definer's ValidationError. */
export function compileExpression(text: string, what: string): CompiledExpression {
  if (text.length === 0 || text.length > MAX_EXPRESSION_LENGTH) {
    throw new ValidationError(
      `${what} must be a JSONata expression of 1 to ${MAX_EXPRESSION_LENGTH} characters.`,
    );
  }
  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(text);
  } catch (error) {
    throw new ValidationError(`${what} is not a valid JSONata expression: ${jsonataMessage(error)}`);
  }
  return {
    text,
    async evaluate(input, bindings) {
      try {
        return normalise(await compiled.evaluate(input, bindings));
      } catch (error) {
        // Runtime errors come from the request's data (a string where a number was expected...).
        throw new InboundRequestError(
          422,
          'Expression failed',
          `${what} failed on this request: ${jsonataMessage(error)}`,
        );
      }
    },
  };
}

function jsonataMessage(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const { message, code, position } = error as { message?: unknown; code?: unknown; position?: unknown };
    const text = typeof message === 'string' ? message : String(error);
    return `${text}${typeof code === 'string' ? ` (${code}` : ''}${typeof position === 'number' ? ` at ${position})` : typeof code === 'string' ? ')' : ''}`;
  }
  return String(error);
}

/** JSONata sequences are arrays with extra flags; a plain JSON copy is what callers store and compare. */
function normalise(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (typeof value === 'function') return undefined;
  return JSON.parse(JSON.stringify(value)) as unknown;
}

export interface RequestView {
  method: string;
  path: string;
  headers: Record<string, string>;
  query: Record<string, string | string[]>;
  body: unknown;
}

/** The header's value as one string (repeated headers joined), undefined when absent. */
export function headerValue(request: InboundRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Deepest JSON accepted from callers. Parsing, schema checks, patterns, JSONata and serialising the
 * event all recurse over the value: 10,000 levels (50 KB of `{"a":`) overflowed the stack.
 */
export const MAX_JSON_DEPTH = 100;

/** Whether JSON text nests objects and arrays deeper than `max` (scanned, without parsing). */
export function exceedsJsonDepth(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** JSON.parse for caller-sent text: 400 when it is not JSON or nests too deeply. */
export function parseCallerJson(text: string, what: string): unknown {
  if (exceedsJsonDepth(text)) {
    throw new InboundRequestError(
      400,
      'Malformed body',
      `${what} nests deeper than ${MAX_JSON_DEPTH} levels.`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InboundRequestError(
      400,
      'Malformed body',
      `${what} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * Parses the body by its content type: 400 for a JSON content type with a body that is not JSON.
 * Other or missing content types: JSON when the text parses as JSON, the text otherwise.
 */
export function parseBody(request: InboundRequest): unknown {
  if (request.rawBody.length === 0) return null;
  const contentType = (headerValue(request, 'content-type') ?? '').toLowerCase();
  const text = request.rawBody.toString('utf8');
  if (contentType.includes('json')) return parseCallerJson(text, 'The body');
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    const form: Record<string, string | string[]> = {};
    for (const [key, value] of new URLSearchParams(text)) {
      const previous = form[key];
      form[key] =
        previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
    }
    return form;
  }
  // Other or missing content types: JSON when the text is JSON (many senders label JSON text/plain),
  // the text otherwise (also when it nests too deeply to be handled as JSON).
  if (exceedsJsonDepth(text)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function requestView(request: InboundRequest, body: unknown): RequestView {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { method: request.method, path: request.path, headers, query: { ...request.query }, body };
}
