/**
 * EventBridge's InputTransformer: the PutTargets checks on InputPathsMap and InputTemplate, and the
 * rendering of a template for one event.
 *
 * Rendering follows what AWS was recorded doing (../shared/conformance/input-transformers.json):
 *
 * - A template whose trimmed text starts with `{` or `[` is a JSON template. There a placeholder outside
 *   a JSON string inserts the value as JSON (strings quoted, a missing path as `""`); a placeholder inside
 *   a string literal inserts raw text (a string's contents unescaped, objects and arrays as JSON text,
 *   a missing path as nothing). AWS never escapes inserted values, so event data can break the JSON;
 *   when the result is not valid JSON AWS drops the event without delivering it, which we report as
 *   INVALID_JSON.
 * - Any other template is text (a quoted string such as `"instance <id> is <state>"`, several quoted
 *   lines, or bare words). Values go in as raw text, objects and arrays as JSON with every double quote
 *   removed (`{acc_id:0a78,sf_id:baz}`, `[ACTIVE,INACTIVE]`), and the result is delivered as it is.
 */
import { JsonCursor, JsonSyntaxError, type JsonObject, type JsonValue } from './json.js';
import { selectPath } from './input-path.js';

export interface InputTransformer {
  /** Variable name -> JSONPath into the event. */
  inputPathsMap?: Record<string, string>;
  inputTemplate: string;
}

/** What a delivery knows about the rule that matched, for the `aws.events.*` variables. */
export interface TransformContext {
  ruleName: string;
  ruleArn: string;
  eventBusName: string;
  /** ISO 8601 time at which the bus received the event. */
  ingestionTime: string;
}

/**
 * The body to deliver, or why there is none. INVALID_JSON: the rendered input is not JSON although it
 * has to be; AWS drops such an event silently, we report it so the delivery can be recorded as failed.
 */
export type TransformResult =
  { ok: true; body: string } | { ok: false; code: 'INVALID_JSON'; message: string };

/** Variables every template may use without mapping them; InputPathsMap cannot redefine them. */
export const RESERVED_VARIABLES = [
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event.ingestion-time',
  'aws.events.event',
  'aws.events.event.json',
] as const;
export type ReservedVariable = (typeof RESERVED_VARIABLES)[number];

/** Limits from the EventBridge service model (TransformerPaths, InputTransformerPathKey, ...). */
export const INPUT_TRANSFORMER_LIMITS = {
  maxPaths: 100,
  maxKeyLength: 256,
  maxPathLength: 256,
  maxTemplateLength: 8192,
} as const;

/** The model's pattern for InputPathsMap keys, as AWS prints it in validation messages. */
const KEY_PATTERN_TEXT = '[A-Za-z0-9\\_\\-]+';
const KEY_PATTERN = /^[A-Za-z0-9_-]+$/;

/**
 * A placeholder is `<name>` where the name uses the key alphabet, plus dots for the reserved
 * `aws.events.*` names. Any other `<...>`, such as the one in `"a < b and c > d"`, is plain text.
 */
const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/g;
const PLACEHOLDER_AT = /<([A-Za-z0-9_.-]+)>/y;

/** The placeholder names a template uses, in order of first appearance. */
export function listPlaceholders(template: string): string[] {
  const names = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER)) names.add(match[1] as string);
  return [...names];
}

export function isReservedVariable(name: string): name is ReservedVariable {
  return (RESERVED_VARIABLES as readonly string[]).includes(name);
}

/**
 * The service-model constraint violations of an InputTransformer, each in AWS's wording
 * (`Value '...' at '<path>' failed to satisfy constraint: ...`). `memberPath` locates the transformer
 * in the request, e.g. `targets.1.member.inputTransformer`.
 */
export function inputTransformerViolations(transformer: InputTransformer, memberPath: string): string[] {
  const violations: string[] = [];
  const paths = transformer.inputPathsMap;
  // `null` is checked too: JavaScript callers can pass it although the type does not allow it.
  if (paths !== undefined && paths !== null) {
    const at = `${memberPath}.inputPathsMap`;
    const entries = Object.entries(paths);
    const shown = formatJavaMap(entries);
    if (entries.length > INPUT_TRANSFORMER_LIMITS.maxPaths) {
      violations.push(
        constraintViolation(
          shown,
          at,
          `Member must have length less than or equal to ${INPUT_TRANSFORMER_LIMITS.maxPaths}`,
        ),
      );
    }
    const badKey = entries.some(([key]) => {
      const length = codePointLength(key);
      return length < 1 || length > INPUT_TRANSFORMER_LIMITS.maxKeyLength || !KEY_PATTERN.test(key);
    });
    if (badKey) {
      violations.push(
        constraintViolation(
          shown,
          at,
          'Map keys must satisfy constraint: [' +
            `Member must have length less than or equal to ${INPUT_TRANSFORMER_LIMITS.maxKeyLength}, ` +
            'Member must have length greater than or equal to 1, ' +
            `Member must satisfy regular expression pattern: ${KEY_PATTERN_TEXT}]`,
        ),
      );
    }
    const badPath = entries.some(
      ([, path]) =>
        typeof path !== 'string' || codePointLength(path) > INPUT_TRANSFORMER_LIMITS.maxPathLength,
    );
    if (badPath) {
      violations.push(
        constraintViolation(
          shown,
          at,
          `Map value must satisfy constraint: [Member must have length less than or equal to ${INPUT_TRANSFORMER_LIMITS.maxPathLength}]`,
        ),
      );
    }
  }
  const template: unknown = transformer.inputTemplate;
  const at = `${memberPath}.inputTemplate`;
  if (typeof template !== 'string') {
    violations.push(`Value null at '${at}' failed to satisfy constraint: Member must not be null`);
  } else {
    const length = codePointLength(template);
    if (length < 1) {
      violations.push(
        constraintViolation(template, at, 'Member must have length greater than or equal to 1'),
      );
    }
    if (length > INPUT_TRANSFORMER_LIMITS.maxTemplateLength) {
      violations.push(
        constraintViolation(
          template,
          at,
          `Member must have length less than or equal to ${INPUT_TRANSFORMER_LIMITS.maxTemplateLength}`,
        ),
      );
    }
  }
  return violations;
}

/**
 * The first placeholder in the template that is neither mapped nor reserved, or undefined. PutTargets
 * refuses such a template (`InputTemplate for target <id> contains invalid placeholder <name>.`); the
 * paths themselves are not checked, AWS evaluates them only at delivery.
 */
export function findInvalidPlaceholder(transformer: InputTransformer): string | undefined {
  const mapped = transformer.inputPathsMap ?? {};
  return listPlaceholders(transformer.inputTemplate).find(
    (name) => !isReservedVariable(name) && !Object.hasOwn(mapped, name),
  );
}

/** Renders the template for one event. Never throws for a JSON event. */
export function renderInputTransformer(
  event: JsonObject,
  transformer: InputTransformer,
  context: TransformContext,
): TransformResult {
  const template = transformer.inputTemplate;
  const resolve = createResolver(event, transformer.inputPathsMap ?? {}, context);
  if (!isJsonTemplate(template)) {
    return { ok: true, body: replacePlaceholders(template, resolve, () => renderAsText) };
  }
  let inString = false;
  let escaped = false;
  // Placeholders are classified by where they sit in the template: the template text decides whether
  // we are inside a JSON string, never the inserted values (which may contain quotes of their own).
  const pickRenderer = (): Renderer => {
    // A backslash just before a placeholder escapes the first inserted character, not the template's next one.
    escaped = false;
    return inString ? renderInJsonString : renderAsJson;
  };
  const rendered = replacePlaceholders(template, resolve, pickRenderer, (ch) => {
    if (escaped) escaped = false;
    else if (inString && ch === '\\') escaped = true;
    else if (ch === '"') inString = !inString;
  });
  const error = findJsonError(rendered);
  if (error !== undefined) {
    return {
      ok: false,
      code: 'INVALID_JSON',
      message:
        `The InputTemplate rendered to text that is not valid JSON (${error.message} at line ${error.line}, ` +
        `column ${error.column}); EventBridge drops such an event instead of delivering it.`,
    };
  }
  // AWS documents that the JSON it passes to a target is minified. Removing whitespace between tokens
  // keeps every token's text (number spellings included), unlike a parse-and-serialize round trip.
  return { ok: true, body: minifyJson(rendered) };
}

/** JSON templates are recognised by their first significant character, as AWS does. */
export function isJsonTemplate(template: string): boolean {
  const first = template.trimStart()[0];
  return first === '{' || first === '[';
}

type Resolver = (name: string) => { found: false } | { found: true; value: JsonValue | undefined };
type Renderer = (value: JsonValue | undefined) => string;

/**
 * Copies the template, replacing each known placeholder with the text the renderer of the moment
 * gives. `onLiteral` sees every template character that is copied (not the inserted text), so a caller
 * can track where it is in the template.
 */
function replacePlaceholders(
  template: string,
  resolve: Resolver,
  pickRenderer: () => Renderer,
  onLiteral?: (ch: string) => void,
): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i] as string;
    if (ch === '<') {
      PLACEHOLDER_AT.lastIndex = i;
      const match = PLACEHOLDER_AT.exec(template);
      if (match !== null) {
        const resolved = resolve(match[1] as string);
        if (resolved.found) {
          out += pickRenderer()(resolved.value);
          i += match[0].length;
          continue;
        }
      }
    }
    onLiteral?.(ch);
    out += ch;
    i++;
  }
  return out;
}

/**
 * Looks up a placeholder: reserved variables first (they cannot be overridden), then InputPathsMap. A
 * mapped path missing from the event resolves to `undefined`; an unknown name is not a placeholder and
 * stays in the output as written (PutTargets refuses such templates, so only unvalidated specs get here).
 */
function createResolver(
  event: JsonObject,
  paths: Record<string, string>,
  context: TransformContext,
): Resolver {
  const cache = new Map<string, JsonValue | undefined>();
  return (name) => {
    if (cache.has(name)) return { found: true, value: cache.get(name) };
    let value: JsonValue | undefined;
    const path = Object.hasOwn(paths, name) ? paths[name] : undefined;
    if (isReservedVariable(name)) value = reservedValue(name, event, context);
    else if (typeof path === 'string') value = selectPath(event, path);
    else return { found: false };
    cache.set(name, value);
    return { found: true, value };
  };
}

function reservedValue(name: ReservedVariable, event: JsonObject, context: TransformContext): JsonValue {
  switch (name) {
    case 'aws.events.rule-arn':
      return context.ruleArn;
    case 'aws.events.rule-name':
      return context.ruleName;
    case 'aws.events.event.ingestion-time':
      return context.ingestionTime;
    case 'aws.events.event':
      return eventSummary(event, context);
    case 'aws.events.event.json':
      return event;
  }
}

/**
 * `<aws.events.event>`: the envelope without `detail`. AWS was recorded returning these keys in this
 * order, `detail-type` renamed `detailType` and `time` holding the ingestion time. Keys the event lacks
 * are left out rather than invented.
 */
function eventSummary(event: JsonObject, context: TransformContext): JsonObject {
  const summary: JsonObject = {};
  const copy = (from: string, to: string): void => {
    const value = event[from];
    if (Object.hasOwn(event, from) && value !== undefined) summary[to] = value;
  };
  copy('id', 'id');
  copy('account', 'account');
  copy('detail-type', 'detailType');
  summary.time = context.ingestionTime;
  copy('source', 'source');
  copy('region', 'region');
  copy('resources', 'resources');
  copy('version', 'version');
  return summary;
}

/** A bare placeholder in a JSON template: the value as JSON; a missing path as an empty string. */
function renderAsJson(value: JsonValue | undefined): string {
  return value === undefined ? '""' : JSON.stringify(value);
}

/** A placeholder inside a JSON string: raw text, so strings are not escaped and objects stay JSON. */
function renderInJsonString(value: JsonValue | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A placeholder in a text template: raw text, objects and arrays as JSON with the quotes dropped. */
function renderAsText(value: JsonValue | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  const json = JSON.stringify(value);
  return typeof value === 'object' && value !== null ? json.replaceAll('"', '') : json;
}

/** The first JSON syntax error in `text` (Jackson's rules and wording), or undefined when it is JSON. */
export function findJsonError(text: string): JsonSyntaxError | undefined {
  try {
    const cursor = new JsonCursor(text);
    cursor.skipValue();
    cursor.expectEnd();
    return undefined;
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error;
    // Anything else (a stack overflow on absurd nesting) still means "not deliverable JSON".
    return new JsonSyntaxError(error instanceof Error ? error.message : String(error), 1, 1);
  }
}

/** Drops whitespace between tokens of valid JSON text; string contents are copied untouched. */
function minifyJson(text: string): string {
  let out = '';
  let start = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === SPACE || c === TAB || c === NEWLINE || c === RETURN) {
      out += text.slice(start, i);
      start = i + 1;
    }
  }
  return out + text.slice(start);
}

/** `Value '<value>' at '<path>' failed to satisfy constraint: <constraint>`, AWS's model-validation text. */
export function constraintViolation(value: string, path: string, constraint: string): string {
  return `Value '${value}' at '${path}' failed to satisfy constraint: ${constraint}`;
}

/** AWS prints map values in validation messages the way Java prints a Map: `{key=value, ...}`. */
function formatJavaMap(entries: Array<[string, unknown]>): string {
  return `{${entries.map(([key, value]) => `${key}=${String(value)}`).join(', ')}}`;
}

/** The service model measures lengths in Unicode code points, not UTF-16 units. */
export function codePointLength(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    length++;
  }
  return length;
}

const TAB = 9;
const NEWLINE = 10;
const RETURN = 13;
const SPACE = 32;
const QUOTE = 34;
const BACKSLASH = 92;
