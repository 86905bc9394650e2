/**
 * SigV4 on a real server with an access key (config accessKeyId/secretAccessKey): the real SDK with the
 * right key works; wrong secrets, unknown keys, stale dates and unsigned requests get AWS's errors
 * (reference §1.3-1.5). Raw requests are signed with @smithy/signature-v4 (the oracle) and sent with
 * fetch, so no SDK retry or clock correction hides what the server answered. Also the open mode: a
 * loopback server without keys accepts unsigned requests, and a non-loopback one refuses to start
 * unless told `insecure`.
 */
import { ListEventBusesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Started } from '../../src/index.js';
import { expectAwsError } from '../support/aws-errors.js';
import { expectRawError, rawRequest } from '../support/raw-request.js';
import {
  createEventBridgeClient,
  createTempDir,
  removeDir,
  startTestServer,
  testConfig,
  type TestServer,
} from '../support/server.js';

const KEY = {
  accessKeyId: 'AKIDBUSWAYSIGV4TEST',
  secretAccessKey: 'sigv4-e2e-secret-0123456789abcdefghijklm',
};
const BAD_SIGNATURE =
  /^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\. Consult the service documentation for details\.$/;
const AMZ_DATE = '\\d{8}T\\d{6}Z';
const SIGNATURE_EXPIRED = new RegExp(
  `^Signature expired: ${AMZ_DATE} is now earlier than ${AMZ_DATE} \\(${AMZ_DATE} - 5 min\\.\\)$`,
);

describe('a server with an access key', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ overrides: KEY, credentials: KEY });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('accepts the SDK signing with the right key', async () => {
    const out = await server.client.send(new ListEventBusesCommand({}));
    expect(out.EventBuses!.map((b) => b.Name)).toContain('default');
    const put = await server.client.send(
      new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'signed', Detail: '{"ok":true}' }] }),
    );
    expect(put.FailedEntryCount).toBe(0);
  });

  it('accepts raw requests signed like the JS SDK and like botocore', async () => {
    for (const style of ['sdk', 'botocore'] as const) {
      const response = await rawRequest(server.url, { credentials: KEY, style });
      expect({ style, status: response.status, type: response.body.__type }).toEqual({
        style,
        status: 200,
        type: undefined,
      });
      expect(response.body['EventBuses']).toBeInstanceOf(Array);
    }
  });

  it('verifies the SDK signing for an endpoint with a base path and another region', async () => {
    // JS v3 sends `/base/` for endpoint `http://h:p/base` and signs that path (reference §1.1).
    const prefixed = server.newClient({ config: { endpoint: `${server.url}/base` } });
    expect((await prefixed.send(new ListEventBusesCommand({}))).$metadata.httpStatusCode).toBe(200);
    const elsewhere = server.newClient({ config: { region: 'eu-west-1' } });
    expect((await elsewhere.send(new ListEventBusesCommand({}))).$metadata.httpStatusCode).toBe(200);
  });

  it('answers InvalidSignatureException to a wrong secret', async () => {
    const client = server.newClient({ credentials: { ...KEY, secretAccessKey: 'not-the-secret' } });
    await expectAwsError(
      client.send(new ListEventBusesCommand({})),
      'InvalidSignatureException',
      BAD_SIGNATURE,
    );
  });

  it('answers InvalidSignatureException to a body changed after signing', async () => {
    for (const style of ['sdk', 'botocore'] as const) {
      const response = await rawRequest(server.url, {
        credentials: KEY,
        style,
        body: '{"NamePrefix":"a"}',
        tamper: () => '{"NamePrefix":"b"}',
      });
      expect(response.status).toBe(400);
      expect(response.body.__type).toBe('InvalidSignatureException');
    }
  });

  it('answers "Signature expired" to a request signed 10 minutes ago', async () => {
    const response = await rawRequest(server.url, {
      credentials: KEY,
      signingDate: new Date(Date.now() - 10 * 60 * 1000),
    });
    expectRawError(response, 'InvalidSignatureException', SIGNATURE_EXPIRED);
  });

  it('answers "Signature expired" to the SDK with a skewed clock and one attempt', async () => {
    const client = server.newClient({ maxAttempts: 1, config: { systemClockOffset: -10 * 60 * 1000 } });
    await expectAwsError(
      client.send(new ListEventBusesCommand({})),
      'InvalidSignatureException',
      SIGNATURE_EXPIRED,
    );
  });

  it('lets the SDK correct a skewed clock from the Date header and retry', async () => {
    const client = server.newClient({ maxAttempts: 3, config: { systemClockOffset: -10 * 60 * 1000 } });
    const out = await client.send(new ListEventBusesCommand({}));
    expect(out.$metadata.attempts).toBe(2);
  });

  it('answers MissingAuthenticationTokenException to an unsigned request', async () => {
    const response = await rawRequest(server.url);
    expectRawError(response, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  });

  it('answers UnrecognizedClientException to an unknown access key', async () => {
    const client = server.newClient({
      credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'whatever' },
    });
    await expectAwsError(
      client.send(new ListEventBusesCommand({})),
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
    const raw = await rawRequest(server.url, {
      credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'whatever' },
    });
    expectRawError(
      raw,
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
  });
});

describe('a server without access keys', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('accepts unsigned requests on loopback', async () => {
    const response = await rawRequest(server.url);
    expect(response.status).toBe(200);
    expect((response.body['EventBuses'] as Array<{ Name: string }>).map((b) => b.Name)).toContain('default');
  });

  it('accepts any signature on loopback', async () => {
    const client = createEventBridgeClient(server.url, {
      credentials: { accessKeyId: 'anything', secretAccessKey: 'at-all' },
    });
    try {
      const out = await client.send(new ListEventBusesCommand({}));
      expect(out.$metadata.httpStatusCode).toBe(200);
    } finally {
      client.destroy();
    }
  });
});

describe('serving beyond loopback', () => {
  it('refuses to start on 0.0.0.0 without keys', async () => {
    const dataDir = createTempDir();
    try {
      await expect(startServer(testConfig(dataDir, { host: '0.0.0.0' }))).rejects.toThrow(
        /without access keys/,
      );
    } finally {
      removeDir(dataDir);
    }
  });

  it('starts on 0.0.0.0 without keys when insecure', async () => {
    const dataDir = createTempDir();
    let started: Started | undefined;
    try {
      started = await startServer(testConfig(dataDir, { host: '0.0.0.0', insecure: true }));
      expect(started.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
      const port = new URL(started.url).port;
      const response = await rawRequest(`http://127.0.0.1:${port}`);
      expect(response.status).toBe(200);
    } finally {
      await started?.app.close();
      removeDir(dataDir);
    }
  });

  it('starts on 0.0.0.0 with a key and requires signatures', async () => {
    const dataDir = createTempDir();
    let started: Started | undefined;
    try {
      started = await startServer(testConfig(dataDir, { host: '0.0.0.0', ...KEY }));
      const url = `http://127.0.0.1:${new URL(started.url).port}`;
      expectRawError(
        await rawRequest(url),
        'MissingAuthenticationTokenException',
        'Missing Authentication Token',
      );
      expect((await rawRequest(url, { credentials: KEY })).status).toBe(200);
    } finally {
      await started?.app.close();
      removeDir(dataDir);
    }
  });
});
