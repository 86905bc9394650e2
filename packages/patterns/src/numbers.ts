/**
 * Numbers as EventBridge compares them. Current event-ruler (>= 1.8) compares IEEE-754 doubles, and
 * only numbers whose decimal text a double represents exactly take part in numeric matching: text
 * that does not survive the round trip (`12345678901234567`, `1e400`) matches by its exact text only.
 */

/** The double for a JSON number text, or undefined when the double is not exactly the same number. */
export function exactDouble(text: string): number | undefined {
  const value = Number(text);
  if (!Number.isFinite(value)) return undefined;
  if (value === 0) return 0; // -0 and 0 are the same number
  // Fast paths, hot when matching: up to 15 significant digits always survive the trip through a
  // double (DBL_DIG), away from the subnormal range; and text that JS prints back unchanged does too.
  if (Math.abs(value) >= MIN_NORMAL && significantDigits(text) <= 15) return value;
  const printed = String(value);
  if (printed === text) return value;
  // JS prints the shortest text that reads back as the same double, so comparing the two decimal
  // values exactly tells whether the double carries every digit of the original text.
  return normalizeDecimal(text) === normalizeDecimal(printed) ? value : undefined;
}

const MIN_NORMAL = 2.2250738585072014e-308;

/** Digits of the mantissa, leading zeros not counted (trailing zeros are, which only errs safe). */
function significantDigits(text: string): number {
  let count = 0;
  let leading = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 101 || c === 69) break; // e, E
    if (c < 48 || c > 57) continue; // sign, point
    if (leading && c === 48) continue;
    leading = false;
    count++;
  }
  return count;
}

/** Canonical form of a decimal literal: sign, significant digits, exponent (`-12e3` style). */
function normalizeDecimal(text: string): string {
  let i = 0;
  let negative = false;
  if (text[i] === '-') {
    negative = true;
    i++;
  } else if (text[i] === '+') i++;
  let intDigits = '';
  while (i < text.length && text[i]! >= '0' && text[i]! <= '9') intDigits += text[i++];
  let fracDigits = '';
  if (text[i] === '.') {
    i++;
    while (i < text.length && text[i]! >= '0' && text[i]! <= '9') fracDigits += text[i++];
  }
  let exponent = 0;
  if (text[i] === 'e' || text[i] === 'E') exponent = Number(text.slice(i + 1));
  let digits = intDigits + fracDigits;
  let pointAt = intDigits.length + exponent; // value = 0.digits * 10^pointAt
  const lead = digits.search(/[^0]/);
  if (lead < 0) return '0';
  digits = digits.slice(lead);
  pointAt -= lead;
  digits = digits.replace(/0+$/, '');
  return `${negative ? '-' : ''}${digits}e${pointAt}`;
}
