/**
 * Connections and API destinations through the real AWS SDK v3 against a real server: every operation
 * for the three auth types, the states, AWS's validation texts, and the secrets, which no answer and no
 * byte of the SQLite files holds in clear.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DeauthorizeConnectionCommand,
  DeleteApiDestinationCommand,
  DeleteConnectionCommand,
  DescribeApiDestinationCommand,
  DescribeConnectionCommand,
  ListApiDestinationsCommand,
  ListConnectionsCommand,
  UpdateApiDestinationCommand,
  UpdateConnectionCommand,
  type CreateConnectionCommandInput,
} from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SQLITE_FILE } from '../../src/app.js';
import { expectAwsError } from '../support/aws-errors.js';
import { startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../support/server.js';

const PREFIX = `arn:aws:events:${TEST_REGION}:${TEST_ACCOUNT}`;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const PASSWORD = 'pw-Zq8vK1mN7xR2';
const API_KEY_VALUE = 'key-Hn4tW9sB3cL6';
const CLIENT_SECRET = 'cs-Pa5eJ0uY8dF1';
const SECRET_PARAMETER = 'param-Vx2gT7qE4kM9';
const SECRETS = [PASSWORD, API_KEY_VALUE, CLIENT_SECRET, SECRET_PARAMETER, 'pw-second-Lk3', 'ks-update-Rt7'];

let server: TestServer;
let tokenServer: Server;
let tokenUrl: string;
let tokenRequests = 0;

beforeAll(async () => {
  server = await startTestServer();
  // A token endpoint for client `app` with CLIENT_SECRET; anything else is refused with 401.
  tokenServer = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      tokenRequests += 1;
      const expected = `Basic ${Buffer.from(`app:${CLIENT_SECRET}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"access_token":"t","expires_in":3600}');
    });
  });
  await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
  tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/oauth/token`;
});

afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) => tokenServer.close(() => resolve()));
});

const answers: unknown[] = [];
/** Sends a command and keeps its answer, so the last test can check that none carried a secret. */
async function send<T>(command: object): Promise<T> {
  // Any of the commands imported above; the client's overloads cannot be named for all of them at once.
  const output = (await server.client.send(command as never)) as T;
  answers.push(output);
  return output;
}

/** An SDK output without its `$metadata`. */
function withoutMetadata(output: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...output };
  delete copy.$metadata;
  return copy;
}

function basicConnection(name: string): CreateConnectionCommandInput {
  return {
    Name: name,
    AuthorizationType: 'BASIC',
    AuthParameters: { BasicAuthParameters: { Username: 'user', Password: PASSWORD } },
  };
}

async function createDestination(name: string, connectionArn: string, limit?: number) {
  return send<{ ApiDestinationArn: string; ApiDestinationState: string }>(
    new CreateApiDestinationCommand({
      Name: name,
      ConnectionArn: connectionArn,
      InvocationEndpoint: 'https://example.com/hooks/*',
      HttpMethod: 'POST',
      ...(limit !== undefined && { InvocationRateLimitPerSecond: limit }),
    }),
  );
}

describe('connections', () => {
  it('creates a BASIC connection, AUTHORIZED at once, and describes it without the password', async () => {
    const created = await send<Record<string, unknown>>(
      new CreateConnectionCommand(basicConnection('basic-1')),
    );
    expect(created).toMatchObject({
      ConnectionArn: expect.stringMatching(new RegExp(`^${PREFIX}:connection/basic-1/${UUID}$`)),
      ConnectionState: 'AUTHORIZED',
      CreationTime: expect.any(Date),
      LastModifiedTime: expect.any(Date),
    });
    expect(created.LastAuthorizedTime).toBeUndefined();

    const described = await send<Record<string, unknown>>(new DescribeConnectionCommand({ Name: 'basic-1' }));
    const body = withoutMetadata(described);
    expect(body).toStrictEqual({
      ConnectionArn: created.ConnectionArn,
      Name: 'basic-1',
      ConnectionState: 'AUTHORIZED',
      AuthorizationType: 'BASIC',
      SecretArn: expect.stringMatching(
        new RegExp(
          `^arn:aws:secretsmanager:${TEST_REGION}:${TEST_ACCOUNT}:secret:events!connection/basic-1/${UUID}-[A-Za-z0-9]{6}$`,
        ),
      ),
      AuthParameters: { BasicAuthParameters: { Username: 'user' } },
      CreationTime: created.CreationTime,
      LastModifiedTime: created.LastModifiedTime,
      LastAuthorizedTime: expect.any(Date),
    });
  });

  it('creates an API_KEY connection and shows its parameters, secret values left out', async () => {
    const created = await send<Record<string, unknown>>(
      new CreateConnectionCommand({
        Name: 'apikey-1',
        Description: 'orders API',
        AuthorizationType: 'API_KEY',
        AuthParameters: {
          ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: API_KEY_VALUE },
          InvocationHttpParameters: {
            HeaderParameters: [
              { Key: 'x-tenant', Value: 'acme', IsValueSecret: false },
              { Key: 'x-signature', Value: SECRET_PARAMETER, IsValueSecret: true },
            ],
            QueryStringParameters: [{ Key: 'v', Value: '2' }],
            BodyParameters: [{ Key: 'source', Value: 'busway', IsValueSecret: false }],
          },
        },
      }),
    );
    expect(created.ConnectionState).toBe('AUTHORIZED');
    const described = await send<Record<string, unknown>>(
      new DescribeConnectionCommand({ Name: 'apikey-1' }),
    );
    expect(described.Description).toBe('orders API');
    expect(described.AuthParameters).toStrictEqual({
      ApiKeyAuthParameters: { ApiKeyName: 'x-api-key' },
      InvocationHttpParameters: {
        HeaderParameters: [
          { Key: 'x-tenant', Value: 'acme', IsValueSecret: false },
          { Key: 'x-signature', IsValueSecret: true },
        ],
        QueryStringParameters: [{ Key: 'v', Value: '2', IsValueSecret: false }],
        BodyParameters: [{ Key: 'source', Value: 'busway', IsValueSecret: false }],
      },
    });

    // The delivery engine gets the secrets, decrypted.
    const destination = await createDestination('apikey-dest', created.ConnectionArn as string);
    const resolved = await server.app.connections.resolveApiDestination(destination.ApiDestinationArn);
    expect(resolved?.connection.apiKey).toStrictEqual({ name: 'x-api-key', value: API_KEY_VALUE });
    expect(resolved?.connection.invocationHttpParameters?.headerParameters).toContainEqual({
      key: 'x-signature',
      value: SECRET_PARAMETER,
      isValueSecret: true,
    });
  });

  it('authorizes an OAuth connection in the background: AUTHORIZING, then AUTHORIZED', async () => {
    const before = tokenRequests;
    const created = await send<Record<string, unknown>>(
      new CreateConnectionCommand({
        Name: 'oauth-1',
        AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
        AuthParameters: {
          OAuthParameters: {
            ClientParameters: { ClientID: 'app', ClientSecret: CLIENT_SECRET },
            AuthorizationEndpoint: tokenUrl,
            HttpMethod: 'POST',
            OAuthHttpParameters: { BodyParameters: [{ Key: 'scope', Value: 'events' }] },
          },
        },
      }),
    );
    expect(created.ConnectionState).toBe('AUTHORIZING');
    const destination = await createDestination('oauth-dest', created.ConnectionArn as string);
    expect(destination.ApiDestinationState).toBe('INACTIVE');
    await server.app.connections.settled();
    const described = await send<Record<string, unknown>>(new DescribeConnectionCommand({ Name: 'oauth-1' }));
    expect(described).toMatchObject({
      ConnectionState: 'AUTHORIZED',
      LastAuthorizedTime: expect.any(Date),
      AuthParameters: {
        OAuthParameters: {
          ClientParameters: { ClientID: 'app' },
          AuthorizationEndpoint: tokenUrl,
          HttpMethod: 'POST',
          OAuthHttpParameters: { BodyParameters: [{ Key: 'scope', Value: 'events', IsValueSecret: false }] },
        },
      },
    });
    expect(described.StateReason).toBeUndefined();
    expect(tokenRequests).toBe(before + 1);
    const active = await send<Record<string, unknown>>(
      new DescribeApiDestinationCommand({ Name: 'oauth-dest' }),
    );
    expect(active.ApiDestinationState).toBe('ACTIVE');
    // The token fetched while authorizing is the one deliveries use.
    const resolved = await server.app.connections.resolveApiDestination(destination.ApiDestinationArn);
    expect(await server.app.oauthTokens.getToken(resolved!.connection)).toBe('t');
    expect(tokenRequests).toBe(before + 1);
  });

  it('leaves an OAuth connection DEAUTHORIZED with the reason when the token endpoint refuses it', async () => {
    await send(
      new CreateConnectionCommand({
        Name: 'oauth-bad',
        AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
        AuthParameters: {
          OAuthParameters: {
            ClientParameters: { ClientID: 'app', ClientSecret: 'not-the-secret' },
            AuthorizationEndpoint: tokenUrl,
            HttpMethod: 'POST',
          },
        },
      }),
    );
    await server.app.connections.settled();
    const described = await send<Record<string, unknown>>(
      new DescribeConnectionCommand({ Name: 'oauth-bad' }),
    );
    expect(described.ConnectionState).toBe('DEAUTHORIZED');
    expect(described.StateReason).toMatch(/answered 401/);
    expect(JSON.stringify(described)).not.toContain('not-the-secret');

    // Fixing the secret re-authorizes it.
    const updated = await send<Record<string, unknown>>(
      new UpdateConnectionCommand({
        Name: 'oauth-bad',
        AuthParameters: { OAuthParameters: { ClientParameters: { ClientSecret: CLIENT_SECRET } } },
      }),
    );
    expect(updated.ConnectionState).toBe('AUTHORIZING');
    await server.app.connections.settled();
    const fixed = await send<Record<string, unknown>>(new DescribeConnectionCommand({ Name: 'oauth-bad' }));
    expect(fixed.ConnectionState).toBe('AUTHORIZED');
    expect(fixed.StateReason).toBeUndefined();
  });

  it('updates credentials; the delivery engine sees the change at once', async () => {
    const created = await send<{ ConnectionArn: string }>(
      new CreateConnectionCommand(basicConnection('basic-upd')),
    );
    const destination = await createDestination('basic-upd-dest', created.ConnectionArn);
    const arn = destination.ApiDestinationArn;
    expect((await server.app.connections.resolveApiDestination(arn))?.connection.basic).toStrictEqual({
      username: 'user',
      password: PASSWORD,
    });
    const updated = await send<Record<string, unknown>>(
      new UpdateConnectionCommand({
        Name: 'basic-upd',
        Description: 'rotated',
        AuthParameters: { BasicAuthParameters: { Username: 'user2', Password: 'pw-second-Lk3' } },
      }),
    );
    expect(updated).toMatchObject({ ConnectionArn: created.ConnectionArn, ConnectionState: 'AUTHORIZED' });
    expect((await server.app.connections.resolveApiDestination(arn))?.connection.basic).toStrictEqual({
      username: 'user2',
      password: 'pw-second-Lk3',
    });
    const described = await send<Record<string, unknown>>(
      new DescribeConnectionCommand({ Name: 'basic-upd' }),
    );
    expect(described).toMatchObject({
      Description: 'rotated',
      AuthParameters: { BasicAuthParameters: { Username: 'user2' } },
    });

    // Switching the type needs the new type's whole block.
    await expectAwsError(
      server.client.send(new UpdateConnectionCommand({ Name: 'basic-upd', AuthorizationType: 'API_KEY' })),
      'ValidationException',
      'AuthParameters.ApiKeyAuthParameters.ApiKeyName must be specified for AuthorizationType API_KEY.',
    );
    await send(
      new UpdateConnectionCommand({
        Name: 'basic-upd',
        AuthorizationType: 'API_KEY',
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'k', ApiKeyValue: 'ks-update-Rt7' } },
      }),
    );
    const switched = await server.app.connections.resolveApiDestination(arn);
    expect(switched?.connection).toMatchObject({
      authorizationType: 'API_KEY',
      apiKey: { name: 'k', value: 'ks-update-Rt7' },
    });
    expect(switched?.connection.basic).toBeUndefined();
  });

  it('deauthorizes (wiping the secrets) and re-authorizes through UpdateConnection', async () => {
    const created = await send<{ ConnectionArn: string }>(
      new CreateConnectionCommand(basicConnection('basic-deauth')),
    );
    const destination = await createDestination('deauth-dest', created.ConnectionArn);
    const answer = await send<Record<string, unknown>>(
      new DeauthorizeConnectionCommand({ Name: 'basic-deauth' }),
    );
    expect(answer).toMatchObject({ ConnectionArn: created.ConnectionArn, ConnectionState: 'DEAUTHORIZING' });
    const described = await send<Record<string, unknown>>(
      new DescribeConnectionCommand({ Name: 'basic-deauth' }),
    );
    expect(described.ConnectionState).toBe('DEAUTHORIZED');
    const inactive = await send<Record<string, unknown>>(
      new DescribeApiDestinationCommand({ Name: 'deauth-dest' }),
    );
    expect(inactive.ApiDestinationState).toBe('INACTIVE');
    const resolved = await server.app.connections.resolveApiDestination(destination.ApiDestinationArn);
    expect(resolved).toMatchObject({ state: 'INACTIVE', connection: { state: 'DEAUTHORIZED' } });
    expect(resolved?.connection.basic).toBeUndefined();

    // A description-only update does not bring the wiped password back.
    const still = await send<Record<string, unknown>>(
      new UpdateConnectionCommand({ Name: 'basic-deauth', Description: 'x' }),
    );
    expect(still.ConnectionState).toBe('DEAUTHORIZED');
    const again = await send<Record<string, unknown>>(
      new UpdateConnectionCommand({
        Name: 'basic-deauth',
        AuthParameters: { BasicAuthParameters: { Password: PASSWORD } },
      }),
    );
    expect(again.ConnectionState).toBe('AUTHORIZED');
    const active = await send<Record<string, unknown>>(
      new DescribeApiDestinationCommand({ Name: 'deauth-dest' }),
    );
    expect(active.ApiDestinationState).toBe('ACTIVE');
  });

  it('refuses to delete a connection in use, then deletes it (DELETING) once free', async () => {
    const created = await send<{ ConnectionArn: string }>(
      new CreateConnectionCommand(basicConnection('basic-del')),
    );
    await createDestination('del-dest', created.ConnectionArn);
    await expectAwsError(
      server.client.send(new DeleteConnectionCommand({ Name: 'basic-del' })),
      'ValidationException',
      /^Connection basic-del is used by API destination\(s\) del-dest: /,
    );
    await send(new DeleteApiDestinationCommand({ Name: 'del-dest' }));
    const deleted = await send<Record<string, unknown>>(new DeleteConnectionCommand({ Name: 'basic-del' }));
    expect(deleted).toMatchObject({ ConnectionArn: created.ConnectionArn, ConnectionState: 'DELETING' });
    await expectAwsError(
      server.client.send(new DescribeConnectionCommand({ Name: 'basic-del' })),
      'ResourceNotFoundException',
      "Failed to describe the connection(s). Connection 'basic-del' does not exist.",
    );
    for (const command of [
      new DeleteConnectionCommand({ Name: 'basic-del' }),
      new DeauthorizeConnectionCommand({ Name: 'basic-del' }),
      new UpdateConnectionCommand({ Name: 'basic-del', Description: 'x' }),
    ]) {
      await expectAwsError(server.client.send(command), 'ResourceNotFoundException');
    }
  });

  it('lists connections by prefix and state, page by page', async () => {
    for (const name of ['list-b', 'list-a', 'list-c'])
      await send(new CreateConnectionCommand(basicConnection(name)));
    await send(new DeauthorizeConnectionCommand({ Name: 'list-b' }));
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await send<{ Connections?: Array<Record<string, unknown>>; NextToken?: string }>(
        new ListConnectionsCommand({
          NamePrefix: 'list-',
          Limit: 2,
          ...(nextToken && { NextToken: nextToken }),
        }),
      );
      expect(page.Connections?.length).toBeLessThanOrEqual(2);
      names.push(...(page.Connections ?? []).map((item) => item.Name as string));
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    expect(names).toStrictEqual(['list-a', 'list-b', 'list-c']);
    const authorized = await send<{ Connections?: Array<Record<string, unknown>> }>(
      new ListConnectionsCommand({ NamePrefix: 'list-', ConnectionState: 'DEAUTHORIZED' }),
    );
    expect(authorized.Connections).toStrictEqual([
      {
        ConnectionArn: expect.stringContaining(':connection/list-b/'),
        Name: 'list-b',
        ConnectionState: 'DEAUTHORIZED',
        AuthorizationType: 'BASIC',
        CreationTime: expect.any(Date),
        LastModifiedTime: expect.any(Date),
        LastAuthorizedTime: expect.any(Date),
      },
    ]);
  });

  it('answers AWS validation texts', async () => {
    const longName = 'This should fail with two errors 123467890123412341234123412341234';
    await expectAwsError(
      server.client.send(
        new CreateConnectionCommand({
          Name: longName,
          AuthorizationType: 'INVALID' as never,
          AuthParameters: { BasicAuthParameters: { Username: 'u', Password: 'p' } },
        }),
      ),
      'ValidationException',
      `3 validation errors detected: Value '${longName}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+; Value '${longName}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 64; Value 'INVALID' at 'authorizationType' failed to satisfy constraint: Member must satisfy enum value set: [BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY]`,
    );
    await expectAwsError(
      server.client.send(
        new CreateConnectionCommand({ ...basicConnection('x'), Name: 'Invalid Name With Spaces!' }),
      ),
      'ValidationException',
      "1 validation error detected: Value 'Invalid Name With Spaces!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
    );
    await expectAwsError(
      server.client.send(
        new CreateApiDestinationCommand({
          Name: 'd',
          ConnectionArn: 'invalid-connection-arn',
          InvocationEndpoint: 'https://example.com/api',
          HttpMethod: 'INVALID_METHOD' as never,
        }),
      ),
      'ValidationException',
      "2 validation errors detected: Value 'invalid-connection-arn' at 'connectionArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:aws([a-z]|\\-)*:events:([a-z]|\\d|\\-)*:([0-9]{12})?:connection\\/[\\.\\-_A-Za-z0-9]+\\/[\\-A-Za-z0-9]+$; Value 'INVALID_METHOD' at 'httpMethod' failed to satisfy constraint: Member must satisfy enum value set: [HEAD, POST, PATCH, DELETE, PUT, GET, OPTIONS]",
    );
    await expectAwsError(
      server.client.send(
        new CreateConnectionCommand({
          Name: 'missing-pw',
          AuthorizationType: 'BASIC',
          AuthParameters: { BasicAuthParameters: { Username: 'u:x' } as never },
        }),
      ),
      'ValidationException',
      "2 validation errors detected: Value 'u:x' at 'authParameters.basicAuthParameters.username' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[ \\t]*[^\\x00-\\x1F:\\x7F]+([ \\t]+[^\\x00-\\x1F:\\x7F]+)*[ \\t]*$; Value null at 'authParameters.basicAuthParameters.password' failed to satisfy constraint: Member must not be null",
    );
    await expectAwsError(
      server.client.send(
        new CreateConnectionCommand({
          Name: 'wrong-block',
          AuthorizationType: 'API_KEY',
          AuthParameters: { BasicAuthParameters: { Username: 'u', Password: 'p' } },
        }),
      ),
      'ValidationException',
      'AuthParameters may only contain ApiKeyAuthParameters for AuthorizationType API_KEY, not BasicAuthParameters.',
    );
    await send(new CreateConnectionCommand(basicConnection('dup')));
    await expectAwsError(
      server.client.send(new CreateConnectionCommand(basicConnection('dup'))),
      'ResourceAlreadyExistsException',
      'Connection dup already exists.',
    );
    await expectAwsError(
      server.client.send(new ListConnectionsCommand({ ConnectionState: 'NOPE' as never, Limit: 101 })),
      'ValidationException',
      /^2 validation errors detected: Value 'NOPE' at 'connectionState' .*; Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100$/,
    );
  });
});

describe('API destinations', () => {
  let connectionArn: string;
  beforeAll(async () => {
    connectionArn = (
      await send<{ ConnectionArn: string }>(new CreateConnectionCommand(basicConnection('dest-conn')))
    ).ConnectionArn;
  });

  it('creates one with the default rate, describes, lists, updates and deletes it', async () => {
    const created = await createDestination('orders-hook', connectionArn);
    expect(created).toMatchObject({
      ApiDestinationArn: expect.stringMatching(new RegExp(`^${PREFIX}:api-destination/orders-hook/${UUID}$`)),
      ApiDestinationState: 'ACTIVE',
      CreationTime: expect.any(Date),
      LastModifiedTime: expect.any(Date),
    });
    const described = await send<Record<string, unknown>>(
      new DescribeApiDestinationCommand({ Name: 'orders-hook' }),
    );
    const body = withoutMetadata(described);
    expect(body).toStrictEqual({
      ApiDestinationArn: created.ApiDestinationArn,
      Name: 'orders-hook',
      ApiDestinationState: 'ACTIVE',
      ConnectionArn: connectionArn,
      InvocationEndpoint: 'https://example.com/hooks/*',
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: 300,
      CreationTime: expect.any(Date),
      LastModifiedTime: expect.any(Date),
    });

    const updated = await send<Record<string, unknown>>(
      new UpdateApiDestinationCommand({
        Name: 'orders-hook',
        Description: 'v2',
        HttpMethod: 'PUT',
        InvocationEndpoint: 'https://example.com/api/v2',
        InvocationRateLimitPerSecond: 10,
      }),
    );
    expect(updated).toMatchObject({
      ApiDestinationArn: created.ApiDestinationArn,
      ApiDestinationState: 'ACTIVE',
    });
    const resolved = await server.app.connections.resolveApiDestination(created.ApiDestinationArn);
    expect(resolved).toMatchObject({
      arn: created.ApiDestinationArn,
      name: 'orders-hook',
      state: 'ACTIVE',
      invocationEndpoint: 'https://example.com/api/v2',
      httpMethod: 'PUT',
      invocationRateLimitPerSecond: 10,
      connection: { arn: connectionArn, basic: { username: 'user', password: PASSWORD } },
    });

    await createDestination('orders-other', connectionArn, 5);
    const listed = await send<{ ApiDestinations?: Array<Record<string, unknown>> }>(
      new ListApiDestinationsCommand({ NamePrefix: 'orders-', ConnectionArn: connectionArn }),
    );
    expect(
      listed.ApiDestinations?.map((item) => [item.Name, item.InvocationRateLimitPerSecond]),
    ).toStrictEqual([
      ['orders-hook', 10],
      ['orders-other', 5],
    ]);
    expect(listed.ApiDestinations?.[0]).not.toHaveProperty('Description');

    await send(new DeleteApiDestinationCommand({ Name: 'orders-hook' }));
    expect(await server.app.connections.resolveApiDestination(created.ApiDestinationArn)).toBeUndefined();
    await expectAwsError(
      server.client.send(new DescribeApiDestinationCommand({ Name: 'orders-hook' })),
      'ResourceNotFoundException',
      "Failed to describe the api-destination(s). An api-destination 'orders-hook' does not exist.",
    );
    await expectAwsError(
      server.client.send(new DeleteApiDestinationCommand({ Name: 'orders-hook' })),
      'ResourceNotFoundException',
    );
  });

  it('refuses an unknown connection, a duplicate name and a non-HTTP endpoint', async () => {
    const ghost = `${PREFIX}:connection/ghost/00000000-0000-4000-8000-000000000000`;
    await expectAwsError(
      server.client.send(
        new CreateApiDestinationCommand({
          Name: 'ghost-dest',
          ConnectionArn: ghost,
          InvocationEndpoint: 'https://example.com',
          HttpMethod: 'GET',
        }),
      ),
      'ResourceNotFoundException',
      `Connection '${ghost}' does not exist.`,
    );
    await createDestination('twice', connectionArn);
    await expectAwsError(createDestination('twice', connectionArn), 'ResourceAlreadyExistsException');
    await expectAwsError(
      server.client.send(
        new CreateApiDestinationCommand({
          Name: 'ftp-dest',
          ConnectionArn: connectionArn,
          InvocationEndpoint: 'ftp://example.com/x',
          HttpMethod: 'GET',
        }),
      ),
      'ValidationException',
      'InvocationEndpoint must be an https:// (or, for local endpoints, http://) URL.',
    );
    await expectAwsError(
      server.client.send(new UpdateApiDestinationCommand({ Name: 'twice', InvocationRateLimitPerSecond: 0 })),
      'ValidationException',
      "1 validation error detected: Value '0' at 'invocationRateLimitPerSecond' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });
});

describe('secrets', () => {
  it('are in no answer, and not in clear in the SQLite files', async () => {
    // Runs last: every answer of the tests above was kept.
    expect(answers.length).toBeGreaterThan(20);
    const answered = JSON.stringify(answers);
    for (const secret of SECRETS) expect(answered, secret).not.toContain(secret);

    const base = join(server.dataDir, SQLITE_FILE);
    const files = [base, `${base}-wal`].filter((file) => existsSync(file));
    const bytes = Buffer.concat(files.map((file) => readFileSync(file)));
    expect(bytes.length).toBeGreaterThan(0);
    // The files do hold the connections (names in clear)...
    expect(bytes.includes(Buffer.from('apikey-1'))).toBe(true);
    // ...but none of their secrets.
    for (const secret of SECRETS) expect(bytes.includes(Buffer.from(secret)), secret).toBe(false);
  });
});
