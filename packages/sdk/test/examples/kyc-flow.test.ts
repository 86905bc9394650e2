/** examples/kyc-flow.ts against a real server: task token answered with SendTaskSuccess, two consumers. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../server/test/support/server.js';
import { runKycFlow } from '../../../../examples/kyc-flow.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s.close());

it('waits for the KYC worker’s SendTaskSuccess, then routes Customer Verified to both consumers', async () => {
  const result = await runKycFlow(s.url, 'c-77');
  expect(result.kyc).toEqual({ customerId: 'c-77', level: 'verified' });
  expect(result.welcomeMail).toMatchObject({ 'detail-type': 'Customer Verified', detail: result.kyc });
  expect(result.account.id).toBe(result.welcomeMail.id);
});
