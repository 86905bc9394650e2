/**
 * At-least-once through a crash: the real `busway serve` in a child process delivers to a real HTTP
 * endpoint through an API destination while events keep arriving; it is killed with SIGKILL mid-way
 * (thousands of events acknowledged, many not yet delivered, some in flight), restarted on the same data
 * dir, and every event that got an EventId must reach the endpoint at least once. Duplicates are allowed
 * (an attempt in flight at the kill is made again) and counted in the output.
 */
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureStopped, spawnServe, type ServeProcess } from '../support/cli-process.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import { createEventBridgeClient, createTempDir, removeDir } from '../support/server.js';

const EVENTS = 3000;
const BATCH = 10;
const CONCURRENT_CALLS = 8;
/** Leases of 2 s: the deliveries in flight at the kill are taken over that long after the restart. */
const SERVE_FLAGS = ['--delivery-concurrency', '16', '--delivery-lease-ms', '2000'];

let serve: ServeProcess | undefined;
let target: HttpTarget | undefined;
const dataDir = createTempDir('busway-crash-');

afterAll(async () => {
  await ensureStopped(serve);
  await target?.close();
  removeDir(dataDir);
});

describe('a server killed with SIGKILL while delivering', () => {
  it('delivers every acknowledged event at least once after it restarts on the same data', async () => {
    target = await startHttpTarget();
    // A slow-ish endpoint keeps deliveries in flight when the kill comes.
    target.respond(() => ({ delayMs: 2 }));
    serve = await spawnServe(dataDir, SERVE_FLAGS);
    let client = createEventBridgeClient(serve.url);
    const connection = await client.send(
      new CreateConnectionCommand({
        Name: 'crash',
        AuthorizationType: 'API_KEY',
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'k' } },
      }),
    );
    const destination = await client.send(
      new CreateApiDestinationCommand({
        Name: 'crash-endpoint',
        ConnectionArn: connection.ConnectionArn!,
        InvocationEndpoint: `${target.url}/events`,
        HttpMethod: 'POST',
      }),
    );
    await client.send(new PutRuleCommand({ Name: 'all', EventPattern: '{"source":["crash-test"]}' }));
    await client.send(
      new PutTargetsCommand({ Rule: 'all', Targets: [{ Id: 'http', Arn: destination.ApiDestinationArn! }] }),
    );

    // Put events from several concurrent callers; kill the server once half were acknowledged.
    const acknowledged = new Set<string>();
    let next = 0;
    let killed = false;
    const putBatch = async (): Promise<void> => {
      while (!killed && next < EVENTS) {
        const first = next;
        next += BATCH;
        try {
          const out = await client.send(
            new PutEventsCommand({
              Entries: Array.from({ length: BATCH }, (_, i) => ({
                Source: 'crash-test',
                DetailType: 'n',
                Detail: JSON.stringify({ n: first + i }),
              })),
            }),
          );
          for (const entry of out.Entries ?? [])
            if (entry.EventId !== undefined) acknowledged.add(entry.EventId);
        } catch {
          // The call the kill cut off: its events have no EventId, so nothing was promised for them.
        }
        if (!killed && acknowledged.size >= EVENTS / 2) {
          killed = true;
          serve!.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENT_CALLS }, putBatch));
    const exit = await serve.exited;
    expect(exit.signal).toBe('SIGKILL');
    const deliveredBeforeKill = target.requests.length;
    expect(acknowledged.size).toBeGreaterThanOrEqual(EVENTS / 2);
    // The kill came with work left: otherwise this test would prove nothing about recovery.
    expect(deliveredBeforeKill).toBeLessThan(acknowledged.size);

    client.destroy();
    serve = await spawnServe(dataDir, SERVE_FLAGS);
    client = createEventBridgeClient(serve.url);
    const seen = new Map<string, number>();
    const missing = (): number => {
      seen.clear();
      for (const request of target!.requests) {
        const id = (JSON.parse(request.body) as { id: string }).id;
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
      let count = 0;
      for (const id of acknowledged) if (!seen.has(id)) count++;
      return count;
    };
    // Wait for the endpoint to have seen every acknowledged event (each request wakes the check).
    for (let expected = acknowledged.size; missing() > 0; expected = target.requests.length + 1) {
      await target.waitForRequests(expected, 60_000);
    }
    const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
    console.log(
      `crash test: ${acknowledged.size} events acknowledged, ${deliveredBeforeKill} requests before the kill, ` +
        `${target.requests.length} in all, ${duplicates} duplicate deliveries, 0 missing`,
    );
    expect(missing()).toBe(0);
    client.destroy();
    await serve.stop();
  }, 120_000);
});
