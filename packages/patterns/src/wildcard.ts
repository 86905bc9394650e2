/**
 * The `wildcard` operator: `*` matches any run of characters (including none); `\*` is a literal star
 * and `\\` a literal backslash. Compiled to literal segments matched left to right, which is linear in
 * practice and never backtracks more than one star at a time.
 */

export interface Wildcard {
  readonly source: string;
  /** Literal pieces between stars. */
  readonly segments: readonly string[];
  readonly leadingStar: boolean;
  readonly trailingStar: boolean;
}

/**
 * Parses a wildcard value; throws with event-ruler's messages. Positions are Ruler's: the UTF-8 byte
 * offset in the value with its opening quote, so the first character is at 1.
 */
export function parseWildcard(source: string): Wildcard {
  const segments: string[] = [];
  let current = '';
  let leadingStar = false;
  let trailingStar = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1];
      if (next !== '*' && next !== '\\')
        throw new Error(`Invalid escape character at pos ${bytePos(source, i)}`);
      current += next;
      i++;
      trailingStar = false;
    } else if (c === '*') {
      if (source[i + 1] === '*')
        throw new Error(`Consecutive wildcard characters at pos ${bytePos(source, i)}`);
      if (i === 0) leadingStar = true;
      else segments.push(current);
      current = '';
      trailingStar = true;
    } else {
      current += c;
      trailingStar = false;
    }
  }
  if (!trailingStar) segments.push(current);
  return { source, segments, leadingStar, trailingStar };
}

/** Ruler's position of source[index]: its UTF-8 offset after an opening quote. */
function bytePos(source: string, index: number): number {
  return 1 + new TextEncoder().encode(source.slice(0, index)).length;
}

export function matchWildcard(w: Wildcard, value: string): boolean {
  const { segments } = w;
  if (segments.length === 0) return w.leadingStar || value === ''; // "*" or ""
  let pos = 0;
  let first = 0;
  let last = segments.length;
  if (!w.leadingStar) {
    const head = segments[0]!;
    if (!value.startsWith(head)) return false;
    pos = head.length;
    first = 1;
    if (segments.length === 1 && !w.trailingStar) return value.length === head.length;
  }
  let end = value.length;
  if (!w.trailingStar && last > first) {
    const tail = segments[last - 1]!;
    if (end - pos < tail.length || !value.endsWith(tail)) return false;
    end -= tail.length;
    last--;
  }
  // Middle segments: the leftmost occurrence of each is always the best choice.
  for (let i = first; i < last; i++) {
    const seg = segments[i]!;
    const at = value.indexOf(seg, pos);
    if (at < 0 || at + seg.length > end) return false;
    pos = at + seg.length;
  }
  return true;
}

/** The literal text before the first star (used to index wildcards like prefixes). */
export function literalPrefix(w: Wildcard): string {
  return w.leadingStar ? '' : (w.segments[0] ?? '');
}

/**
 * How many positions of these wildcard patterns one input value can occupy at once: the cost of
 * matching them, as event-ruler's MachineComplexityEvaluator measures it. Computed by running the
 * patterns' NFA over every reachable set of states; capped at `cap`.
 *
 * Our count is calibrated on the values AWS publishes through Ruler: `*:*:*:*:*:event-bus/*` = 11
 * (AWS rejects it), `arn:aws:events:us-east-1:*:event-bus/*` = 3 and
 * `/Users/*\/dir/dir/dir/dir/dir/doc.txt` = 6 here, 7 in Ruler (AWS accepts both).
 */
export function wildcardComplexity(patterns: readonly Wildcard[], cap: number): number {
  // NFA states are integers: each pattern's tokens laid end to end; a star token loops on itself.
  const tokens: string[] = [];
  const starts: number[] = [];
  for (const w of patterns) {
    starts.push(tokens.length);
    tokens.push(...tokenize(w), END);
  }
  const close = (states: Set<number>): Set<number> => {
    for (const s of states) if (tokens[s] === STAR) states.add(s + 1); // Set iteration visits additions
    return states;
  };
  const alphabet = new Set<string>(['\u0000']);
  for (const t of tokens) if (t !== STAR && t !== END) alphabet.add(t);
  const keyOf = (states: Set<number>): string => [...states].sort((a, b) => a - b).join(',');
  const start = close(new Set(starts));
  const seen = new Set<string>([keyOf(start)]);
  const queue = [start];
  let max = 0;
  for (let head = 0; head < queue.length && head < 20_000; head++) {
    const states = queue[head]!;
    // Ruler counts neither the accepting position nor the opening quote: two fewer than our states.
    max = Math.max(max, states.size - 2 * patterns.length);
    if (max >= cap) return cap;
    for (const ch of alphabet) {
      const next = new Set<number>();
      for (const s of states) {
        const t = tokens[s];
        if (t === STAR) next.add(s);
        else if (t === ch) next.add(s + 1);
      }
      if (next.size === 0) continue;
      const key = keyOf(close(next));
      if (!seen.has(key)) {
        seen.add(key);
        queue.push(next);
      }
    }
  }
  return Math.max(0, max);
}

const STAR = '\u0001*';
const END = '\u0001$';

/** The pattern as Ruler sees it (between quotes), one token per character or star. */
function tokenize(w: Wildcard): string[] {
  const out: string[] = ['"'];
  if (w.leadingStar) out.push(STAR);
  w.segments.forEach((seg, i) => {
    if (i > 0) out.push(STAR);
    out.push(...seg);
  });
  if (w.trailingStar && w.segments.length > 0) out.push(STAR);
  out.push('"');
  return out;
}
