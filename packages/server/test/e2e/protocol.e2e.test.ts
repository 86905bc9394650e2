/**
 * The AWS JSON 1.1 wire itself, by hand (reference §1.1-1.2): response headers the SDKs read
 * (`x-amzn-RequestId`, `x-amzn-ErrorType`, `Date`, the content type), error bodies with `__type`, and
 * what a request that is not a proper AWS JSON call gets back. Numbers sent as JS v3 (fractional) and
 * boto3 (integer) epoch seconds are both accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRawError, rawRequest } from '../support/raw-request.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

async function post(headers: Record<string, string>, body: string): Promise<Response> {
  return fetch(server.url, { method: 'POST', headers, body });
}

describe('AWS JSON 1.1 responses', () => {
  it('answers success with the AWS content type, a request id and a Date', async () => {
    const response = await rawRequest(server.url, { target: 'AWSEvents.DescribeEventBus' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-amz-json-1\.1/);
    expect(response.headers.get('x-amzn-requestid')).toMatch(/\S/);
    const date = Date.parse(response.headers.get('date') ?? '');
    expect(Number.isNaN(date)).toBe(false);
    expect(response.body).toMatchObject({ Name: 'default' });
    expect(typeof response.body['CreationTime']).toBe('number');
  });

  it('answers errors with __type in the body and x-amzn-ErrorType', async () => {
    const response = await rawRequest(server.url, {
      target: 'AWSEvents.DescribeEventBus',
      body: '{"Name":"missing"}',
    });
    expectRawError(response, 'ResourceNotFoundException', 'Event bus missing does not exist.');
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^ResourceNotFoundException/);
  });

  it('answers UnknownOperationException to an unknown or missing X-Amz-Target', async () => {
    const unknown = await rawRequest(server.url, { target: 'AWSEvents.NoSuchOperation' });
    expect(unknown.status).toBeGreaterThanOrEqual(400);
    expect(unknown.status).toBeLessThan(500);
    expect(unknown.body.__type).toBe('UnknownOperationException');

    const missing = await post({ 'content-type': 'application/x-amz-json-1.1' }, '{}');
    expect(missing.status).toBeGreaterThanOrEqual(400);
    expect(missing.status).toBeLessThan(500);
    expect(((await missing.json()) as { __type: string }).__type).toBe('UnknownOperationException');
  });

  it('answers a client error, not a 500, to a body that is not JSON', async () => {
    const response = await post(
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.ListEventBuses' },
      '{not json',
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { __type: string; message: string };
    expect(body.__type).toBe('SerializationException');
    expect(body.message).toMatch(/\S/);
  });

  it('treats an empty body as {}', async () => {
    const response = await post(
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.ListEventBuses' },
      '',
    );
    expect(response.status).toBe(200);
  });

  it('accepts Time as fractional (JS v3) and integer (boto3) epoch seconds', async () => {
    const body = JSON.stringify({
      Entries: [
        { Source: 'wire', DetailType: 'fractional', Detail: '{}', Time: 1767225600.5 },
        { Source: 'wire', DetailType: 'integer', Detail: '{}', Time: 1767225600 },
      ],
    });
    const response = await rawRequest(server.url, { target: 'AWSEvents.PutEvents', body });
    expect(response.status).toBe(200);
    expect(response.body['FailedEntryCount']).toBe(0);
    const ids = (response.body['Entries'] as Array<{ EventId: string }>).map((e) => e.EventId);
    for (const id of ids) {
      const envelope = JSON.parse((await server.app.store.getEvent(id))!.envelope) as { time: string };
      expect(envelope.time).toBe('2026-01-01T00:00:00Z');
    }
  });
});
