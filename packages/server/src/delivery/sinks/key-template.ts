/**
 * Object key templates of storage sinks: literal text with `{path.to.field}` placeholders over the event
 * envelope (`{source}`, `{detail.clientId}`) and the event time's UTC parts `{yyyy}` `{MM}` `{dd}` `{HH}`
 * `{mm}`. A field value becomes one path segment: characters other than `A-Za-z0-9._=-` become `_`, so a
 * value can never add a folder or climb out of one; a missing field (or an object) is `_unknown_`.
 */
import type { JsonObject, JsonValue } from '@busway/patterns';

const PLACEHOLDER = /\{([^{}]*)\}/g;
const TIME_PARTS = new Set(['yyyy', 'MM', 'dd', 'HH', 'mm']);
const FIELD_PATH = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;

export type KeyTemplate = (event: JsonObject) => string;

/** Returns the problem with a template, or undefined when it is usable. */
export function checkKeyTemplate(template: string): string | undefined {
  if (template.startsWith('/')) return 'KeyTemplate must not start with /.';
  if (template.split('/').some((segment) => segment === '..' || segment === '.'))
    return 'KeyTemplate must not contain . or .. segments.';
  const stripped = template.replace(PLACEHOLDER, '');
  if (/[{}]/.test(stripped)) return 'KeyTemplate has an unclosed { or a stray }.';
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    if (!TIME_PARTS.has(name!) && !FIELD_PATH.test(name!))
      return `KeyTemplate placeholder {${name}} is neither a time part (yyyy, MM, dd, HH, mm) nor a field path.`;
  }
  return undefined;
}

export function compileKeyTemplate(template: string): KeyTemplate {
  const parts: Array<string | ((event: JsonObject, time: Date) => string)> = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    parts.push(template.slice(last, match.index));
    const name = match[1]!;
    parts.push(TIME_PARTS.has(name) ? timePart(name) : fieldPart(name.split('.')));
    last = match.index + match[0].length;
  }
  parts.push(template.slice(last));
  return (event) => {
    const time = new Date(typeof event['time'] === 'string' ? event['time'] : 0);
    return parts.map((part) => (typeof part === 'string' ? part : part(event, time))).join('');
  };
}

function timePart(name: string): (event: JsonObject, time: Date) => string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  switch (name) {
    case 'yyyy':
      return (_e, t) => pad(t.getUTCFullYear(), 4);
    case 'MM':
      return (_e, t) => pad(t.getUTCMonth() + 1);
    case 'dd':
      return (_e, t) => pad(t.getUTCDate());
    case 'HH':
      return (_e, t) => pad(t.getUTCHours());
    default:
      return (_e, t) => pad(t.getUTCMinutes());
  }
}

function fieldPart(path: readonly string[]): (event: JsonObject) => string {
  return (event) => {
    let value: JsonValue | undefined = event;
    for (const key of path) {
      value = value !== null && typeof value === 'object' && !Array.isArray(value) ? value[key] : undefined;
    }
    if (value === undefined || value === null || typeof value === 'object') return '_unknown_';
    const text = String(value).replace(/[^A-Za-z0-9._=-]/g, '_');
    return text === '' || text === '.' || text === '..' ? '_unknown_' : text;
  };
}
