/**
 * `/metrics` on a real server: MatchedEvents, TriggeredRules and PutEvents entries from real PutEvents
 * calls; the invocation metrics from the delivery observer fed AttemptReports built from real store
 * records (deliveries claimed and attempts recorded through the store, as the engine does).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AttemptDisposition, AttemptReport } from '../../src/delivery/observer.js';
import type { AttemptRecord, DeliveryRecord } from '../../src/store/store.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { putEvents, setUpBus } from '../observe/observe-fixture.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function server(): Promise<TestServer> {
  const s = await startTestServer();
  servers.push(s);
  // These tests move deliveries on through the store themselves, so the engine must not also take
  // them; the engine's own attempts and reports are tested in test/delivery/.
  await s.app.delivery.stop();
  return s;
}

/** The value of one series of the server's metrics, read from its Registry. */
async function value(s: TestServer, name: string, labels: Record<string, string>): Promise<number> {
  const metric = s.app.metrics.registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const found = values.find((v) =>
    Object.entries(labels).every(([key, expected]) => String(v.labels[key]) === expected),
  );
  return found?.value ?? 0;
}

async function scrape(url: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${url}/metrics`);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe('GET /metrics', () => {
  it('serves the Prometheus text format without a signature, with process metrics', async () => {
    const s = await server();
    const { status, type, text } = await scrape(s.url);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('# TYPE busway_invocations_total counter');
    expect(text).toContain('# TYPE busway_ingestion_to_invocation_start_latency_ms histogram');
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  });

  it('counts stored entries, matched events and triggered rules from PutEvents', async () => {
    const s = await server();
    await setUpBus(s.client, 'orders', [
      { name: 'placed', pattern: { 'detail-type': ['Order Placed'] }, targets: ['a', 'b'] },
      { name: 'big', pattern: { detail: { total: [{ numeric: ['>=', 100] }] } }, targets: ['c'] },
      { name: 'no-targets', pattern: { source: ['app.orders'] }, targets: [] },
    ]);
    await putEvents(s.client, 'orders', [
      { detail: { total: 5 } }, // placed
      { detail: { total: 500 } }, // placed + big
      { detail: { total: 1 }, detailType: 'Order Shipped' }, // only the rule without targets
    ]);
    await putEvents(s.client, 'default', [{ detail: {} }]);
    expect(await value(s, 'busway_put_events_entries_total', { bus: 'orders' })).toBe(3);
    expect(await value(s, 'busway_put_events_entries_total', { bus: 'default' })).toBe(1);
    expect(await value(s, 'busway_matched_events_total', { bus: 'orders' })).toBe(2);
    expect(await value(s, 'busway_matched_events_total', { bus: 'default' })).toBe(0);
    // One per (event, rule), however many targets the rule has.
    expect(await value(s, 'busway_triggered_rules_total', { bus: 'orders', rule: 'placed' })).toBe(2);
    expect(await value(s, 'busway_triggered_rules_total', { bus: 'orders', rule: 'big' })).toBe(1);
    const { text } = await scrape(s.url);
    expect(text).toContain('busway_triggered_rules_total{bus="orders",rule="placed"} 2');
    expect(text).toContain('busway_matched_events_total{bus="orders"} 2');
  });

  it('counts invocations, attempts, retries, failures and dead letters as EventBridge defines them', async () => {
    const s = await server();
    await setUpBus(s.client, 'orders', [
      { name: 'r', pattern: { source: ['app.orders'] }, targets: ['ok', 'flaky', 'bad', 'dlq'] },
    ]);
    const [eventId] = await putEvents(s.client, 'orders', [{ detail: {} }]);
    const event = await s.app.store.getEvent(eventId ?? '');
    if (event === undefined) throw new Error('event not stored');
    const store = s.app.store;
    const observer = s.app.metrics.deliveryObserver;

    /** Claims the due deliveries, records one attempt for each as `outcomes` says, reports it. */
    const round = async (
      now: number,
      outcomes: Record<
        string,
        { outcome: AttemptRecord['outcome']; disposition: AttemptDisposition; deadLetterError?: string }
      >,
    ): Promise<void> => {
      const claimed = await store.claimDueDeliveries('worker', now, 30_000, 100);
      for (const delivery of claimed) {
        const plan = outcomes[delivery.targetId];
        if (plan === undefined) throw new Error(`no plan for ${delivery.targetId}`);
        const attempt: AttemptRecord = {
          deliveryId: delivery.id,
          attempt: delivery.attempts + 1,
          startedAt: now,
          durationMs: 7,
          outcome: plan.outcome,
          ...(plan.outcome === 'success' ? { statusCode: 200 } : { statusCode: 503, error: 'HTTP 503' }),
        };
        const next =
          plan.disposition === 'delivered'
            ? ({ status: 'delivered' } as const)
            : plan.disposition === 'retry'
              ? ({ status: 'pending', retryAt: now + 1000, error: 'HTTP 503' } as const)
              : ({ status: plan.disposition, error: 'HTTP 503' } as const);
        expect(await store.recordAttempt('worker', attempt, next, now)).toBe('recorded');
        const recorded = (await store.getDelivery(delivery.id)) as DeliveryRecord;
        const [stored] = (await store.listAttempts(delivery.id)).slice(-1);
        const report: AttemptReport = {
          delivery: recorded,
          targetArn: `arn:aws:sqs:us-east-1:000000000000:${delivery.targetId}`,
          attempt: stored ?? attempt,
          disposition: plan.disposition,
          ingestedAt: event.ingestedAt,
          ...(plan.disposition === 'retry' && { retryAt: now + 1000 }),
          ...(plan.deadLetterError !== undefined && { deadLetterError: plan.deadLetterError }),
        };
        observer.onAttempt?.(report);
      }
    };
    const t0 = event.ingestedAt;
    await round(t0 + 40, {
      ok: { outcome: 'success', disposition: 'delivered' },
      flaky: { outcome: 'retryable-failure', disposition: 'retry' },
      bad: { outcome: 'retryable-failure', disposition: 'retry' },
      dlq: { outcome: 'permanent-failure', disposition: 'dead-lettered' },
    });
    await round(t0 + 1040, {
      flaky: { outcome: 'success', disposition: 'delivered' },
      bad: { outcome: 'retryable-failure', disposition: 'failed', deadLetterError: 'queue gone' },
    });
    const of = (target: string) => ({ bus: 'orders', rule: 'r', target });
    const counts = async (target: string) => ({
      invocations: await value(s, 'busway_invocations_total', of(target)),
      failed: await value(s, 'busway_failed_invocations_total', of(target)),
      deadLetter: await value(s, 'busway_dead_letter_invocations_total', of(target)),
      failedToDlq: await value(s, 'busway_invocations_failed_to_be_sent_to_dlq_total', of(target)),
      attempts: await value(s, 'busway_invocation_attempts_total', of(target)),
      successfulAttempts: await value(s, 'busway_successful_invocation_attempts_total', of(target)),
      retries: await value(s, 'busway_retry_invocation_attempts_total', of(target)),
    });
    expect(await counts('ok')).toStrictEqual({
      invocations: 1,
      failed: 0,
      deadLetter: 0,
      failedToDlq: 0,
      attempts: 1,
      successfulAttempts: 1,
      retries: 0,
    });
    expect(await counts('flaky')).toStrictEqual({
      invocations: 1,
      failed: 0,
      deadLetter: 0,
      failedToDlq: 0,
      attempts: 2,
      successfulAttempts: 1,
      retries: 1,
    });
    expect(await counts('bad')).toStrictEqual({
      invocations: 1,
      failed: 1,
      deadLetter: 0,
      failedToDlq: 1,
      attempts: 2,
      successfulAttempts: 0,
      retries: 1,
    });
    // A dead letter is not an invocation (EventBridge counts it apart).
    expect(await counts('dlq')).toStrictEqual({
      invocations: 0,
      failed: 0,
      deadLetter: 1,
      failedToDlq: 0,
      attempts: 1,
      successfulAttempts: 0,
      retries: 0,
    });

    // Start latency: first attempts only (4 of them, each 40 ms after ingestion); success latency: the
    // end of the accepted attempt (47 ms for ok, 1047 ms for flaky).
    const { text } = await scrape(s.url);
    expect(text).toContain('busway_ingestion_to_invocation_start_latency_ms_count{bus="orders",rule="r"} 4');
    expect(text).toContain('busway_ingestion_to_invocation_start_latency_ms_sum{bus="orders",rule="r"} 160');
    expect(text).toContain(
      'busway_ingestion_to_invocation_start_latency_ms_bucket{le="25",bus="orders",rule="r"} 0',
    );
    expect(text).toContain(
      'busway_ingestion_to_invocation_start_latency_ms_bucket{le="50",bus="orders",rule="r"} 4',
    );
    expect(text).toContain(
      'busway_ingestion_to_invocation_success_latency_ms_count{bus="orders",rule="r"} 2',
    );
    expect(text).toContain(
      'busway_ingestion_to_invocation_success_latency_ms_sum{bus="orders",rule="r"} 1094',
    );
  });

  it('keeps each app to its own counts when several run in one process', async () => {
    const first = await server();
    const second = await server();
    await putEvents(first.client, 'default', [{ detail: {} }, { detail: {} }]);
    await putEvents(second.client, 'default', [{ detail: {} }]);
    expect(await value(first, 'busway_put_events_entries_total', { bus: 'default' })).toBe(2);
    expect(await value(second, 'busway_put_events_entries_total', { bus: 'default' })).toBe(1);
  });
});
