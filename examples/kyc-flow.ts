/**
 * A know-your-customer flow over the bus:
 *   1. onboarding asks for a KYC check with putEventAndWait ("KYC Check Requested" carries a task token)
 *      and waits;
 *   2. the KYC worker, an app registered as an API destination, checks and answers with Step Functions'
 *      SendTaskSuccess through @aws-sdk/client-sfn pointed at Busway (unchanged Step Functions code);
 *   3. onboarding continues and publishes "Customer Verified", which routes to two consumers: the
 *      welcome mailer and the account service.
 *
 *   node --conditions=source --import tsx examples/kyc-flow.ts
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import {
  createBuswayClient,
  createEventRouter,
  taskTokenOf,
  type BusEvent,
  type EventRouter,
} from '@busway/sdk';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface KycResult {
  kyc: { customerId: string; level: string };
  welcomeMail: BusEvent;
  account: BusEvent;
}

async function listen(router: EventRouter): Promise<{ server: Server; url: string }> {
  const server = createServer(router.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function runKycFlow(endpoint: string, customerId: string): Promise<KycResult> {
  const busway = createBuswayClient({ endpoint, credentials });
  const sfn = new SFNClient({ endpoint, region: 'us-east-1', credentials });
  const servers: Server[] = [];
  try {
    // The KYC worker: Step Functions callback code, unchanged.
    const worker = createEventRouter({ auth: { value: 'kyc-worker-key' } }).on<{ customerId: string }>(
      'KYC Check Requested',
      async (event) => {
        const output = { customerId: event.detail.customerId, level: 'verified' };
        await sfn.send(
          new SendTaskSuccessCommand({ taskToken: taskTokenOf(event), output: JSON.stringify(output) }),
        );
      },
    );
    // Two consumers of the follow-up event.
    let resolveMail!: (event: BusEvent) => void;
    let resolveAccount!: (event: BusEvent) => void;
    const mailed = new Promise<BusEvent>((resolve) => (resolveMail = resolve));
    const opened = new Promise<BusEvent>((resolve) => (resolveAccount = resolve));
    const mailer = createEventRouter({ auth: { value: 'mailer-key' } }).on('Customer Verified', (e) =>
      resolveMail(e),
    );
    const accounts = createEventRouter({ auth: { value: 'accounts-key' } }).on('Customer Verified', (e) =>
      resolveAccount(e),
    );

    for (const [name, router, key] of [
      ['kyc-worker', worker, 'kyc-worker-key'],
      ['welcome-mailer', mailer, 'mailer-key'],
      ['account-service', accounts, 'accounts-key'],
    ] as const) {
      const { server, url } = await listen(router);
      servers.push(server);
      await busway.registerApp({
        name,
        endpoint: url,
        detailTypes: router.detailTypes,
        auth: { value: key },
      });
    }

    // Onboarding: ask, wait for the answer, continue.
    const { output } = await busway.putEventAndWait<{ customerId: string; level: string }>(
      { source: 'onboarding', detailType: 'KYC Check Requested', detail: { customerId } },
      { timeout: 60_000 },
    );
    await busway.publish({ source: 'onboarding', detailType: 'Customer Verified', detail: output });
    const [welcomeMail, account] = await Promise.all([mailed, opened]);
    return { kyc: output, welcomeMail, account };
  } finally {
    sfn.destroy();
    busway.close();
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runKycFlow(process.env['BUSWAY_ENDPOINT'] ?? 'http://127.0.0.1:4010', 'c-1');
  console.log('kyc answer', result.kyc);
  console.log('welcome mail for', result.welcomeMail.detail, '; account opened for', result.account.detail);
}
