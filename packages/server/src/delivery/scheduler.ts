/**
 * Scheduled rules: each enabled rule with a ScheduleExpression fires a "Scheduled Event" on its ticks
 * (source `aws.events`, detail-type `Scheduled Event`, resources `[rule ARN]`, detail `{}`, time the
 * tick), delivered to its targets like any event. A tick fires once however many schedulers see it:
 * `store.fireSchedule` records the rule's last tick and appends the event in one transaction, so two
 * nodes over one database (or two servers racing) cannot both fire it.
 *
 * - `rate(N unit)`: ticks every N units counted from the rule's creation time, as EventBridge does (a rule
 *   created at 10:00:20 with rate(5 minutes) fires at 10:05:20, 10:10:20, ...).
 * - `cron(min hour dom month dow year)`: UTC, evaluated by cron-parser (EventBridge's day-of-week 1-7 is
 *   SUN-SAT; cron-parser counts from 0). The `W` (nearest weekday) forms are not supported by cron-parser:
 *   such rules are accepted by PutRule but never fire, and a warning is logged once.
 * - A tick missed by more than a minute (the server was down) is not fired late.
 *
 * The scheduler wakes once a second; ticks are minute-grained at their finest, so an event leaves at
 * most about a second after its time.
 */
import { CronExpressionParser } from 'cron-parser';
import { buildEnvelope } from '../bus/ingest.js';
import type { ArnContext } from '../bus/arns.js';
import type { Route, RoutingTable } from '../bus/routing.js';
import { timeOrderedId } from '../ids/time-ordered-id.js';
import type { EventRecord, NewDelivery, RuleRecord, Store } from '../store/store.js';

const UNIT_MS: Readonly<Record<string, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** How late a tick may still fire (after a pause of the process or a short outage). */
const MAX_LATENESS_MS = 60_000;
const TICK_INTERVAL_MS = 1000;

export interface SchedulerOptions {
  store: Store;
  routing: RoutingTable;
  ctx: ArnContext;
  /** Called with the events of the ticks fired, once they are stored (like ingest's stored batches). */
  onFired?: (batch: ReadonlyArray<{ event: EventRecord; deliveries: readonly NewDelivery[] }>) => void;
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  now?: () => number;
}

export interface Scheduler {
  start(): void;
  /** Fires every tick due at `at` that no scheduler fired yet; returns the ARNs of the rules fired. */
  runDue(at?: number): Promise<string[]>;
  stop(): Promise<void>;
}

/** The latest tick of `rule` at or before `at` (epoch ms), undefined if none (or not computable). */
export function latestTick(rule: RuleRecord, at: number): number | undefined {
  const expression = rule.scheduleExpression;
  if (expression === undefined) return undefined;
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (rate !== null) {
    const period = Number(rate[1]) * UNIT_MS[rate[2]!]!;
    const elapsed = at - rule.createdAt;
    if (elapsed < period) return undefined;
    return rule.createdAt + Math.floor(elapsed / period) * period;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron === null) return undefined;
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) return undefined;
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const parsed = CronExpressionParser.parse(
    `0 ${minute} ${hour} ${dayOfMonth === '?' ? '*' : dayOfMonth} ${month} ${dayOfWeek === '?' ? '*' : shiftDaysOfWeek(dayOfWeek)}`,
    { currentDate: new Date(at + 1), tz: 'UTC' },
  );
  const tick = parsed.prev().getTime();
  return matchesYear(year, new Date(tick).getUTCFullYear()) ? tick : undefined;
}

/** EventBridge numbers days 1 (SUN) to 7 (SAT); cron-parser 0 (SUN) to 6. Names pass unchanged. */
function shiftDaysOfWeek(field: string): string {
  return field.replace(/(^|[,\-#/])([1-7])(?=L|#|,|-|\/|$)/g, (_m, lead: string, day: string) =>
    lead === '/' || lead === '#' ? `${lead}${day}` : `${lead}${Number(day) - 1}`,
  );
}

function matchesYear(field: string, year: number): boolean {
  if (field === '*') return true;
  return field.split(',').some((item) => {
    const [range, step] = item.split('/');
    const [from, to] = (range ?? '').split('-');
    const start = from === '*' ? 1970 : Number(from);
    const end = to !== undefined ? Number(to) : step !== undefined || from === '*' ? 2999 : start;
    const every = step === undefined ? 1 : Number(step);
    return year >= start && year <= end && (year - start) % every === 0;
  });
}

/** The event of one tick and its deliveries, one per target of the rule. */
function tickEntry(ctx: ArnContext, route: Route, tick: number, now: number) {
  const id = timeOrderedId(now);
  const envelope = buildEnvelope(
    ctx,
    id,
    { source: 'aws.events', detailType: 'Scheduled Event', resources: [route.rule.arn] },
    '{}',
    tick,
  );
  return {
    event: { id, busName: route.rule.busName, envelope, ingestedAt: now },
    deliveries: route.targets.map((target) => ({
      id: timeOrderedId(now),
      ruleName: route.rule.name,
      ruleArn: route.rule.arn,
      targetId: target.id,
    })),
  };
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const now = options.now ?? Date.now;
  /** The last tick this scheduler handled per rule, so each second does not ask the store again. */
  const handled = new Map<string, number>();
  const warned = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  async function runDue(at = now()): Promise<string[]> {
    const fired: string[] = [];
    const stored: Array<{ event: EventRecord; deliveries: readonly NewDelivery[] }> = [];
    for (const route of options.routing.scheduledRules()) {
      const { rule } = route;
      let tick: number | undefined;
      try {
        tick = latestTick(rule, at);
      } catch (error) {
        if (!warned.has(rule.arn)) {
          warned.add(rule.arn);
          options.log?.warn(
            { rule: rule.arn, err: error },
            'schedule expression cannot be evaluated; the rule will not fire',
          );
        }
        continue;
      }
      if (tick === undefined || at - tick > MAX_LATENESS_MS) continue;
      if ((handled.get(rule.arn) ?? -Infinity) >= tick) continue;
      handled.set(rule.arn, tick);
      // The tick comes from `at` (tests move it); the write is stamped with the clock, so its deliveries
      // are due now.
      const written = now();
      const entry = tickEntry(options.ctx, route, tick, written);
      const outcome = await options.store.fireSchedule(rule.arn, tick, entry, written);
      if (outcome === 'fired') {
        fired.push(rule.arn);
        stored.push(entry);
      }
    }
    if (stored.length > 0) options.onFired?.(stored);
    return fired;
  }

  function schedule(): void {
    if (stopped) return;
    // Just after each whole second, where minute-grained ticks fall.
    const delay = TICK_INTERVAL_MS - (now() % TICK_INTERVAL_MS) + 5;
    timer = setTimeout(() => {
      running = runDue().catch((error: unknown) =>
        options.log?.error({ err: error }, 'scheduled rules: firing failed'),
      );
      void running.finally(schedule);
    }, delay);
    timer.unref();
  }

  return {
    start() {
      stopped = false;
      schedule();
    },
    runDue,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
