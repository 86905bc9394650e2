/**
 * A workflow task that publishes events and maps the response, as a workflow engine's EventBridge
 * connector does: success gives the event ids to the next step; any failed entry fails the task with
 * the entries' error codes (the error path a BPMN boundary event or a retry policy would catch).
 *
 *   node --conditions=source --import tsx examples/workflow-publish.ts   (BUSWAY_ENDPOINT, default :4010)
 */
import { pathToFileURL } from 'node:url';
import { createBuswayClient, type BuswayClient, type EventEntry, type PublishResult } from '@busway/sdk';

/** What the task hands to the next step of the workflow. */
export interface TaskOutput {
  eventIds: string[];
  requestId: string | undefined;
}

/** The task's failure, carrying the connector-shaped result for the workflow's error handling. */
export class PublishTaskError extends Error {
  readonly result: PublishResult;

  constructor(result: PublishResult) {
    const reasons = result.entries
      .flatMap((entry, index) => (entry.errorCode === undefined ? [] : [`#${index}: ${entry.errorCode}`]))
      .join(', ');
    super(`${result.FailedEntryCount} of ${result.entries.length} events were not published (${reasons})`);
    this.name = 'PublishTaskError';
    this.result = result;
  }
}

export async function publishTask(client: BuswayClient, events: EventEntry[]): Promise<TaskOutput> {
  const result = await client.publish(events);
  if (result.FailedEntryCount > 0) throw new PublishTaskError(result);
  return { eventIds: result.entries.map((entry) => entry.eventId ?? ''), requestId: result.requestId };
}

export async function run(endpoint: string): Promise<{ output: TaskOutput; failure: PublishTaskError }> {
  const client = createBuswayClient({
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const output = await publishTask(client, [
      { source: 'orders.workflow', detailType: 'Order Approved', detail: { orderId: 'o-1', total: 120 } },
      { source: 'orders.workflow', detailType: 'Invoice Requested', detail: { orderId: 'o-1' } },
    ]);
    // The error path: `aws.` sources are reserved, so EventBridge (and Busway) refuse that entry.
    const failure = await publishTask(client, [
      { source: 'orders.workflow', detailType: 'Order Approved', detail: { orderId: 'o-2' } },
      { source: 'aws.orders', detailType: 'Order Approved', detail: { orderId: 'o-2' } },
    ]).then(
      () => {
        throw new Error('expected the second task to fail');
      },
      (error: unknown) => {
        if (error instanceof PublishTaskError) return error;
        throw error;
      },
    );
    return { output, failure };
  } finally {
    client.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { output, failure } = await run(process.env['BUSWAY_ENDPOINT'] ?? 'http://127.0.0.1:4010');
  console.log('published', output);
  console.log('error path:', failure.message, JSON.stringify(failure.result.entries));
}
