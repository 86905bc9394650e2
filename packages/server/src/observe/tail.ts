/**
 * The live tail: `GET /busway/tail?bus=NAME&pattern=PATTERN` streams every event stored on a bus (that
 * matches the optional EventBridge pattern) as server-sent events, for debugging the way users set up
 * a "log every event" rule (docs/observability.md).
 *
 *   event: event               one per stored event, its envelope as JSON on the data line(s)
 *   data: {"version":"0",...}
 *
 *   event: dropped             events this stream skipped because its client read too slowly
 *   data: {"dropped":12}
 *
 *   : heartbeat                a comment every 15 s, so proxies and clients see a live connection
 *
 * Fed by ingest's stored-batch hook, so an event shows once it is durable, whether or not a rule
 * matched it. Slow consumers: a stream holds at most `maxBufferedBytes` of unsent text (plus the one
 * event that crossed the line). Beyond that, events for it are dropped and counted, and once its
 * buffer has drained the count is sent as one `dropped` event; memory never grows with a stalled
 * client. Dropping rather than disconnecting keeps a debugging session open through a burst.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { createRuleMatcher, InvalidPatternError, parsePattern, type RuleMatcher } from '@busway/patterns';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendAwsError } from '../api/error-shapes.js';
import type { StoredBatch } from '../app.js';
import { busNameOf } from '../bus/arns.js';
import { InvalidEventPatternError } from '../errors.js';
import { queryParam } from './query.js';

export const TAIL_PATH = '/busway/tail';
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** 1 MiB: several hundred typical events, or four of the largest (256 KiB). */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;

export interface TailOptions {
  /** Interval of the `: heartbeat` comments. */
  heartbeatMs?: number;
  /** Unsent text a stream may hold before its events are dropped. */
  maxBufferedBytes?: number;
}

/** A compiled tail filter: which events of the bus a stream wants. */
export type TailFilter = (envelope: string) => boolean;

export interface Tail {
  /** Register with `app.onEventsStored`. */
  onEventsStored(batch: StoredBatch): void;
  /** Streams events of `busName` accepted by `filter` to `response` until either side ends it. */
  subscribe(busName: string, filter: TailFilter | undefined, response: ServerResponse): void;
  /** Open streams. */
  readonly size: number;
  /** Ends every open stream and refuses new ones. */
  close(): void;
}

interface Subscriber {
  readonly filter: TailFilter | undefined;
  readonly response: ServerResponse;
  /** Events skipped since the last `dropped` notice. */
  dropped: number;
  /** A drain listener is waiting to send the `dropped` notice. */
  awaitingDrain: boolean;
}

/**
 * The filter for an EventBridge pattern, compiled once per stream; throws InvalidEventPatternError
 * with the pattern engine's message for a pattern a rule could not have.
 */
export function compileTailFilter(pattern: string, maxLength: number): TailFilter {
  let matcher: RuleMatcher<number>;
  try {
    matcher = createRuleMatcher<number>();
    matcher.add(0, parsePattern(pattern, { maxLength }));
  } catch (error) {
    if (error instanceof InvalidPatternError)
      throw new InvalidEventPatternError(error.message, { cause: error });
    throw error;
  }
  return (envelope) => matcher.match(envelope).length > 0;
}

/** One SSE event. A data line cannot hold a line break: the envelope's own (JSON whitespace in a
 * publisher's Detail) split it into several data lines, which clients join with `\n` again. */
function sseEvent(type: string, data: string): string {
  const lines = /[\r\n]/.test(data) ? data.split(/\r\n|\r|\n/) : [data];
  return `event: ${type}\n${lines.map((line) => `data: ${line}`).join('\n')}\n\n`;
}

export function createTail(options: TailOptions = {}): Tail {
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const byBus = new Map<string, Set<Subscriber>>();
  let count = 0;
  let closed = false;
  let heartbeat: NodeJS.Timeout | undefined;

  const sendDropped = (subscriber: Subscriber): void => {
    subscriber.awaitingDrain = false;
    if (subscriber.dropped === 0 || subscriber.response.writableEnded) return;
    subscriber.response.write(sseEvent('dropped', JSON.stringify({ dropped: subscriber.dropped })));
    subscriber.dropped = 0;
  };

  const send = (subscriber: Subscriber, text: string): void => {
    const { response } = subscriber;
    if (response.writableEnded) return;
    if (response.writableLength > maxBufferedBytes) {
      subscriber.dropped += 1;
      // Over the limit means over the socket's high-water mark too, so a drain is coming.
      if (!subscriber.awaitingDrain) {
        subscriber.awaitingDrain = true;
        response.once('drain', () => sendDropped(subscriber));
      }
      return;
    }
    response.write(text);
  };

  const beat = (): void => {
    for (const subscribers of byBus.values()) {
      for (const subscriber of subscribers) {
        const { response } = subscriber;
        if (!response.writableEnded && response.writableLength <= maxBufferedBytes) {
          response.write(': heartbeat\n\n');
        }
      }
    }
  };

  const remove = (busName: string, subscriber: Subscriber): void => {
    const subscribers = byBus.get(busName);
    if (subscribers === undefined || !subscribers.delete(subscriber)) return;
    count -= 1;
    if (subscribers.size === 0) byBus.delete(busName);
    if (count === 0 && heartbeat !== undefined) {
      clearInterval(heartbeat);
      heartbeat = undefined;
    }
  };

  return {
    onEventsStored(batch) {
      if (count === 0) return;
      for (const { event } of batch) {
        const subscribers = byBus.get(event.busName);
        if (subscribers === undefined) continue;
        let text: string | undefined;
        for (const subscriber of subscribers) {
          if (subscriber.filter !== undefined && !subscriber.filter(event.envelope)) continue;
          text ??= sseEvent('event', event.envelope);
          send(subscriber, text);
        }
      }
    },

    subscribe(busName, filter, response) {
      if (closed || response.destroyed || response.socket === null || response.socket.destroyed) {
        // Closing, or the client left while its request was being checked: nothing to stream to.
        response.end();
        return;
      }
      const subscriber: Subscriber = { filter, response, dropped: 0, awaitingDrain: false };
      let subscribers = byBus.get(busName);
      if (subscribers === undefined) {
        subscribers = new Set();
        byBus.set(busName, subscribers);
      }
      subscribers.add(subscriber);
      count += 1;
      if (heartbeat === undefined) {
        heartbeat = setInterval(beat, heartbeatMs);
        heartbeat.unref();
      }
      response.once('close', () => remove(busName, subscriber));
      // A write racing the client's disconnect fails on the socket; the stream is simply over (an
      // unhandled 'error' would take the process down).
      response.on('error', () => remove(busName, subscriber));
      // Registered before the headers go out: a client that has the response sees every later event.
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      response.write(`: tailing bus ${busName}\n\n`);
    },

    get size() {
      return count;
    },

    close() {
      closed = true;
      for (const [busName, subscribers] of [...byBus]) {
        for (const subscriber of [...subscribers]) {
          remove(busName, subscriber);
          subscriber.response.end();
        }
      }
    },
  };
}

export interface TailRouteOptions {
  tail: Tail;
  /** SigV4 check of the request (service `busway`); throws AuthError. */
  authenticate(request: FastifyRequest): Promise<unknown>;
  /** Throws NotFoundError when the bus does not exist. */
  requireBus(busName: string): Promise<unknown>;
  /** Longest pattern accepted, as for PutRule. */
  maxPatternLength: number;
}

export function registerTailRoute(http: FastifyInstance, options: TailRouteOptions): void {
  http.get(TAIL_PATH, async (request, reply) => {
    let busName: string;
    let filter: TailFilter | undefined;
    try {
      await options.authenticate(request);
      busName = busNameOf(queryParam(request.query, 'bus'));
      const pattern = queryParam(request.query, 'pattern');
      filter = pattern === undefined ? undefined : compileTailFilter(pattern, options.maxPatternLength);
      await options.requireBus(busName);
    } catch (error) {
      return sendAwsError(reply, error, randomUUID(), request.log);
    }
    // The stream is written directly, for as long as it lasts; Fastify no longer answers this request.
    reply.hijack();
    options.tail.subscribe(busName, filter, reply.raw);
    return reply;
  });
}
