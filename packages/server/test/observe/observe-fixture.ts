/**
 * Shared set-up for the observability tests: buses, rules and targets made through the real SDK, and a
 * server-sent-events reader over a real fetch body that waits on what arrives (never on a clock).
 */
import {
  CreateEventBusCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { expect } from 'vitest';

export interface RuleSpec {
  name: string;
  pattern: unknown;
  targets: string[];
}

/** Creates `busName` (unless default) with rules whose targets are SQS ARNs named by their ids. */
export async function setUpBus(client: EventBridgeClient, busName: string, rules: RuleSpec[]): Promise<void> {
  if (busName !== 'default') await client.send(new CreateEventBusCommand({ Name: busName }));
  for (const rule of rules) {
    await client.send(
      new PutRuleCommand({
        Name: rule.name,
        EventBusName: busName,
        EventPattern: JSON.stringify(rule.pattern),
      }),
    );
    if (rule.targets.length === 0) continue;
    await client.send(
      new PutTargetsCommand({
        Rule: rule.name,
        EventBusName: busName,
        Targets: rule.targets.map((id) => ({ Id: id, Arn: `arn:aws:sqs:us-east-1:000000000000:${id}` })),
      }),
    );
  }
}

/** Puts one event per detail on `busName`; returns the event ids, in order. */
export async function putEvents(
  client: EventBridgeClient,
  busName: string,
  entries: Array<{ source?: string; detailType?: string; detail: unknown }>,
): Promise<string[]> {
  const result = await client.send(
    new PutEventsCommand({
      Entries: entries.map((entry) => ({
        EventBusName: busName,
        Source: entry.source ?? 'app.orders',
        DetailType: entry.detailType ?? 'Order Placed',
        Detail: typeof entry.detail === 'string' ? entry.detail : JSON.stringify(entry.detail),
      })),
    }),
  );
  expect(result.FailedEntryCount).toBe(0);
  return (result.Entries ?? []).map((entry) => entry.EventId ?? '');
}

export interface SseMessage {
  event: string;
  data: string;
}

/**
 * Reads a text/event-stream body as it arrives: `messages` are the events so far (comments are
 * counted apart), `waitFor` resolves once a condition holds, `done` once the server ended the stream.
 */
export class SseReader {
  readonly messages: SseMessage[] = [];
  comments: string[] = [];
  ended = false;
  private buffer = '';
  private waiters: Array<() => void> = [];
  readonly done: Promise<void>;

  constructor(response: Response) {
    if (response.body === null) throw new Error('the response has no body');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    this.done = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          this.feed(value);
        }
      } catch {
        // aborted by the test: the stream is over either way
      } finally {
        this.ended = true;
        this.notify();
      }
    })();
  }

  private feed(text: string): void {
    this.buffer += text;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      let comment = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          this.comments.push(line.slice(1).trim());
          comment = true;
        } else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (!comment || data.length > 0) this.messages.push({ event, data: data.join('\n') });
    }
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves when `condition` holds; rejects if the stream ends first. */
  async waitFor(condition: (reader: SseReader) => boolean, what: string): Promise<void> {
    while (!condition(this)) {
      if (this.ended)
        throw new Error(`the stream ended before ${what}; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** The envelopes of the `event` events so far. */
  envelopes(): Array<Record<string, unknown>> {
    return this.messages
      .filter((m) => m.event === 'event')
      .map((m) => JSON.parse(m.data) as Record<string, unknown>);
  }
}
