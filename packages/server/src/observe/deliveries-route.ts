/**
 * `GET /busway/deliveries?bus=&rule=&target=&event-id=&status=&attempts=&limit=&next-token=`: the
 * ListDeliveries operation as a signed JSON GET (for curl-style tools and the console), answering the
 * operation's exact output. Errors are AWS-shaped (`__type`, `message`) like every SigV4-signed call.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OperationHandler } from '../api/aws-json/protocol.js';
import { sendAwsError } from '../api/error-shapes.js';
import { ValidationError } from '../errors.js';
import { queryParam } from './query.js';

export const DELIVERIES_PATH = '/busway/deliveries';

export interface DeliveriesRouteOptions {
  /** The `Busway.ListDeliveries` handler. */
  listDeliveries: OperationHandler;
  authenticate(request: FastifyRequest): Promise<unknown>;
}

/** `dead-lettered`, `DEAD_LETTERED` and `dead_lettered` all name one status. */
function wireStatus(value: string): string {
  return value.toUpperCase().replace(/-/g, '_');
}

function booleanParam(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === '' || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ValidationError(`Query parameter '${name}' must be true or false, not '${value}'.`);
}

function integerParam(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value)) {
    throw new ValidationError(`Query parameter '${name}' must be a whole number, not '${value}'.`);
  }
  return Number(value);
}

/** The ListDeliveries input a query string asks for. */
export function listDeliveriesInput(query: unknown): Record<string, unknown> {
  const status = queryParam(query, 'status');
  const input: Record<string, unknown> = {
    EventBusName: queryParam(query, 'bus'),
    RuleName: queryParam(query, 'rule'),
    TargetId: queryParam(query, 'target'),
    EventId: queryParam(query, 'event-id'),
    Status: status === undefined ? undefined : wireStatus(status),
    IncludeAttempts: booleanParam(queryParam(query, 'attempts'), 'attempts'),
    Limit: integerParam(queryParam(query, 'limit'), 'limit'),
    NextToken: queryParam(query, 'next-token'),
  };
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

export function registerDeliveriesRoute(http: FastifyInstance, options: DeliveriesRouteOptions): void {
  http.get(DELIVERIES_PATH, async (request, reply) => {
    const requestId = randomUUID();
    try {
      await options.authenticate(request);
      const output = await options.listDeliveries(listDeliveriesInput(request.query), { requestId });
      return await reply
        .code(200)
        .header('content-type', 'application/json; charset=utf-8')
        .header('x-amzn-RequestId', requestId)
        .send(JSON.stringify(output ?? {}));
    } catch (error) {
      return sendAwsError(reply, error, requestId, request.log);
    }
  });
}
