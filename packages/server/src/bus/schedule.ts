/**
 * EventBridge schedule expressions: `rate(1 minute)` / `rate(5 minutes)` (the unit's plural must
 * agree with the value) and six-field `cron(minutes hours day-of-month month day-of-week year)` where
 * one of the two day fields is `?`. Firing schedules is the delivery engine's job; this only decides
 * what PutRule accepts.
 */

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;

const MONTHS = 'JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC';
const DAYS = 'SUN|MON|TUE|WED|THU|FRI|SAT';

/** One cron field: `*`, `?` where allowed, values, ranges, lists and `/` increments. */
function fieldPattern(value: string, extra = ''): RegExp {
  const item = `(?:\\*|${value}(?:-${value})?)(?:/\\d+)?`;
  return new RegExp(`^(?:${item}(?:,${item})*${extra})$`);
}

const CRON_FIELDS: readonly RegExp[] = [
  fieldPattern('(?:[0-5]?\\d)'), // minutes 0-59
  fieldPattern('(?:[01]?\\d|2[0-3])'), // hours 0-23
  fieldPattern('(?:[1-9]|[12]\\d|3[01])', '|\\?|L|LW|(?:[1-9]|[12]\\d|3[01])W'), // day of month
  fieldPattern(`(?:[1-9]|1[0-2]|${MONTHS})`), // month
  fieldPattern(`(?:[1-7]|${DAYS})`, `|\\?|L|(?:[1-7]|${DAYS})L|(?:[1-7]|${DAYS})#[1-5]`), // day of week
  fieldPattern('(?:19[7-9]\\d|2\\d{3})'), // year 1970-2999
];

export function isValidScheduleExpression(expression: string): boolean {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const singular = !rate[2]!.endsWith('s');
    return value > 0 && singular === (value === 1);
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return false;
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) return false;
  if (!fields.every((field, i) => CRON_FIELDS[i]!.test(field))) return false;
  // Exactly one of day-of-month and day-of-week is `?` (EventBridge refuses both or neither).
  return (fields[2] === '?') !== (fields[4] === '?');
}
