/**
 * Prometheus metrics with EventBridge's CloudWatch names (docs/metrics.md has the mapping and what each
 * counts). Two sources feed them: ingest's stored batches (MatchedEvents, TriggeredRules, PutEvents
 * entries) and the delivery engine's attempt reports (everything about invocations).
 *
 * Each app has its own Registry, never prom-client's global one: tests build many apps in one process,
 * and a global registry would refuse the second app's metrics (duplicate names) or mix their counts.
 * The Node.js process metrics are the exception: they describe the process, not an app, and collecting
 * them starts a GC observer and an event-loop monitor that are never stopped, so they are collected once
 * per process into a registry of their own and appended to every app's answer.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { StoredBatch } from '../app.js';
import type { AttemptReport, DeliveryObserver } from '../delivery/observer.js';

/** Every Busway metric name starts with this. */
export const METRIC_PREFIX = 'busway_';

/**
 * Latency buckets in milliseconds, from a loopback delivery (a few ms) to the longest retry schedule
 * (MaximumEventAgeInSeconds is at most 24 h).
 */
export const LATENCY_BUCKETS_MS = [
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000,
  21_600_000, 86_400_000,
];

export interface BuswayMetrics {
  /** This app's metrics (not the process metrics; see render()). */
  readonly registry: Registry;
  /** Pass to the delivery engine: counts invocations from its attempt reports. */
  readonly deliveryObserver: DeliveryObserver;
  /** Register with `app.onEventsStored`: counts stored entries, matched events and triggered rules. */
  onEventsStored(batch: StoredBatch): void;
  /** The Prometheus text exposition: this app's metrics, then the process metrics. */
  render(): Promise<string>;
  /** The content type of render()'s text. */
  readonly contentType: string;
}

let processRegistry: Registry | undefined;

/** The process metrics (`process_*`, `nodejs_*`), collected once per process. */
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createMetrics(): BuswayMetrics {
  const registry = new Registry();
  const registers = [registry];
  const counter = (name: string, help: string, labelNames: readonly string[]) =>
    new Counter({ name: METRIC_PREFIX + name, help, labelNames, registers });
  const histogram = (name: string, help: string, labelNames: readonly string[]) =>
    new Histogram({ name: METRIC_PREFIX + name, help, labelNames, buckets: LATENCY_BUCKETS_MS, registers });

  const BUS = ['bus'] as const;
  const RULE = ['bus', 'rule'] as const;
  const TARGET = ['bus', 'rule', 'target'] as const;

  const putEventsEntries = counter(
    'put_events_entries_total',
    'Events accepted and stored by the bus (PutEvents entries with an EventId; not those dropped for a missing bus).',
    BUS,
  );
  const matchedEvents = counter(
    'matched_events_total',
    'MatchedEvents: stored events that matched at least one rule with a target.',
    BUS,
  );
  const triggeredRules = counter(
    'triggered_rules_total',
    'TriggeredRules: rule matches, one per (event, rule) with at least one target.',
    RULE,
  );
  const invocations = counter(
    'invocations_total',
    'Invocations: deliveries that reached a final outcome, succeeded or failed for good; retries are not counted until then, dead letters never.',
    TARGET,
  );
  const failedInvocations = counter(
    'failed_invocations_total',
    'FailedInvocations: deliveries that failed for good and were not dead-lettered.',
    TARGET,
  );
  const deadLetterInvocations = counter(
    'dead_letter_invocations_total',
    'DeadLetterInvocations: deliveries that failed for good and went to the target dead-letter queue.',
    TARGET,
  );
  const failedToDeadLetter = counter(
    'invocations_failed_to_be_sent_to_dlq_total',
    'InvocationsFailedToBeSentToDlq: failed deliveries whose dead-letter queue could not take them.',
    TARGET,
  );
  const invocationAttempts = counter(
    'invocation_attempts_total',
    'InvocationAttempts: every attempt to call a target, first attempts and retries.',
    TARGET,
  );
  const successfulInvocationAttempts = counter(
    'successful_invocation_attempts_total',
    'SuccessfulInvocationAttempts: attempts the target accepted.',
    TARGET,
  );
  const retryInvocationAttempts = counter(
    'retry_invocation_attempts_total',
    'RetryInvocationAttempts: attempts after the first one of a delivery.',
    TARGET,
  );
  // Histograms carry bus and rule only: one series per bucket per label set adds up fast.
  const startLatency = histogram(
    'ingestion_to_invocation_start_latency_ms',
    'IngestionToInvocationStartLatency: from acceptance of the event to the start of the first attempt, in milliseconds.',
    RULE,
  );
  const successLatency = histogram(
    'ingestion_to_invocation_success_latency_ms',
    'IngestionToInvocationSuccessLatency: from acceptance of the event to the end of the attempt the target accepted, in milliseconds.',
    RULE,
  );

  const deliveryObserver: DeliveryObserver = {
    onAttempt(report: AttemptReport) {
      const { delivery, attempt, disposition } = report;
      const rule = { bus: delivery.busName, rule: delivery.ruleName };
      const target = { ...rule, target: delivery.targetId };
      invocationAttempts.inc(target);
      if (attempt.attempt > 1) retryInvocationAttempts.inc(target);
      else startLatency.observe(rule, Math.max(0, attempt.startedAt - report.ingestedAt));
      if (attempt.outcome === 'success') {
        successfulInvocationAttempts.inc(target);
        successLatency.observe(rule, Math.max(0, attempt.startedAt + attempt.durationMs - report.ingestedAt));
      }
      switch (disposition) {
        case 'delivered':
          invocations.inc(target);
          break;
        case 'failed':
          invocations.inc(target);
          failedInvocations.inc(target);
          if (report.deadLetterError !== undefined) failedToDeadLetter.inc(target);
          break;
        case 'dead-lettered':
          deadLetterInvocations.inc(target);
          break;
        case 'retry':
          break;
      }
    },
  };

  return {
    registry,
    deliveryObserver,
    onEventsStored(batch) {
      for (const { event, deliveries } of batch) {
        putEventsEntries.inc({ bus: event.busName });
        if (deliveries.length === 0) continue;
        matchedEvents.inc({ bus: event.busName });
        // Deliveries are per (rule, target): a rule with several targets matched once.
        const rules = new Set<string>();
        for (const delivery of deliveries) rules.add(delivery.ruleName);
        for (const rule of rules) triggeredRules.inc({ bus: event.busName, rule });
      }
    },
    async render() {
      const own = await registry.metrics();
      const process = await processMetrics().metrics();
      return `${own}\n${process}`;
    },
    contentType: registry.contentType,
  };
}
