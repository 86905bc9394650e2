import type { AddressInfo } from 'node:net';
import {
  DescribeEventBusCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  PutEventsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerAwsJsonProtocol, type OperationHandler } from '../../src/api/aws-json/protocol.js';
import { createAuthenticator, type Authenticate } from '../../src/api/sigv4.js';
import {
  AuthError,
  ConflictError,
  InvalidEventPatternError,
  LimitExceededError,
  ManagedRuleError,
  NotFoundError,
  PolicyLengthExceededError,
  ValidationError,
} from '../../src/errors.js';
import { InvalidNextTokenError } from '../../src/store/errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const JSON_11 = 'application/x-amz-json-1.1';

interface Seen {
  input: Record<string, unknown>;
  context: { requestId: string; accessKeyId?: string };
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** A real Fastify app with the protocol and a tiny operation table of test handlers. */
async function buildTestApp(
  options: {
    authenticate?: Authenticate;
    bodyLimit?: number;
    extra?: Record<string, OperationHandler>;
  } = {},
) {
  const seen: Seen[] = [];
  const logged: Array<{ details: object; message: string }> = [];
  const services: string[] = [];
  const echo: OperationHandler = async (input, context) => {
    seen.push({ input, context });
    return { Echo: input, Nothing: null, Missing: undefined, Nested: { Keep: 1, Drop: null } };
  };
  const operations = new Map<string, OperationHandler>([
    ['AWSEvents.Echo', echo],
    ['AmazonSQS.Echo', echo],
    [
      'AWSEvents.Void',
      async () => {
        /* no output */
      },
    ],
    ...Object.entries(options.extra ?? {}).map(([name, handler]) => [`AWSEvents.${name}`, handler] as const),
  ]);
  const authenticate: Authenticate =
    options.authenticate ?? (async () => ({ accessKeyId: 'AKIATESTCALLER000000' }));
  const app = Fastify();
  apps.push(app);
  registerAwsJsonProtocol(app, {
    operations,
    authenticate: async (request, service) => {
      services.push(service);
      return authenticate(request, service);
    },
    bodyLimit: options.bodyLimit ?? 1024,
    log: { error: (details, message) => logged.push({ details, message }) },
  });
  app.post('/webhooks/:id', async () => ({ webhook: true }));
  await app.ready();
  return { app, seen, logged, services };
}

function post(
  app: FastifyInstance,
  options: { target?: string; contentType?: string | null; body?: string | Buffer; url?: string } = {},
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {};
  if (options.target !== undefined) headers['x-amz-target'] = options.target;
  if (options.contentType !== null) headers['content-type'] = options.contentType ?? JSON_11;
  return app.inject({ method: 'POST', url: options.url ?? '/', headers, payload: options.body ?? '{}' });
}

function expectAwsError(
  response: LightMyRequestResponse,
  status: number,
  type: string,
  message?: string | RegExp,
) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toBe(JSON_11);
  expect(response.headers['x-amzn-errortype']).toBe(type);
  expect(response.headers['x-amzn-requestid']).toMatch(UUID);
  expect(response.headers.date).toBeDefined();
  const body = response.json<{ __type: string; message: string }>();
  expect(body.__type).toBe(type);
  if (message instanceof RegExp) expect(body.message).toMatch(message);
  else if (message !== undefined) expect(body.message).toBe(message);
  return body;
}

describe('AWS JSON protocol: success', () => {
  it('dispatches on X-Amz-Target and answers 200 with the AWS headers, nulls left out', async () => {
    const { app, seen } = await buildTestApp();
    const response = await post(app, { target: 'AWSEvents.Echo', body: '{"Name":"x","List":[1]}' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(JSON_11);
    expect(response.headers['x-amzn-requestid']).toMatch(UUID);
    expect(new Date(String(response.headers.date)).getTime()).not.toBeNaN();
    expect(response.body).toBe('{"Echo":{"Name":"x","List":[1]},"Nested":{"Keep":1}}');
    expect(seen).toEqual([
      {
        input: { Name: 'x', List: [1] },
        context: { requestId: response.headers['x-amzn-requestid'], accessKeyId: 'AKIATESTCALLER000000' },
      },
    ]);
  });

  it('answers {} for an operation without output', async () => {
    const { app } = await buildTestApp();
    const response = await post(app, { target: 'AWSEvents.Void' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('{}');
  });

  it('gives every request its own request id', async () => {
    const { app } = await buildTestApp();
    const first = await post(app, { target: 'AWSEvents.Void' });
    const second = await post(app, { target: 'AWSEvents.Void' });
    expect(first.headers['x-amzn-requestid']).not.toBe(second.headers['x-amzn-requestid']);
  });

  it('accepts AWS JSON 1.0 and a charset parameter', async () => {
    const { app } = await buildTestApp();
    expect(
      (await post(app, { target: 'AWSEvents.Void', contentType: 'application/x-amz-json-1.0' })).statusCode,
    ).toBe(200);
    expect(
      (
        await post(app, {
          target: 'AWSEvents.Void',
          contentType: 'Application/X-Amz-Json-1.1; charset=UTF-8',
        })
      ).statusCode,
    ).toBe(200);
  });

  it('serves any path (SDK base paths) and leaves more specific routes alone', async () => {
    const { app } = await buildTestApp();
    expect((await post(app, { target: 'AWSEvents.Void', url: '/base/' })).statusCode).toBe(200);
    expect((await post(app, { target: 'AWSEvents.Void', url: '/a/b/c' })).statusCode).toBe(200);
    const webhook = await app.inject({ method: 'POST', url: '/webhooks/abc', payload: {} });
    expect(webhook.json()).toEqual({ webhook: true });
  });

  it('treats an empty body as {}', async () => {
    const { app, seen } = await buildTestApp();
    expect((await post(app, { target: 'AWSEvents.Echo', body: '' })).statusCode).toBe(200);
    expect(seen[0]?.input).toEqual({});
  });

  it('signs for the service of the target prefix', async () => {
    const { app, services } = await buildTestApp();
    await post(app, { target: 'AWSEvents.Echo' });
    await post(app, { target: 'AmazonSQS.Echo' });
    expect(services).toEqual(['events', 'sqs']);
  });
});

describe('AWS JSON protocol: bad requests get AWS-shaped errors', () => {
  it('refuses a missing X-Amz-Target', async () => {
    const { app } = await buildTestApp();
    expectAwsError(await post(app), 400, 'UnknownOperationException', /no X-Amz-Target header/);
  });

  it('refuses an unknown operation and an unknown prefix', async () => {
    const { app, services } = await buildTestApp();
    expectAwsError(
      await post(app, { target: 'AWSEvents.CreateWidget' }),
      400,
      'UnknownOperationException',
      'Operation AWSEvents.CreateWidget is not supported by Busway.',
    );
    expectAwsError(
      await post(app, { target: 'DynamoDB_20120810.ListTables' }),
      400,
      'UnknownOperationException',
    );
    expectAwsError(await post(app, { target: 'Echo' }), 400, 'UnknownOperationException');
    expect(services).toEqual([]);
  });

  it('refuses other content types, and none', async () => {
    const { app, seen } = await buildTestApp();
    expectAwsError(
      await post(app, { target: 'AWSEvents.Echo', contentType: 'application/json' }),
      400,
      'UnknownOperationException',
      "The request has Content-Type 'application/json'; AWS JSON requests must be sent as application/x-amz-json-1.1 (or 1.0).",
    );
    expectAwsError(
      await post(app, { target: 'AWSEvents.Echo', contentType: 'text/plain', body: 'hello' }),
      400,
      'UnknownOperationException',
    );
    expectAwsError(
      await post(app, { target: 'AWSEvents.Echo', contentType: null, body: '{}' }),
      400,
      'UnknownOperationException',
      /no Content-Type/,
    );
    expect(seen).toEqual([]);
  });

  it('refuses malformed JSON and non-object bodies with SerializationException', async () => {
    const { app, seen } = await buildTestApp();
    expectAwsError(
      await post(app, { target: 'AWSEvents.Echo', body: '{"Name": ' }),
      400,
      'SerializationException',
      /^The request body is not valid JSON: /,
    );
    expectAwsError(
      await post(app, { target: 'AWSEvents.Echo', body: '[1,2]' }),
      400,
      'SerializationException',
      "The request body must be a JSON object of the operation's input members, not a list.",
    );
    expectAwsError(
      await post(app, { target: 'AWSEvents.Echo', body: '"text"' }),
      400,
      'SerializationException',
    );
    expectAwsError(
      await post(app, { target: 'AWSEvents.Echo', body: 'null' }),
      400,
      'SerializationException',
    );
    expectAwsError(
      await post(app, { target: 'AWSEvents.Echo', body: Buffer.from([0xff, 0xfe, 0x00]) }),
      400,
      'SerializationException',
    );
    expect(seen).toEqual([]);
  });

  it('survives JSON nested deeper than any parser stack', async () => {
    const { app } = await buildTestApp({ bodyLimit: 4_000_000 });
    const body = `{"A":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`;
    const response = await post(app, { target: 'AWSEvents.Void', body });
    expect(response.statusCode).toBeLessThan(500);
  });

  it('refuses a body over the limit with 413 RequestEntityTooLargeException', async () => {
    const { app, seen } = await buildTestApp({ bodyLimit: 100 });
    const body = JSON.stringify({ Detail: 'x'.repeat(200) });
    expectAwsError(
      await post(app, { target: 'AWSEvents.Echo', body }),
      413,
      'RequestEntityTooLargeException',
      'Request must be smaller than 100 bytes.',
    );
    expect(seen).toEqual([]);
    // At the limit is fine.
    const exact = JSON.stringify({ D: 'x'.repeat(100 - 8) });
    expect(Buffer.byteLength(exact)).toBe(100);
    expect((await post(app, { target: 'AWSEvents.Echo', body: exact })).statusCode).toBe(200);
  });

  it('refuses an operation table with a prefix it cannot sign for', () => {
    const app = Fastify();
    apps.push(app);
    expect(() =>
      registerAwsJsonProtocol(app, {
        operations: new Map([['Widgets.Make', async () => ({})]]),
        authenticate: async () => ({}),
        bodyLimit: 1024,
      }),
    ).toThrow('Operation Widgets.Make has no known signing service');
  });
});

describe('AWS JSON protocol: error rendering', () => {
  const cases: Array<[string, Error, number, string]> = [
    [
      'ValidationError',
      new ValidationError("Rule can't be deleted since it has targets."),
      400,
      'ValidationException',
    ],
    ['NotFoundError', new NotFoundError('Event bus nope does not exist.'), 400, 'ResourceNotFoundException'],
    [
      'ConflictError',
      new ConflictError('Event bus b already exists.'),
      400,
      'ResourceAlreadyExistsException',
    ],
    ['LimitExceededError', new LimitExceededError(), 400, 'LimitExceededException'],
    [
      'InvalidEventPatternError',
      new InvalidEventPatternError('Event pattern is not valid. Reason: Empty arrays are not allowed'),
      400,
      'InvalidEventPatternException',
    ],
    ['ManagedRuleError', new ManagedRuleError('Rule is managed.'), 400, 'ManagedRuleException'],
    [
      'PolicyLengthExceededError',
      new PolicyLengthExceededError('Policy too long.'),
      400,
      'PolicyLengthExceededException',
    ],
    ['InvalidNextTokenError (store)', new InvalidNextTokenError(), 400, 'ValidationException'],
  ];

  it.each(cases)('renders %s as its AWS exception with its message', async (_name, error, status, type) => {
    const { app } = await buildTestApp({
      extra: {
        Fail: async () => {
          throw error;
        },
      },
    });
    expectAwsError(await post(app, { target: 'AWSEvents.Fail' }), status, type, error.message);
  });

  it('renders an unexpected error as a generic 500 InternalException and logs it with its stack', async () => {
    const { app, logged } = await buildTestApp({
      extra: {
        Fail: async () => {
          throw new Error('SQLITE_CORRUPT: secret detail at /var/lib/busway');
        },
      },
    });
    const body = expectAwsError(await post(app, { target: 'AWSEvents.Fail' }), 500, 'InternalException');
    expect(body.message).not.toContain('SQLITE');
    expect(logged).toHaveLength(1);
    const err = (logged[0]?.details as { err: Error }).err;
    expect(err.message).toContain('SQLITE_CORRUPT');
    expect(err.stack).toBeDefined();
  });

  it('renders authentication failures with status 400 and AWS names', async () => {
    const { app, seen } = await buildTestApp({
      authenticate: async () => {
        throw new AuthError(
          'UnrecognizedClientException',
          'The security token included in the request is invalid.',
        );
      },
    });
    expectAwsError(
      await post(app, { target: 'AWSEvents.Echo' }),
      400,
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
    expect(seen).toEqual([]);
  });

  it('authenticates before parsing the body', async () => {
    const authenticate = createAuthenticator({ lookupSecret: async () => undefined, isOpen: () => false });
    const { app } = await buildTestApp({ authenticate });
    expectAwsError(
      await post(app, { target: 'AWSEvents.Echo', body: '{not json' }),
      400,
      'MissingAuthenticationTokenException',
      'Missing Authentication Token',
    );
  });
});

describe('AWS JSON protocol with the AWS SDK v3 client', () => {
  const KEY = {
    accessKeyId: 'AKIAPROTOCOLTEST0001',
    secretAccessKey: 'protocol/test/secret/0123456789abcdefghij',
  };

  async function listen() {
    const authenticate = createAuthenticator({
      lookupSecret: async (id) => (id === KEY.accessKeyId ? KEY.secretAccessKey : undefined),
      isOpen: () => false,
    });
    const seen: Seen[] = [];
    const { app } = await buildTestApp({
      authenticate,
      extra: {
        ListEventBuses: async () => ({
          EventBuses: [
            {
              Name: 'default',
              Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/default',
              CreationTime: 1767323045.5,
            },
          ],
        }),
        DescribeEventBus: async () => {
          throw new NotFoundError('Event bus nope does not exist.');
        },
        PutEvents: async (input, context) => {
          seen.push({ input, context });
          return { FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] };
        },
      },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, seen };
  }

  function client(url: string, credentials = KEY) {
    return new EventBridgeClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
  }

  it('verifies the SDK signature and the SDK reads the output, timestamps as dates', async () => {
    const { url } = await listen();
    const output = await client(url).send(new ListEventBusesCommand({}));
    expect(output.EventBuses?.[0]?.Name).toBe('default');
    expect(output.EventBuses?.[0]?.CreationTime?.getTime()).toBe(1_767_323_045_500);
    expect(output.$metadata.requestId).toMatch(UUID);
  });

  it('sends the SDK a modelled error it recognises, with its message and request id', async () => {
    const { url } = await listen();
    const error = await client(url)
      .send(new DescribeEventBusCommand({ Name: 'nope' }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    const notFound = error as ResourceNotFoundException;
    expect(notFound.message).toBe('Event bus nope does not exist.');
    expect(notFound.$metadata.httpStatusCode).toBe(400);
    expect(notFound.$metadata.requestId).toMatch(UUID);
  });

  it('works with a base path in the endpoint and passes the caller to the handler', async () => {
    const { url, seen } = await listen();
    const output = await client(`${url}/base`).send(
      new PutEventsCommand({
        Entries: [{ Source: 'a', DetailType: 'b', Detail: '{}', Time: new Date(1_767_323_045_250) }],
      }),
    );
    expect(output.Entries).toEqual([{ EventId: 'e1' }]);
    expect(seen[0]?.context.accessKeyId).toBe(KEY.accessKeyId);
    expect((seen[0]?.input.Entries as Array<{ Time: number }>)[0]?.Time).toBe(1767323045.25);
  });

  it('makes the SDK throw InvalidSignatureException for a wrong secret', async () => {
    const { url } = await listen();
    const error = (await client(url, { ...KEY, secretAccessKey: 'wrong' })
      .send(new ListEventBusesCommand({}))
      .catch((caught: unknown) => caught)) as { name: string; message: string };
    expect(error.name).toBe('InvalidSignatureException');
    expect(error.message).toMatch(/^The request signature we calculated does not match/);
  });
});
