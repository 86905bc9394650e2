/**
 * Event-bus targets (`arn:aws:events:REGION:ACCOUNT:event-bus/NAME`): the event enters that bus and its
 * rules route it like any event put there. What is passed on is the original event (source,
 * detail-type, detail, resources, time): EventBridge forwards events between buses unchanged, so the
 * target's Input settings do not apply. The forwarded copy gets a new id on the target bus.
 */
import type { ArnContext } from '../../bus/arns.js';
import type { BusService } from '../../bus/types.js';
import { DeliveryFailure, type InvokeTarget } from '../target-result.js';

const BUS_ARN = /^arn:aws[\w-]*:events:([a-z0-9-]+):(\d{12}):event-bus\/([/.\-_A-Za-z0-9]+)$/;

export function createEventBusTarget(
  bus: BusService,
  hasBus: (name: string) => boolean,
  ctx: ArnContext,
): InvokeTarget {
  return async ({ target, event }) => {
    const match = BUS_ARN.exec(target.arn);
    if (match === null || match[1] !== ctx.region || match[2] !== ctx.accountId) {
      throw new DeliveryFailure(
        `Event bus ${target.arn} is not a bus of this server (region ${ctx.region}, account ${ctx.accountId}).`,
        { code: 'NO_RESOURCE', retryable: false },
      );
    }
    const busName = match[3]!;
    if (!hasBus(busName)) {
      throw new DeliveryFailure(`Event bus ${busName} does not exist.`, {
        code: 'NO_RESOURCE',
        retryable: false,
      });
    }
    const time = typeof event['time'] === 'string' ? Date.parse(event['time']) : Number.NaN;
    const [result] = await bus.putEvents(
      [
        {
          busName,
          source: String(event['source']),
          detailType: String(event['detail-type']),
          detail: JSON.stringify(event['detail'] ?? {}),
          ...(Array.isArray(event['resources']) && { resources: event['resources'].map(String) }),
          ...(!Number.isNaN(time) && { time }),
        },
      ],
      { forwarded: true },
    );
    if (result === undefined || !('eventId' in result)) {
      throw new DeliveryFailure(
        `Event bus ${busName} refused the event: ${result?.errorCode ?? 'no answer'} ${result?.errorMessage ?? ''}`.trim(),
        { code: 'INVALID_PARAMETER', retryable: false },
      );
    }
    return { responseExcerpt: `EventId ${result.eventId}` };
  };
}
