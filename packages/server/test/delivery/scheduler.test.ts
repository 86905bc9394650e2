/** Which tick a schedule expression fires last at a given time: rate() from creation, cron() in UTC. */
import { describe, expect, it } from 'vitest';
import { latestTick } from '../../src/delivery/scheduler.js';
import type { RuleRecord } from '../../src/store/store.js';

const CREATED = Date.UTC(2026, 11, 3, 10, 0, 20); // Thursday 3 December 2026, 10:00:20 UTC

function rule(scheduleExpression: string): RuleRecord {
  return {
    busName: 'default',
    name: 'r',
    arn: 'arn:aws:events:us-east-1:000000000000:rule/r',
    state: 'ENABLED',
    scheduleExpression,
    createdBy: '000000000000',
    createdAt: CREATED,
    updatedAt: CREATED,
  };
}

const at = (iso: string) => Date.parse(iso);

describe('rate expressions', () => {
  it('tick every period counted from the rule creation time', () => {
    const r = rule('rate(5 minutes)');
    expect(latestTick(r, CREATED + 299_999)).toBeUndefined();
    expect(latestTick(r, CREATED + 300_000)).toBe(CREATED + 300_000);
    expect(latestTick(r, CREATED + 899_000)).toBe(CREATED + 600_000);
    expect(latestTick(rule('rate(1 hour)'), CREATED + 7_300_000)).toBe(CREATED + 7_200_000);
    expect(latestTick(rule('rate(1 day)'), CREATED + 86_400_000)).toBe(CREATED + 86_400_000);
  });
});

describe('cron expressions', () => {
  it('fire on the minute in UTC', () => {
    expect(latestTick(rule('cron(0/15 * * * ? *)'), at('2026-12-03T10:31:10Z'))).toBe(
      at('2026-12-03T10:30:00Z'),
    );
    expect(latestTick(rule('cron(0 12 * * ? *)'), at('2026-12-03T11:00:00Z'))).toBe(
      at('2026-12-02T12:00:00Z'),
    );
  });

  it('count days of the week as EventBridge does: 1 is Sunday, 7 Saturday', () => {
    // 2-6 is Monday to Friday: on Saturday 5 December the latest tick is Friday's.
    expect(latestTick(rule('cron(0 9 ? * 2-6 *)'), at('2026-12-05T12:00:00Z'))).toBe(
      at('2026-12-04T09:00:00Z'),
    );
    // 1 is Sunday.
    expect(latestTick(rule('cron(0 9 ? * 1 *)'), at('2026-12-08T00:00:00Z'))).toBe(
      at('2026-12-06T09:00:00Z'),
    );
    expect(latestTick(rule('cron(0 9 ? * MON *)'), at('2026-12-08T00:00:00Z'))).toBe(
      at('2026-12-07T09:00:00Z'),
    );
    // 6#1: the first Friday of the month.
    expect(latestTick(rule('cron(0 9 ? * 6#1 *)'), at('2026-12-20T00:00:00Z'))).toBe(
      at('2026-12-04T09:00:00Z'),
    );
  });

  it('respect the year field', () => {
    expect(latestTick(rule('cron(0 0 1 1 ? 2027)'), at('2026-12-03T00:00:00Z'))).toBeUndefined();
    expect(latestTick(rule('cron(0 0 1 12 ? 2026)'), at('2026-12-03T00:00:00Z'))).toBe(
      at('2026-12-01T00:00:00Z'),
    );
  });
});
