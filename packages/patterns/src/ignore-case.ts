/**
 * equals-ignore-case as event-ruler does it: each UTF-16 unit of the pattern matches either its lower
 * case or its upper case form (Java's `toLowerCase`/`toUpperCase` with the root locale, which JS's
 * locale-free methods equal). That is not Unicode case folding: "straße" matches "STRASSE" (ß upper-cases
 * to SS) but not "strasse". Lookups go through `foldCase`, a key that every accepted spelling shares;
 * candidates found by the key are then checked exactly.
 */

export interface IgnoreCase {
  /** The pattern text as written. */
  readonly source: string;
  /** Index key: `foldCase(source)`. */
  readonly key: string;
  /** Per UTF-16 unit of the source, the spellings it accepts. */
  readonly units: readonly (readonly string[])[];
}

export function foldCase(value: string): string {
  return value.toUpperCase().toLowerCase();
}

export function compileIgnoreCase(source: string): IgnoreCase {
  const units: string[][] = [];
  for (let i = 0; i < source.length; i++) {
    const unit = source[i]!;
    const lower = unit.toLowerCase();
    const upper = unit.toUpperCase();
    units.push(lower === upper ? [lower] : [lower, upper]);
  }
  return { source, key: foldCase(source), units };
}

/** End of a spelling of units[from..] starting at `at` in value, trying alternatives in turn. */
function matchForward(
  units: IgnoreCase['units'],
  from: number,
  value: string,
  at: number,
  whole: boolean,
): boolean {
  if (from === units.length) return !whole || at === value.length;
  for (const spelling of units[from]!) {
    if (value.startsWith(spelling, at) && matchForward(units, from + 1, value, at + spelling.length, whole)) {
      return true;
    }
  }
  return false;
}

/** Whether value[..end] ends with a spelling of units[..to]. */
function matchBackward(units: IgnoreCase['units'], to: number, value: string, end: number): boolean {
  if (to === 0) return true;
  for (const spelling of units[to - 1]!) {
    const start = end - spelling.length;
    if (start >= 0 && value.startsWith(spelling, start) && matchBackward(units, to - 1, value, start))
      return true;
  }
  return false;
}

export function equalsIgnoreCase(pattern: IgnoreCase, value: string): boolean {
  return matchForward(pattern.units, 0, value, 0, true);
}

export function startsWithIgnoreCase(pattern: IgnoreCase, value: string): boolean {
  return matchForward(pattern.units, 0, value, 0, false);
}

export function endsWithIgnoreCase(pattern: IgnoreCase, value: string): boolean {
  return matchBackward(pattern.units, pattern.units.length, value, value.length);
}
