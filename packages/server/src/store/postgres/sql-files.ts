import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { StoreError } from '../errors.js';

/**
 * A query file compiled for node-postgres: the `:name` parameters of the file (the notation of the
 * SQLite queries, so both dialects read alike) become `$1, $2, ...` in order of first use, and `params`
 * lists their names by position. `::type` casts are left alone.
 */
export interface CompiledQuery {
  name: string;
  text: string;
  params: readonly string[];
}

// A string literal, a quoted identifier, a line comment, or a parameter (a colon not preceded by a
// colon or a word character, so `x::bigint` and `a:b` inside literals are not parameters).
const TOKENS = /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|(?<![:\w]):([a-z_][a-z0-9_]*)/g;

export function compileQuery(name: string, source: string): CompiledQuery {
  const params: string[] = [];
  const text = source
    .replace(TOKENS, (token, param: string | undefined) => {
      if (param === undefined) return token.startsWith('--') ? '' : token;
      let index = params.indexOf(param);
      if (index < 0) index = params.push(param) - 1;
      return `$${index + 1}`;
    })
    .trim();
  const declared = declaredParameters(source);
  const used = [...params].sort();
  if (declared === undefined || declared.join(',') !== used.join(',')) {
    throw new StoreError(
      'STORE_QUERY_INVALID',
      `The PostgreSQL query ${name}.sql uses the parameters (${used.join(', ') || 'none'}) but its header ` +
        `declares (${declared?.join(', ') ?? 'no "-- Parameters:" line'}): make them agree.`,
    );
  }
  return { name, text, params };
}

/** The names of the header's `-- Parameters: a, b,` line and its continuation lines, sorted. */
function declaredParameters(source: string): string[] | undefined {
  const header = source.split('\n').filter((line) => line.startsWith('--'));
  const at = header.findIndex((line) => line.startsWith('-- Parameters:'));
  if (at < 0) return undefined;
  const text = [header[at]!.slice('-- Parameters:'.length), ...header.slice(at + 1).map((l) => l.slice(2))]
    .join(' ')
    .trim();
  if (text === 'none') return [];
  return text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .sort();
}

/** Reads and compiles the named query files of `dir` (`<name>.sql`). */
export function readQueries<N extends string>(names: readonly N[], dir: URL): Record<N, CompiledQuery> {
  const queries = {} as Record<N, CompiledQuery>;
  for (const name of names) {
    let source: string;
    try {
      source = readFileSync(new URL(`${name}.sql`, dir), 'utf8');
    } catch (error) {
      throw new StoreError(
        'STORE_QUERY_MISSING',
        `Cannot read the PostgreSQL query ${name}.sql in ${dir.pathname}: a build must copy ` +
          `src/**/*.sql to dist/ (scripts/copy-assets.mjs).`,
        { cause: error },
      );
    }
    queries[name] = compileQuery(name, source);
  }
  return queries;
}

/**
 * A key for pg_advisory_xact_lock: the first 64 bits of SHA-256 over the parts, as a signed decimal
 * (a bigint parameter). Advisory locks are per database, so callers include the schema in the parts.
 */
export function advisoryLockKey(...parts: readonly string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return digest.readBigInt64BE(0).toString();
}

/** An SQL identifier in double quotes. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
