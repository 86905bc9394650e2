/**
 * "Why didn't my endpoint get it?": deliveries of a bus, rule, target or event with their attempts, read
 * from the store in domain terms. The API operations (api/operations/deliveries.ts) and the JSON GET
 * endpoint both answer from here.
 */
import { busNameOf } from '../bus/arns.js';
import { NotFoundError } from '../errors.js';
import type {
  AttemptRecord,
  DeliveryFilter,
  DeliveryRecord,
  DeliveryStatus,
  Page,
  Store,
} from '../store/store.js';

export const DEFAULT_DELIVERIES_PAGE_SIZE = 100;
/**
 * EventBridge's list limit. With attempts, a page costs one more indexed read per delivery
 * (attempts_by_delivery), so 100 also bounds that work.
 */
export const MAX_DELIVERIES_PAGE_SIZE = 100;

export interface DeliveryQuery {
  /** A bus name or ARN. With `ruleName` and no bus, the default bus (as EventBridge's rule calls). */
  busName?: string;
  ruleName?: string;
  /** Target ids are per rule: without a rule, every target of that id on the bus (or every bus). */
  targetId?: string;
  eventId?: string;
  status?: DeliveryStatus;
  /** Each delivery with its attempts; otherwise only their count (`delivery.attempts`). */
  includeAttempts?: boolean;
  nextToken?: string;
  limit?: number;
}

export interface DeliveryView {
  delivery: DeliveryRecord;
  /** When asked for: every attempt, first to last (a taken-over lease can repeat a number). */
  attempts?: AttemptRecord[];
}

export interface DeliveryInspector {
  listDeliveries(query: DeliveryQuery): Promise<Page<DeliveryView>>;
  /** A delivery and its attempts; NotFoundError for an unknown id. */
  listAttempts(deliveryId: string): Promise<{ delivery: DeliveryRecord; attempts: AttemptRecord[] }>;
}

export function createDeliveryInspector(store: Store): DeliveryInspector {
  return {
    async listDeliveries(query) {
      const busName =
        query.busName !== undefined
          ? busNameOf(query.busName)
          : query.ruleName !== undefined
            ? busNameOf(undefined)
            : undefined;
      const filter: DeliveryFilter = {
        ...(busName !== undefined && { busName }),
        ...(query.ruleName !== undefined && { ruleName: query.ruleName }),
        ...(query.targetId !== undefined && { targetId: query.targetId }),
        ...(query.eventId !== undefined && { eventId: query.eventId }),
        ...(query.status !== undefined && { status: query.status }),
      };
      const limit = query.limit ?? DEFAULT_DELIVERIES_PAGE_SIZE;
      const page = await store.listDeliveries(
        filter,
        query.nextToken === undefined ? { limit } : { limit, nextToken: query.nextToken },
      );
      const items = await Promise.all(
        page.items.map(async (delivery) =>
          query.includeAttempts === true
            ? { delivery, attempts: await store.listAttempts(delivery.id) }
            : { delivery },
        ),
      );
      return page.nextToken === undefined ? { items } : { items, nextToken: page.nextToken };
    },

    async listAttempts(deliveryId) {
      const delivery = await store.getDelivery(deliveryId);
      if (delivery === undefined) throw new NotFoundError(`Delivery ${deliveryId} does not exist.`);
      return { delivery, attempts: await store.listAttempts(deliveryId) };
    },
  };
}
