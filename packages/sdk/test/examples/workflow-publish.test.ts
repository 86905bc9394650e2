/** examples/workflow-publish.ts against a real server: result mapping and the error path. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../server/test/support/server.js';
import { run } from '../../../../examples/workflow-publish.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s.close());

it('maps a published batch to event ids, and a failed entry to the task error', async () => {
  const { output, failure } = await run(s.url);
  expect(output.eventIds).toHaveLength(2);
  for (const id of output.eventIds) expect(await s.app.store.getEvent(id)).toBeDefined();
  expect(output.requestId).toMatch(/\S/);
  expect(failure.message).toBe('1 of 2 events were not published (#1: NotAuthorizedForSourceException)');
  expect(failure.result.FailedEntryCount).toBe(1);
  expect(failure.result.entries[0]?.eventId).toMatch(/\S/);
});
