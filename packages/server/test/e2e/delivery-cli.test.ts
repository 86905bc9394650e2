/**
 * The AWS CLI scenario of a webhook-style integration, driven with the real `aws` command against a
 * server that verifies signatures: a bus, a rule with a numeric pattern, an API_KEY connection, an API
 * destination and an input transformer. The endpoint must receive exactly the transformed event of the
 * matching entry, with the key header, and nothing for the entry the pattern rejects.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsToolEnv, runTool } from '../support/aws-tools.js';
import { startHttpTarget, type HttpTarget } from '../support/http-target.js';
import {
  createTempDir,
  removeDir,
  startTestServer,
  TEST_REGION,
  type TestServer,
} from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

const INSTALL_HINT = 'install with: apt-get install -y awscli';
const KEY = { accessKeyId: 'AKIDBUSWAYDELIVERYCLI', secretAccessKey: 'delivery-cli-secret-abcdefghijklmnop' };
const hasAwsCli = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasAwsCli)
  console.warn(`delivery-cli.test.ts: the AWS CLI (aws) is not installed, skipping; ${INSTALL_HINT}`);

let server: TestServer | undefined;
let endpoint: HttpTarget | undefined;
let scratch: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  if (!hasAwsCli) return;
  scratch = createTempDir('busway-delivery-cli-');
  env = awsToolEnv(scratch, KEY, TEST_REGION);
  // AWS CLI v1 fetches URL-looking parameter values (the endpoint) unless told not to.
  writeFileSync(env['AWS_CONFIG_FILE']!, '[default]\ncli_follow_urlparam = false\n');
  server = await startTestServer({ overrides: KEY, credentials: KEY });
  endpoint = await startHttpTarget();
});

afterAll(async () => {
  await server?.close();
  await endpoint?.close();
  if (scratch !== undefined) removeDir(scratch);
});

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const result = await runTool(
    'aws',
    ['events', ...args, '--endpoint-url', server!.url, '--output', 'json'],
    env,
  );
  expect(result.code, `aws events ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result.stdout.trim() === '' ? {} : (JSON.parse(result.stdout) as Record<string, unknown>);
}

describe.skipIf(!hasAwsCli)(
  `AWS CLI delivery scenario${hasAwsCli ? '' : ` (skipped: ${INSTALL_HINT})`}`,
  () => {
    it('delivers exactly the transformed matching event to the API destination, with the key header', async () => {
      await aws('create-event-bus', '--name', 'shop');
      await aws(
        'put-rule',
        '--name',
        'big-orders',
        '--event-bus-name',
        'shop',
        '--event-pattern',
        '{"source":["shop"],"detail":{"total":[{"numeric":[">",100]}]}}',
      );
      const connection = await aws(
        'create-connection',
        '--name',
        'orders-api',
        '--authorization-type',
        'API_KEY',
        '--auth-parameters',
        '{"ApiKeyAuthParameters":{"ApiKeyName":"x-api-key","ApiKeyValue":"s3cr3t-key"}}',
      );
      expect(connection['ConnectionState']).toBe('AUTHORIZED');
      const destination = await aws(
        'create-api-destination',
        '--name',
        'orders-endpoint',
        '--connection-arn',
        String(connection['ConnectionArn']),
        '--invocation-endpoint',
        `${endpoint!.url}/hooks/orders`,
        '--http-method',
        'POST',
      );
      await aws(
        'put-targets',
        '--rule',
        'big-orders',
        '--event-bus-name',
        'shop',
        '--targets',
        JSON.stringify([
          {
            Id: 'orders-endpoint',
            Arn: destination['ApiDestinationArn'],
            InputTransformer: {
              InputPathsMap: { id: '$.detail.id', total: '$.detail.total' },
              InputTemplate: '{"order": <id>, "total": <total>, "rule": "<aws.events.rule-name>"}',
            },
          },
        ]),
      );
      const put = await aws(
        'put-events',
        '--entries',
        JSON.stringify([
          { EventBusName: 'shop', Source: 'shop', DetailType: 'Order', Detail: '{"id":"o-1","total":250}' },
          { EventBusName: 'shop', Source: 'shop', DetailType: 'Order', Detail: '{"id":"o-2","total":50}' },
        ]),
      );
      expect(put['FailedEntryCount']).toBe(0);
      const [request] = await endpoint!.waitForRequests(1);
      expect(request!.url).toBe('/hooks/orders');
      expect(request!.headers['x-api-key']).toBe('s3cr3t-key');
      expect(JSON.parse(request!.body)).toStrictEqual({ order: 'o-1', total: 250, rule: 'big-orders' });
      // The other entry matched nothing: once the matching one is delivered, nothing else is on its way.
      const [first] = put['Entries'] as Array<{ EventId: string }>;
      const [delivery] = (await server!.app.store.listDeliveries({ eventId: first!.EventId }, { limit: 1 }))
        .items;
      await waitFor(
        () => server!.app.store.getDelivery(delivery!.id),
        (d) => d?.status === 'delivered',
      );
      expect(
        (await server!.app.store.listDeliveries({ status: 'pending' }, { limit: 10 })).items,
      ).toStrictEqual([]);
      expect(endpoint!.requests).toHaveLength(1);
      // Seven AWS CLI runs of about a second each (Python start-up) do not fit Vitest's default 5 s.
    }, 60_000);
  },
);
