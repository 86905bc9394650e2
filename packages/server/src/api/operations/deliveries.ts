/**
 * Busway's own delivery operations (`X-Amz-Target: Busway.*`, signed for the service `busway`), for
 * `busway deliveries` and the console (docs/observability.md):
 *
 *   ListDeliveries {EventBusName?, RuleName?, TargetId?, EventId?, Status?, IncludeAttempts?, NextToken?,
 *                   Limit?} -> {Deliveries: [Delivery], NextToken?}
 *   ListAttempts   {DeliveryId} -> {Delivery, Attempts: [Attempt]}
 *
 * Wire names follow EventBridge's conventions: PascalCase members, upper-case enums, timestamps as epoch
 * seconds (fractional), validation errors in Coral's words.
 */
import type { DeliveryInspector, DeliveryView } from '../../observe/deliveries.js';
import { MAX_DELIVERIES_PAGE_SIZE } from '../../observe/deliveries.js';
import type { AttemptRecord, DeliveryRecord, DeliveryStatus } from '../../store/store.js';
import type { OperationHandler } from '../aws-json/protocol.js';
import { WireValidator, type StringConstraints } from '../validation.js';

const RULE_NAME: StringConstraints = { min: 1, max: 64, pattern: '[\\.\\-_A-Za-z0-9]+' };
const TARGET_ID = RULE_NAME;
const EVENT_BUS_NAME_OR_ARN: StringConstraints = {
  min: 1,
  max: 1600,
  pattern: '(arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?[/\\.\\-_A-Za-z0-9]+',
};
const ID: StringConstraints = { min: 1, max: 128 };
const NEXT_TOKEN: StringConstraints = { min: 1, max: 2048 };

/** Delivery statuses on the wire, by domain status. */
export const WIRE_STATUSES: Readonly<Record<DeliveryStatus, string>> = {
  pending: 'PENDING',
  'in-flight': 'IN_FLIGHT',
  delivered: 'DELIVERED',
  failed: 'FAILED',
  'dead-lettered': 'DEAD_LETTERED',
};
const DOMAIN_STATUSES = new Map(
  Object.entries(WIRE_STATUSES).map(([domain, wire]) => [wire, domain as DeliveryStatus]),
);
const STATUS: StringConstraints = { enum: Object.values(WIRE_STATUSES) };

const WIRE_OUTCOMES: Readonly<Record<AttemptRecord['outcome'], string>> = {
  success: 'SUCCESS',
  'retryable-failure': 'RETRYABLE_FAILURE',
  'permanent-failure': 'PERMANENT_FAILURE',
};

const seconds = (ms: number): number => ms / 1000;

export function wireDelivery(delivery: DeliveryRecord): Record<string, unknown> {
  return {
    DeliveryId: delivery.id,
    EventId: delivery.eventId,
    EventBusName: delivery.busName,
    RuleName: delivery.ruleName,
    RuleArn: delivery.ruleArn,
    TargetId: delivery.targetId,
    Status: WIRE_STATUSES[delivery.status],
    AttemptCount: delivery.attempts,
    // When a pending delivery is due; for final ones the field says nothing useful.
    ...(delivery.status === 'pending' && { NextAttemptAt: seconds(delivery.dueAt) }),
    CreatedAt: seconds(delivery.createdAt),
    UpdatedAt: seconds(delivery.updatedAt),
    ...(delivery.lastError !== undefined && { LastError: delivery.lastError }),
  };
}

export function wireAttempt(attempt: AttemptRecord): Record<string, unknown> {
  return {
    Attempt: attempt.attempt,
    StartedAt: seconds(attempt.startedAt),
    DurationMs: attempt.durationMs,
    Outcome: WIRE_OUTCOMES[attempt.outcome],
    ...(attempt.statusCode !== undefined && { StatusCode: attempt.statusCode }),
    ...(attempt.error !== undefined && { Error: attempt.error }),
    ...(attempt.responseExcerpt !== undefined && { ResponseExcerpt: attempt.responseExcerpt }),
  };
}

function wireView(view: DeliveryView): Record<string, unknown> {
  return {
    ...wireDelivery(view.delivery),
    ...(view.attempts !== undefined && { Attempts: view.attempts.map(wireAttempt) }),
  };
}

export function createDeliveriesOperations(inspector: DeliveryInspector): Map<string, OperationHandler> {
  const operations: Record<string, OperationHandler> = {
    async ListDeliveries(input) {
      const v = new WireValidator();
      const busName = v.string(input.EventBusName, 'eventBusName', EVENT_BUS_NAME_OR_ARN);
      const ruleName = v.string(input.RuleName, 'ruleName', RULE_NAME);
      const targetId = v.string(input.TargetId, 'targetId', TARGET_ID);
      const eventId = v.string(input.EventId, 'eventId', ID);
      const status = v.string(input.Status, 'status', STATUS);
      const includeAttempts = v.boolean(input.IncludeAttempts, 'includeAttempts');
      const nextToken = v.string(input.NextToken, 'nextToken', NEXT_TOKEN);
      const limit = v.integer(input.Limit, 'limit', { min: 1, max: MAX_DELIVERIES_PAGE_SIZE });
      v.throwIfInvalid();
      const domainStatus = status === undefined ? undefined : DOMAIN_STATUSES.get(status);
      const page = await inspector.listDeliveries({
        ...(busName !== undefined && { busName }),
        ...(ruleName !== undefined && { ruleName }),
        ...(targetId !== undefined && { targetId }),
        ...(eventId !== undefined && { eventId }),
        ...(domainStatus !== undefined && { status: domainStatus }),
        ...(includeAttempts !== undefined && { includeAttempts }),
        ...(nextToken !== undefined && { nextToken }),
        ...(limit !== undefined && { limit }),
      });
      return {
        Deliveries: page.items.map(wireView),
        ...(page.nextToken !== undefined && { NextToken: page.nextToken }),
      };
    },

    async ListAttempts(input) {
      const v = new WireValidator();
      const deliveryId = v.string(input.DeliveryId, 'deliveryId', { ...ID, required: true });
      v.throwIfInvalid();
      const { delivery, attempts } = await inspector.listAttempts(deliveryId ?? '');
      return { Delivery: wireDelivery(delivery), Attempts: attempts.map(wireAttempt) };
    },
  };
  return new Map(Object.entries(operations).map(([name, handler]) => [`Busway.${name}`, handler]));
}
