/**
 * Deliveries to API destinations, end to end: connections and destinations created with the AWS SDK,
 * events put with it, real HTTP endpoints on 127.0.0.1 answering as scripted (success, errors, slow,
 * Retry-After, OAuth token rotation), dead letters read back with the real SQS client. Retries run
 * with a 40 ms base delay so the suite stays quick; the shape of the backoff is the production one.
 */
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type CreateConnectionCommandInput,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpTarget, type HttpTarget, type ReceivedRequest } from '../support/http-target.js';
import {
  ANY_CREDENTIALS,
  startTestServer,
  TEST_ACCOUNT,
  TEST_REGION,
  type TestServer,
} from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

const BASE_DELAY_MS = 40;
const QUEUE_ARN = (name: string) => `arn:aws:sqs:${TEST_REGION}:${TEST_ACCOUNT}:${name}`;

let server: TestServer;
let sqs: SQSClient;
const endpoints: HttpTarget[] = [];
let counter = 0;

beforeAll(async () => {
  server = await startTestServer({ overrides: { retryBaseDelayMs: BASE_DELAY_MS, retryMaxDelayMs: 2000 } });
  sqs = new SQSClient({ endpoint: server.url, region: TEST_REGION, credentials: { ...ANY_CREDENTIALS } });
});

afterAll(async () => {
  sqs.destroy();
  await server.close();
  for (const endpoint of endpoints) await endpoint.close();
});

async function endpoint(): Promise<HttpTarget> {
  const started = await startHttpTarget();
  endpoints.push(started);
  return started;
}

const API_KEY_CONNECTION: Omit<CreateConnectionCommandInput, 'Name'> = {
  AuthorizationType: 'API_KEY',
  AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'secret-key-1' } },
};

interface Route {
  name: string;
  destinationArn: string;
  dlqUrl: string;
}

/**
 * A connection, an API destination to `url`, a rule matching `detail.route == name`, and its target
 * (with a dead-letter queue), all through the EventBridge API.
 */
async function route(
  url: string,
  target: Partial<Target> = {},
  options: { connection?: Omit<CreateConnectionCommandInput, 'Name'>; rate?: number; method?: string } = {},
): Promise<Route> {
  const name = `route-${++counter}`;
  const connection = await server.client.send(
    new CreateConnectionCommand({ Name: name, ...(options.connection ?? API_KEY_CONNECTION) }),
  );
  const destination = await server.client.send(
    new CreateApiDestinationCommand({
      Name: name,
      ConnectionArn: connection.ConnectionArn!,
      InvocationEndpoint: url,
      HttpMethod: (options.method ?? 'POST') as 'POST',
      ...(options.rate !== undefined && { InvocationRateLimitPerSecond: options.rate }),
    }),
  );
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  await server.client.send(
    new PutRuleCommand({ Name: name, EventPattern: JSON.stringify({ detail: { route: [name] } }) }),
  );
  await server.client.send(
    new PutTargetsCommand({
      Rule: name,
      Targets: [
        {
          Id: 'http',
          Arn: destination.ApiDestinationArn!,
          DeadLetterConfig: { Arn: QUEUE_ARN(`${name}-dlq`) },
          ...target,
        },
      ],
    }),
  );
  return { name, destinationArn: destination.ApiDestinationArn!, dlqUrl: dlq.QueueUrl! };
}

async function put(routeName: string, detail: object = {}): Promise<string> {
  const out = await server.client.send(
    new PutEventsCommand({
      Entries: [
        { Source: 'test', DetailType: 'Ping', Detail: JSON.stringify({ route: routeName, ...detail }) },
      ],
    }),
  );
  expect(out.FailedEntryCount).toBe(0);
  return out.Entries![0]!.EventId!;
}

async function deadLetter(queueUrl: string): Promise<{ body: unknown; attributes: Record<string, string> }> {
  const deadline = Date.now() + 20_000;
  let message: Message | undefined;
  while (message === undefined && Date.now() < deadline) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 2, MessageAttributeNames: ['All'] }),
    );
    message = out.Messages?.[0];
  }
  expect(message, 'a dead letter').toBeDefined();
  return {
    body: JSON.parse(message!.Body!),
    attributes: Object.fromEntries(
      Object.entries(message!.MessageAttributes ?? {}).map(([key, value]) => [key, value.StringValue ?? '']),
    ),
  };
}

async function finalDelivery(eventId: string, status: string) {
  const [delivery] = (await server.app.store.listDeliveries({ eventId }, { limit: 10 })).items;
  expect(delivery).toBeDefined();
  return waitFor(
    () => server.app.store.getDelivery(delivery!.id),
    (d) => d?.status === status,
    { timeoutMs: 20_000, what: `delivery ${delivery!.id} ${status}` },
  );
}

function gaps(requests: readonly ReceivedRequest[]): number[] {
  return requests.slice(1).map((request, i) => request.at - requests[i]!.at);
}

describe('API destination deliveries', () => {
  it('sends the event with the connection key and EventBridge headers, and records the success', async () => {
    const http = await endpoint();
    const { name } = await route(`${http.url}/orders`);
    const eventId = await put(name, { total: 5 });
    const [request] = await http.waitForRequests(1);
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/orders');
    expect(request!.headers['x-api-key']).toBe('secret-key-1');
    expect(request!.headers['user-agent']).toBe('Amazon/EventBridge/ApiDestinations');
    expect(request!.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = JSON.parse(request!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: eventId,
      source: 'test',
      'detail-type': 'Ping',
      detail: { route: name, total: 5 },
    });
    const delivery = await finalDelivery(eventId, 'delivered');
    const attempts = await server.app.store.listAttempts(delivery!.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({
      attempt: 1,
      outcome: 'success',
      statusCode: 200,
      responseExcerpt: 'ok',
    });
  });

  it('retries 500 twice then succeeds: three attempts, after growing backoff delays', async () => {
    const http = await endpoint();
    http.respond((_request, index) => (index < 2 ? { status: 500, body: 'down' } : { status: 200 }));
    const { name } = await route(http.url);
    const eventId = await put(name);
    const requests = await http.waitForRequests(3);
    const delivery = await finalDelivery(eventId, 'delivered');
    expect(delivery).toMatchObject({ attempts: 3 });
    // Each retry waits at least its backoff (the base delay, then twice it; -20 % jitter at most). Only
    // lower bounds: a busy machine can add time to a gap, never take it away. The doubling itself is
    // checked exactly in retry-policy.test.ts.
    const [first, second] = gaps(requests);
    expect(first!).toBeGreaterThanOrEqual(BASE_DELAY_MS * 0.8);
    expect(second!).toBeGreaterThanOrEqual(BASE_DELAY_MS * 2 * 0.8);
    const attempts = await server.app.store.listAttempts(delivery!.id);
    expect(attempts.map((a) => [a.outcome, a.statusCode])).toStrictEqual([
      ['retryable-failure', 500],
      ['retryable-failure', 500],
      ['success', 200],
    ]);
    expect(attempts[0]!.responseExcerpt).toBe('down');
  });

  it('does not retry a 400: one attempt, dead-lettered with ERROR_CODE', async () => {
    const http = await endpoint();
    http.respond(() => ({ status: 400, body: 'bad request' }));
    const { name, dlqUrl } = await route(http.url, {
      InputTransformer: { InputPathsMap: { r: '$.detail.route' }, InputTemplate: '{"route": <r>}' },
    });
    const eventId = await put(name);
    const letter = await deadLetter(dlqUrl);
    expect(letter.body).toStrictEqual({ route: name });
    expect(letter.attributes).toMatchObject({ ERROR_CODE: 'ERROR_FROM_TARGET', RETRY_ATTEMPTS: '0' });
    expect(letter.attributes['ERROR_MESSAGE']).toContain('400');
    expect(letter.attributes).not.toHaveProperty('EXHAUSTED_RETRY_CONDITION');
    expect(await finalDelivery(eventId, 'dead-lettered')).toMatchObject({ attempts: 1 });
    expect(http.requests).toHaveLength(1);
  });

  it('stops after MaximumRetryAttempts against an endpoint that always answers 503', async () => {
    const http = await endpoint();
    http.respond(() => ({ status: 503 }));
    const { name, dlqUrl } = await route(http.url, { RetryPolicy: { MaximumRetryAttempts: 2 } });
    const eventId = await put(name);
    const letter = await deadLetter(dlqUrl);
    expect(letter.attributes).toMatchObject({
      ERROR_CODE: 'ERROR_FROM_TARGET',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
      RETRY_ATTEMPTS: '2',
    });
    expect(await finalDelivery(eventId, 'dead-lettered')).toMatchObject({ attempts: 3 });
    expect(http.requests).toHaveLength(3);
  });

  it('waits as long as Retry-After asks after a 429', async () => {
    const http = await endpoint();
    http.respond((_request, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : {}));
    const { name } = await route(http.url);
    const eventId = await put(name);
    const requests = await http.waitForRequests(2);
    // The backoff alone would retry after about 40 ms; Retry-After: 1 asks for a second.
    expect(gaps(requests)[0]!).toBeGreaterThanOrEqual(1000);
    await finalDelivery(eventId, 'delivered');
  });

  it('gives up on an endpoint slower than 5 seconds with TIMEOUT', async () => {
    const http = await endpoint();
    http.respond(() => ({ delayMs: 7000 }));
    const { name, dlqUrl } = await route(http.url, { RetryPolicy: { MaximumRetryAttempts: 0 } });
    const eventId = await put(name);
    const letter = await deadLetter(dlqUrl);
    expect(letter.attributes).toMatchObject({
      ERROR_CODE: 'TIMEOUT',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
    });
    const delivery = await finalDelivery(eventId, 'dead-lettered');
    const [attempt] = await server.app.store.listAttempts(delivery!.id);
    expect(attempt!.outcome).toBe('retryable-failure');
    expect(attempt!.durationMs).toBeGreaterThanOrEqual(4900);
  }, 20_000);

  it('fills path, query and header parameters from the target and the connection', async () => {
    const http = await endpoint();
    const { name } = await route(
      `${http.url}/tenants/*/orders/*`,
      {
        HttpParameters: {
          PathParameterValues: ['$.detail.tenant', 'fixed id'],
          QueryStringParameters: { source: '$.source', shared: 'from-target' },
          HeaderParameters: { 'x-tenant': '$.detail.tenant', 'x-shared': 'from-target' },
        },
      },
      {
        connection: {
          ...API_KEY_CONNECTION,
          AuthParameters: {
            ...API_KEY_CONNECTION.AuthParameters,
            InvocationHttpParameters: {
              QueryStringParameters: [{ Key: 'shared', Value: 'from-connection' }],
              HeaderParameters: [{ Key: 'x-shared', Value: 'from-connection', IsValueSecret: true }],
              BodyParameters: [{ Key: 'added', Value: 'by-connection' }],
            },
          },
        },
      },
    );
    await put(name, { tenant: 'acme' });
    const [request] = await http.waitForRequests(1);
    const url = new URL(request!.url, http.url);
    expect(url.pathname).toBe('/tenants/acme/orders/fixed%20id');
    expect(url.searchParams.get('source')).toBe('test');
    expect(url.searchParams.get('shared')).toBe('from-connection');
    expect(request!.headers['x-tenant']).toBe('acme');
    expect(request!.headers['x-shared']).toBe('from-connection');
    expect(JSON.parse(request!.body)).toMatchObject({ added: 'by-connection', source: 'test' });
  });

  it('holds InvocationRateLimitPerSecond: excess events wait, none is dropped', async () => {
    const http = await endpoint();
    const rate = 5;
    const { name } = await route(http.url, {}, { rate });
    const events = 15;
    for (let i = 0; i < events; i++) await put(name, { i });
    const requests = await http.waitForRequests(events, 20_000);
    // Calls leave 1000/rate ms apart, so 15 calls span at least 14 slots. Arrival times add the noise of
    // a shared machine to each call, so the bounds keep a slot or two of slack: in any second at most
    // rate + 2 arrivals, and the whole run no shorter than two slots under its schedule.
    const times = requests.map((r) => r.at).sort((a, b) => a - b);
    for (let i = 0; i + rate + 2 < times.length; i++) {
      expect(times[i + rate + 2]! - times[i]!).toBeGreaterThanOrEqual(1000);
    }
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(((events - 3) * 1000) / rate);
    const bodies = requests.map((r) => (JSON.parse(r.body) as { detail: { i: number } }).detail.i);
    expect(new Set(bodies).size).toBe(events);
  }, 30_000);

  it('refuses endpoints on link-local (metadata) addresses without calling them', async () => {
    const { name, dlqUrl } = await route('http://169.254.169.254/latest/meta-data/', {
      RetryPolicy: { MaximumRetryAttempts: 0 },
    });
    const eventId = await put(name);
    const letter = await deadLetter(dlqUrl);
    expect(letter.attributes['ERROR_CODE']).toBe('NO_PERMISSIONS');
    expect(letter.attributes['ERROR_MESSAGE']).toContain('169.254.169.254');
    await finalDelivery(eventId, 'dead-lettered');
  });
});

describe('OAuth client credentials', () => {
  it('fetches a token, sends it as a bearer token, and fetches a new one when the endpoint rejects it', async () => {
    const tokens = await endpoint();
    let issued = 0;
    tokens.respond(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: `token-${++issued}`, token_type: 'Bearer', expires_in: 3600 }),
    }));
    const http = await endpoint();
    // The endpoint accepts only the newest token: after a rotation, the old one gets 401.
    let accepted = 'token-1';
    http.respond((request) =>
      request.headers['authorization'] === `Bearer ${accepted}` ? { status: 200 } : { status: 401 },
    );
    const { name } = await route(
      http.url,
      {},
      {
        connection: {
          AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
          AuthParameters: {
            OAuthParameters: {
              AuthorizationEndpoint: `${tokens.url}/oauth/token`,
              HttpMethod: 'POST',
              ClientParameters: { ClientID: 'client-a', ClientSecret: 'client-secret-a' },
            },
          },
        },
      },
    );
    const first = await put(name, { n: 1 });
    await finalDelivery(first, 'delivered');
    const firstCall = http.requests.at(-1)!;
    expect(firstCall.headers['authorization']).toMatch(/^Bearer token-\d+$/);
    const tokenRequest = tokens.requests[0]!;
    expect(tokenRequest.body).toContain('grant_type=client_credentials');
    expect(tokenRequest.headers['authorization']).toBe(
      `Basic ${Buffer.from('client-a:client-secret-a').toString('base64')}`,
    );

    // Rotate: the next token the endpoint will accept is the one after those issued so far.
    accepted = `token-${issued + 1}`;
    const second = await put(name, { n: 2 });
    await finalDelivery(second, 'delivered');
    const last = http.requests.at(-1)!;
    expect(last.headers['authorization']).toBe(`Bearer ${accepted}`);
    expect(
      http.requests.filter((r) => r.headers['authorization'] !== `Bearer ${accepted}`).length,
    ).toBeGreaterThan(0);
  });
});
