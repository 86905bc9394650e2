/**
 * Fuzzed requests to inbound endpoints of every authentication mode never get a 500: random bodies,
 * content types, header values and methods, sent over real HTTP, answer with a 2xx or a 4xx problem.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { mustCall, startJwks, type Jwks } from './inbound-fixture.js';

let server: TestServer;
let jwks: Jwks;
const PATHS = [
  '/webhooks/open',
  '/webhooks/mapped',
  '/webhooks/basic',
  '/webhooks/keyed',
  '/webhooks/std',
  '/webhooks/stripe',
  '/webhooks/jwt',
  '/ingest/clients',
];

beforeAll(async () => {
  server = await startTestServer();
  jwks = await startJwks();
  const none = { Type: 'NONE' };
  await mustCall(server.url, 'CreateWebhook', { Id: 'open', Methods: ['ANY'], Authentication: none });
  await mustCall(server.url, 'CreateWebhook', {
    Id: 'mapped',
    Methods: ['ANY'],
    Detail: '{"n": body.a.b + 1, "s": $uppercase(body.name), "h": headers.`x-fuzz`}',
    DetailTypeExpression: 'body.type',
    CorrelationKey: { Expression: 'body.id' },
    ActivationCondition: { EventPattern: '{"body":{"kind":[{"exists":true}]}}' },
    BodySchema: { type: 'object', properties: { name: { type: 'string' } } },
    Authentication: none,
  });
  await mustCall(server.url, 'CreateWebhook', {
    Id: 'basic',
    Authentication: { Type: 'BASIC', Username: 'u', Password: 'p' },
  });
  await mustCall(server.url, 'CreateWebhook', {
    Id: 'keyed',
    Authentication: {
      Type: 'API_KEY',
      Locator: '$substringAfter(headers.authorization, "Bearer ")',
      Keys: ['k'],
    },
  });
  await mustCall(server.url, 'CreateWebhook', { Id: 'std', Authentication: { Type: 'STANDARD_WEBHOOKS' } });
  await mustCall(server.url, 'CreateWebhook', {
    Id: 'stripe',
    Authentication: {
      Type: 'HMAC',
      Header: 'stripe-signature',
      Format: 'KEY_VALUE',
      TimestampKey: 't',
      SignedPayload: '{timestamp}.{body}',
      Secrets: ['s'],
    },
  });
  await mustCall(server.url, 'CreateWebhook', {
    Id: 'jwt',
    Authentication: { Type: 'JWT', JwksUrl: jwks.url },
  });
  await mustCall(server.url, 'CreateIngestEndpoint', {
    Name: 'clients',
    Authentication: { JwksUrl: jwks.url },
  });
});
afterAll(async () => {
  await server?.close();
  await jwks?.close();
});

/** Header values fetch can send: visible ASCII and spaces, trimmed by HTTP anyway. */
const headerValue = fc.string({
  unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@ABCXYZabcxyz[]^_`{|}~'.split('')),
  maxLength: 60,
});
const jsonish = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '',
    '{',
    '{"entries":[{"entry":"{}"}]}',
    '{"entries":[{"entry":1}]}',
    '{"a":{"b":"x"},"kind":1,"id":[]}',
    'null',
    '[]',
    `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    `{"entries":[{"entry":${JSON.stringify('{"a":'.repeat(3000) + '1' + '}'.repeat(3000))}}]}`,
  ),
);

describe('fuzzed inbound requests', () => {
  it('never answer 500', async () => {
    const token = await jwks.sign({ sub: 'fuzzer' });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PATHS),
        fc.constantFrom('POST', 'PUT', 'GET', 'DELETE', 'PATCH'),
        jsonish,
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/cloudevents+json',
          '',
        ),
        fc.record(
          {
            authorization: fc.oneof(
              headerValue,
              fc.constant(`Bearer ${token}`),
              fc.constant('Basic dTpw'),
              fc.constant('Bearer k'),
            ),
            'webhook-id': headerValue,
            'webhook-timestamp': fc.oneof(headerValue, fc.constant(String(Math.floor(Date.now() / 1000)))),
            'webhook-signature': headerValue,
            'stripe-signature': headerValue,
            'x-fuzz': headerValue,
          },
          { requiredKeys: [] },
        ),
        async (path, method, body, contentType, headers) => {
          const response = await fetch(`${server.url}${path}`, {
            method,
            headers: { ...(contentType !== '' && { 'content-type': contentType }), ...headers },
            ...(method === 'GET' ? {} : { body }),
          });
          const text = await response.text();
          expect(response.status, `${method} ${path} ${body} -> ${text}`).toBeLessThan(500);
          if (response.status >= 400) {
            expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
            expect(JSON.parse(text)).toMatchObject({ status: response.status });
          }
        },
      ),
      { numRuns: 400 },
    );
  }, 120_000);
});
