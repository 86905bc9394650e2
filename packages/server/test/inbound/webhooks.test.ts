/**
 * Inbound webhooks end to end: a real server on 127.0.0.1, definitions made through Busway.* calls,
 * requests sent with fetch, published events read back from the store.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  AUDIENCE,
  busway,
  expectProblem,
  ISSUER,
  mustCall,
  startJwks,
  type Jwks,
} from './inbound-fixture.js';

let server: TestServer;
let jwks: Jwks;

beforeAll(async () => {
  server = await startTestServer();
  jwks = await startJwks();
});
afterAll(async () => {
  await server?.close();
  await jwks?.close();
});

function post(path: string, body: string | Buffer, headers: Record<string, string> = {}, method = 'POST') {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
  });
}

async function createWebhook(input: Record<string, unknown>) {
  return mustCall(server.url, 'CreateWebhook', input);
}

/** The stored event's envelope for an id the webhook answered. */
async function storedEvent(
  eventId: unknown,
): Promise<Record<string, unknown> & { detail: Record<string, unknown> }> {
  const record = await server.app.store.getEvent(String(eventId));
  if (record === undefined) throw new Error(`event ${String(eventId)} was not stored`);
  return JSON.parse(record.envelope) as Record<string, unknown> & { detail: Record<string, unknown> };
}

describe('webhook management', () => {
  it('creates, describes, lists and deletes a webhook, showing the URL and never the secrets', async () => {
    const created = await createWebhook({
      Id: 'managed',
      Description: 'the CI hook',
      Authentication: { Type: 'BASIC', Username: 'ci', Password: 'p4ssw0rd-secret' },
    });
    expect(created).toMatchObject({
      Id: 'managed',
      Path: '/webhooks/managed',
      Url: `${server.url}/webhooks/managed`,
      Methods: ['POST'],
      EventBusName: 'default',
      Source: 'webhook.managed',
      DetailType: 'Webhook Received',
      Response: { StatusCode: 202 },
      Authentication: { Type: 'BASIC', Username: 'ci', SecretCount: 1 },
    });
    const described = await mustCall(server.url, 'DescribeWebhook', { Id: 'managed' });
    expect(described).toMatchObject({ Id: 'managed', Description: 'the CI hook', Stats: { Received: 0 } });
    const listed = await mustCall(server.url, 'ListWebhooks', {});
    expect((listed['Webhooks'] as Array<{ Id: string }>).map((w) => w.Id)).toContain('managed');
    for (const answer of [created, described, listed])
      expect(JSON.stringify(answer)).not.toContain('p4ssw0rd-secret');
    // At rest too: the definition holds no secret, the sealed secrets are not the clear text.
    const record = await server.app.store.getInboundEndpoint('webhook', 'managed');
    expect(record?.definition).not.toContain('p4ssw0rd-secret');
    expect(record?.secretCiphertext).toMatch(/^v1:/);
    expect(record?.secretCiphertext).not.toContain('p4ssw0rd-secret');

    expect((await busway(server.url, 'DeleteWebhook', { Id: 'managed' })).status).toBe(200);
    const gone = await busway(server.url, 'DescribeWebhook', { Id: 'managed' });
    expect(gone).toMatchObject({ status: 400, body: { __type: 'ResourceNotFoundException' } });
    const problem = await expectProblem(await post('/webhooks/managed', '{}'));
    expect(problem['status']).toBe(404);
    const longest = 'l'.repeat(100);
    await createWebhook({ Id: longest, Authentication: { Type: 'NONE' } });
    expect((await post(`/webhooks/${longest}`, '{}')).status).toBe(202);
    // Also for ids too long to be one (the router's parameter limit is 100 characters).
    expect((await expectProblem(await post(`/webhooks/${'x'.repeat(300)}`, '{}')))['status']).toBe(404);
    expect((await expectProblem(await post('/ingest/a/b', '{}')))['status']).toBe(404);
  });

  it('updates the members given, keeps the others and the secrets, and serves the change at once', async () => {
    await createWebhook({
      Id: 'changing',
      Authentication: { Type: 'BASIC', Username: 'u', Password: 'first-pw' },
    });
    const basic = { authorization: `Basic ${Buffer.from('u:first-pw').toString('base64')}` };
    expect((await post('/webhooks/changing', '{}', basic)).status).toBe(202);
    const updated = await mustCall(server.url, 'UpdateWebhook', {
      Id: 'changing',
      SourceExpression: 'body.app',
      Description: 'now with a mapped source',
    });
    expect(updated).toMatchObject({
      SourceExpression: 'body.app',
      Description: 'now with a mapped source',
      Authentication: { Type: 'BASIC', Username: 'u', SecretCount: 1 },
      Stats: { Published: 1 },
    });
    expect(updated['Source']).toBeUndefined();
    expect(Number(updated['LastModifiedTime'])).toBeGreaterThan(Number(updated['CreationTime']));
    const response = await post('/webhooks/changing', '{"app":"billing"}', basic);
    expect(response.status).toBe(202);
    expect((await storedEvent(((await response.json()) as { eventId: string }).eventId))['source']).toBe(
      'billing',
    );

    const rekeyed = await mustCall(server.url, 'UpdateWebhook', {
      Id: 'changing',
      Authentication: { Type: 'API_KEY' },
    });
    expect(typeof rekeyed['GeneratedSecret']).toBe('string');
    expect((await post('/webhooks/changing', '{"app":"a"}', basic)).status).toBe(401);
    expect(
      (await post('/webhooks/changing', '{"app":"a"}', { 'x-api-key': String(rekeyed['GeneratedSecret']) }))
        .status,
    ).toBe(202);
    const missing = await busway(server.url, 'UpdateWebhook', { Id: 'ghost', Description: 'x' });
    expect(missing.body['__type']).toBe('ResourceNotFoundException');
    const invalid = await busway(server.url, 'UpdateWebhook', { Id: 'changing', Detail: '(((' });
    expect(invalid.body['__type']).toBe('ValidationException');
  });

  it('generates an id and a Standard Webhooks secret when none is given, returning the secret once', async () => {
    const created = await createWebhook({ Authentication: { Type: 'STANDARD_WEBHOOKS' } });
    expect(created['Id']).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(created['GeneratedSecret']).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    const described = await mustCall(server.url, 'DescribeWebhook', { Id: created['Id'] });
    expect(described['GeneratedSecret']).toBeUndefined();
    expect(JSON.stringify(described)).not.toContain(String(created['GeneratedSecret']).slice(6));
  });

  it('refuses bad definitions with ValidationException and names the problem', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ Id: 'bad1' }, /Authentication is required/],
      [
        { Id: 'bad2', Authentication: { Type: 'NONE' }, Detail: '$$$(' },
        /Detail is not a valid JSONata expression/,
      ],
      [
        { Id: 'bad3', Authentication: { Type: 'NONE' }, ActivationCondition: { EventPattern: '{"a":"b"}' } },
        /ActivationCondition.EventPattern: Event pattern is not valid/,
      ],
      [{ Id: 'bad4', Authentication: { Type: 'NONE' }, Methods: ['FETCH'] }, /Methods must be/],
      [{ Id: 'bad5', Authentication: { Type: 'JWT', JwksUrl: 'not a url' } }, /JwksUrl must be an absolute/],
      [
        { Id: 'bad6', Authentication: { Type: 'NONE' }, BodySchema: { type: 'nope' } },
        /BodySchema is not a valid JSON Schema/,
      ],
      [{ Id: 'bad 7', Authentication: { Type: 'NONE' } }, /failed to satisfy constraint/],
      [{ Id: 'x'.repeat(101), Authentication: { Type: 'NONE' } }, /length less than or equal to 100/],
      [{ Id: 'bad8', Authentication: { Type: 'HMAC', Header: 'x-sig' } }, /Secrets must hold at least one/],
    ];
    for (const [input, message] of cases) {
      const answer = await busway(server.url, 'CreateWebhook', input);
      expect(answer.status).toBe(400);
      expect(answer.body['__type']).toBe('ValidationException');
      expect(String(answer.body['message'])).toMatch(message);
    }
    const missingBus = await busway(server.url, 'CreateWebhook', {
      Id: 'nobus',
      EventBusName: 'ghost',
      Authentication: { Type: 'NONE' },
    });
    expect(missingBus.body['__type']).toBe('ResourceNotFoundException');
    await createWebhook({ Id: 'twice', Authentication: { Type: 'NONE' } });
    const again = await busway(server.url, 'CreateWebhook', {
      Id: 'twice',
      Authentication: { Type: 'NONE' },
    });
    expect(again.body['__type']).toBe('ResourceAlreadyExistsException');
  });
});

describe('publishing', () => {
  it('publishes the body as detail with the correlation key, and a rule on the bus matches it', async () => {
    await server.client.send(
      new PutRuleCommand({
        Name: 'orders-from-webhook',
        EventPattern: '{"source":["shop.webhook"],"detail":{"orderId":["o-17"]}}',
      }),
    );
    await server.client.send(
      new PutTargetsCommand({
        Rule: 'orders-from-webhook',
        Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:orders' }],
      }),
    );
    await createWebhook({
      Id: 'orders',
      Source: 'shop.webhook',
      DetailTypeExpression: 'headers.`x-event-type`',
      CorrelationKey: { Expression: 'body.orderId', Field: 'workflowKey' },
      Authentication: { Type: 'NONE' },
    });
    const response = await post('/webhooks/orders', JSON.stringify({ orderId: 'o-17', total: 30 }), {
      'x-event-type': 'order.created',
    });
    expect(response.status).toBe(202);
    const answer = (await response.json()) as { eventId: string; correlationKey: string };
    expect(answer.correlationKey).toBe('o-17');
    const event = await storedEvent(answer.eventId);
    expect(event).toMatchObject({
      source: 'shop.webhook',
      'detail-type': 'order.created',
      detail: { orderId: 'o-17', total: 30, workflowKey: 'o-17' },
    });
    const deliveries = await server.app.store.listDeliveries({ eventId: answer.eventId }, { limit: 10 });
    expect(deliveries.items.map((d) => [d.ruleName, d.targetId])).toStrictEqual([
      ['orders-from-webhook', 'q'],
    ]);
  });

  it('maps the detail with JSONata, answers with the configured response, and refuses a missing correlation key', async () => {
    await createWebhook({
      Id: 'mapped',
      Methods: ['ANY'],
      Detail: '{"who": body.user.name, "how": method, "tag": query.tag}',
      CorrelationKey: { Expression: 'query.run' },
      Response: { StatusCode: 200, Body: '{"ok": true, "id": eventId}' },
      Authentication: { Type: 'NONE' },
    });
    const response = await post(
      '/webhooks/mapped?tag=a&run=r1',
      JSON.stringify({ user: { name: 'ada' } }),
      {},
      'PUT',
    );
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { ok: boolean; id: string };
    expect(answer.ok).toBe(true);
    expect((await storedEvent(answer.id)).detail).toStrictEqual({
      who: 'ada',
      how: 'PUT',
      tag: 'a',
      correlationKey: 'r1',
    });
    const missing = await post('/webhooks/mapped?tag=a', '{}');
    expect(missing.status).toBe(422);
    expect((await expectProblem(missing))['title']).toBe('Correlation key missing');
  });

  it('wraps a body that is not an object, and reads form posts', async () => {
    await createWebhook({ Id: 'raw', Authentication: { Type: 'NONE' } });
    const text = await post('/webhooks/raw', 'plain words', { 'content-type': 'text/plain' });
    expect((await storedEvent(((await text.json()) as { eventId: string }).eventId)).detail).toStrictEqual({
      body: 'plain words',
    });
    const form = await post('/webhooks/raw', 'a=1&b=2&b=3', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect((await storedEvent(((await form.json()) as { eventId: string }).eventId)).detail).toStrictEqual({
      a: '1',
      b: ['2', '3'],
    });
  });
});

describe('honest answers', () => {
  beforeAll(async () => {
    await createWebhook({
      Id: 'strict',
      Methods: ['POST', 'PUT'],
      MaxBodyBytes: 64,
      BodySchema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
      Authentication: { Type: 'NONE' },
    });
  });

  it('answers 405 with Allow for a method the webhook does not take', async () => {
    const response = await post('/webhooks/strict', '', {}, 'GET');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST, PUT');
    await expectProblem(response);
  });

  it('answers 413 over the endpoint limit, 400 for broken JSON, 422 for a schema failure', async () => {
    expect(
      (await expectProblem(await post('/webhooks/strict', JSON.stringify({ id: 'x'.repeat(100) }))))[
        'status'
      ],
    ).toBe(413);
    const broken = await expectProblem(await post('/webhooks/strict', '{"id":'));
    expect(broken['status']).toBe(400);
    const invalid = await expectProblem(await post('/webhooks/strict', '{"id":5}'));
    expect(invalid).toMatchObject({ status: 422, title: 'Body failed validation' });
    expect(String(invalid['detail'])).toContain('/id must be string');
    expect((await post('/webhooks/strict', '{"id":"ok"}')).status).toBe(202);
  });

  it('answers 400 for JSON nested too deeply to handle, and keeps such text as text', async () => {
    await createWebhook({ Id: 'deep', Authentication: { Type: 'NONE' } });
    const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    const refused = await expectProblem(await post('/webhooks/deep', deep));
    expect(refused).toMatchObject({ status: 400, title: 'Malformed body' });
    expect(String(refused['detail'])).toContain('deeper than 100 levels');
    const asText = await post('/webhooks/deep', deep, { 'content-type': 'text/plain' });
    expect(asText.status).toBe(202);
    const { eventId } = (await asText.json()) as { eventId: string };
    expect((await storedEvent(eventId)).detail).toStrictEqual({ body: deep });
  });

  it('answers 413 when the event would be over PutEvents size limit', async () => {
    await createWebhook({ Id: 'big', Authentication: { Type: 'NONE' } });
    const body = JSON.stringify({ blob: 'x'.repeat(262_110) });
    const response = await post('/webhooks/big', body);
    expect((await expectProblem(response))['status']).toBe(413);
  });

  it('answers 413 over the server limit too, as a problem body', async () => {
    const response = await post('/webhooks/strict', 'x'.repeat(server.config.maxBodyBytes + 10));
    expect((await expectProblem(response))['status']).toBe(413);
  });

  it('answers 429 with Retry-After once the rate limit is used up', async () => {
    await createWebhook({
      Id: 'limited',
      RateLimit: { RequestsPerSecond: 0.001, Burst: 2 },
      Authentication: { Type: 'NONE' },
    });
    expect((await post('/webhooks/limited', '{}')).status).toBe(202);
    expect((await post('/webhooks/limited', '{}')).status).toBe(202);
    const limited = await post('/webhooks/limited', '{}');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    await expectProblem(limited);
  });
});

describe('activation conditions', () => {
  it('publishes when an event pattern over the request matches; acknowledges and counts when it does not', async () => {
    await createWebhook({
      Id: 'gated',
      ActivationCondition: {
        EventPattern: '{"headers":{"x-github-event":["push"]},"body":{"ref":[{"prefix":"refs/heads/"}]}}',
      },
      Authentication: { Type: 'NONE' },
    });
    const yes = await post('/webhooks/gated', '{"ref":"refs/heads/main"}', { 'x-github-event': 'push' });
    expect(yes.status).toBe(202);
    expect(
      await server.app.store.getEvent(((await yes.json()) as { eventId: string }).eventId),
    ).toBeDefined();
    const no = await post('/webhooks/gated', '{"ref":"refs/tags/v1"}', { 'x-github-event': 'push' });
    expect(no.status).toBe(202);
    expect(await no.json()).toStrictEqual({ activated: false });
    const stats = (await mustCall(server.url, 'DescribeWebhook', { Id: 'gated' }))['Stats'];
    expect(stats).toStrictEqual({ Received: 2, Published: 1, NotActivated: 1, Rejected: 0, Duplicates: 0 });
  });

  it('publishes only when a JSONata condition is true', async () => {
    await createWebhook({
      Id: 'expr-gated',
      ActivationCondition: { Expression: 'body.amount > 100 and method = "POST"' },
      Authentication: { Type: 'NONE' },
    });
    expect(await (await post('/webhooks/expr-gated', '{"amount":150}')).json()).toHaveProperty('eventId');
    expect(await (await post('/webhooks/expr-gated', '{"amount":5}')).json()).toStrictEqual({
      activated: false,
    });
    expect((await mustCall(server.url, 'DescribeWebhook', { Id: 'expr-gated' }))['Stats']).toMatchObject({
      Published: 1,
      NotActivated: 1,
    });
  });
});

describe('authentication', () => {
  it('Basic: right credentials pass; wrong or missing ones get 401 with a challenge', async () => {
    await createWebhook({
      Id: 'basic',
      Authentication: { Type: 'BASIC', Username: 'ci', Password: 's3cret' },
    });
    const basic = (user: string, pass: string) => ({
      authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
    });
    expect((await post('/webhooks/basic', '{}', basic('ci', 's3cret'))).status).toBe(202);
    for (const headers of [
      basic('ci', 'wrong'),
      basic('other', 's3cret'),
      {},
      { authorization: 'Basic !!!' },
    ]) {
      const response = await post('/webhooks/basic', '{}', headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
      await expectProblem(response);
    }
    expect((await mustCall(server.url, 'DescribeWebhook', { Id: 'basic' }))['Stats']).toStrictEqual({
      Received: 5,
      Published: 1,
      NotActivated: 0,
      Rejected: 4,
      Duplicates: 0,
    });
  });

  it('API key: found by a locator after "Bearer " or in a custom header; wrong or missing gets 401', async () => {
    await createWebhook({
      Id: 'keyed-bearer',
      Authentication: {
        Type: 'API_KEY',
        Locator: '$substringAfter(headers.authorization, "Bearer ")',
        Keys: ['k-old', 'k-new'],
      },
    });
    expect((await post('/webhooks/keyed-bearer', '{}', { authorization: 'Bearer k-new' })).status).toBe(202);
    expect((await post('/webhooks/keyed-bearer', '{}', { authorization: 'Bearer k-old' })).status).toBe(202);
    expect((await post('/webhooks/keyed-bearer', '{}', { authorization: 'Bearer k-nope' })).status).toBe(401);
    expect((await post('/webhooks/keyed-bearer', '{}')).status).toBe(401);

    const created = await createWebhook({ Id: 'keyed-header', Authentication: { Type: 'API_KEY' } });
    const key = String(created['GeneratedSecret']);
    expect(key.length).toBeGreaterThan(20);
    expect((await post('/webhooks/keyed-header', '{}', { 'x-api-key': key })).status).toBe(202);
    expect((await post('/webhooks/keyed-header', '{}', { 'x-api-key': `${key}x` })).status).toBe(401);
    expect((await expectProblem(await post('/webhooks/keyed-header', '{}')))['status']).toBe(401);
  });

  describe('JWT', () => {
    beforeAll(async () => {
      await createWebhook({
        Id: 'jwt',
        Detail: '{"sub": claims.sub, "body": body}',
        Authentication: {
          Type: 'JWT',
          JwksUrl: jwks.url,
          Issuer: ISSUER,
          Audience: [AUDIENCE],
          RoleExpression: 'roles',
          RequiredRoles: ['publisher'],
        },
      });
    });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    it('accepts a valid token with the required role and exposes its claims to mappings', async () => {
      const token = await jwks.sign({ sub: 'user-1', roles: ['publisher', 'reader'] });
      const response = await post('/webhooks/jwt', '{"x":1}', bearer(token));
      expect(response.status).toBe(202);
      expect(
        (await storedEvent(((await response.json()) as { eventId: string }).eventId)).detail,
      ).toStrictEqual({
        sub: 'user-1',
        body: { x: 1 },
      });
      // The key set was fetched once and is cached across requests.
      const before = jwks.fetches();
      expect((await post('/webhooks/jwt', '{}', bearer(token))).status).toBe(202);
      expect(jwks.fetches()).toBe(before);
    });

    it('answers 403 for a valid token without the required role', async () => {
      const token = await jwks.sign({ sub: 'user-2', roles: ['reader'] });
      const response = await post('/webhooks/jwt', '{}', bearer(token));
      expect(response.status).toBe(403);
      expect(String((await expectProblem(response))['detail'])).toContain('publisher');
    });

    it('answers 401 for expired, wrong-audience, wrong-issuer, wrong-key, garbage and missing tokens', async () => {
      const claims = { sub: 'u', roles: ['publisher'] };
      const { SignJWT } = await import('jose');
      const wrongAudience = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
        .setIssuer(ISSUER)
        .setAudience('someone-else')
        .setExpirationTime('5m')
        .sign(jwks.strangerKey);
      const tokens: Record<string, string> = {
        expired: await jwks.sign(claims, { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
        wrongKey: await jwks.sign(claims, { key: jwks.strangerKey }),
        unknownKid: await jwks.sign(claims, { key: jwks.strangerKey, kid: 'key-9' }),
        wrongAudienceAndKey: wrongAudience,
        garbage: 'not.a.jwt',
      };
      tokens['wrongIssuer'] = await jwks.sign(claims, { issuer: 'https://evil.test/' });
      tokens['wrongAudience'] = await jwks.sign(claims, { audience: 'someone-else' });
      for (const [name, token] of Object.entries(tokens)) {
        const response = await post('/webhooks/jwt', '{}', bearer(token));
        expect(response.status, name).toBe(401);
        await expectProblem(response);
      }
      const missing = await post('/webhooks/jwt', '{}');
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it("answers 503 with Retry-After when the key set cannot be fetched (not the caller's fault)", async () => {
      const closed = createNetServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      await createWebhook({
        Id: 'jwt-unreachable',
        Authentication: { Type: 'JWT', JwksUrl: `http://127.0.0.1:${port}/jwks.json` },
      });
      const response = await post('/webhooks/jwt-unreachable', '{}', bearer(await jwks.sign({ sub: 'u' })));
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      await expectProblem(response);
    });

    it('never fetches a key set from a link-local (metadata) address', async () => {
      await createWebhook({
        Id: 'jwt-metadata',
        Authentication: { Type: 'JWT', JwksUrl: 'http://169.254.169.254/latest/meta-data/jwks.json' },
      });
      const response = await post('/webhooks/jwt-metadata', '{}', bearer(await jwks.sign({ sub: 'u' })));
      // Refused by the outbound policy before any connection is made: the key set is unavailable.
      expect(response.status).toBe(503);
      await expectProblem(response);
    });

    it('answers 401 for a token of the right key but the wrong audience', async () => {
      await createWebhook({
        Id: 'jwt-other-aud',
        Authentication: { Type: 'JWT', JwksUrl: jwks.url, Issuer: ISSUER, Audience: ['another-api'] },
      });
      const response = await post('/webhooks/jwt-other-aud', '{}', bearer(await jwks.sign({ sub: 'u' })));
      expect(response.status).toBe(401);
      expect(String((await expectProblem(response))['detail'])).toContain('"aud"');
    });
  });

  describe('Standard Webhooks', () => {
    const oldSecret = `whsec_${randomBytes(24).toString('base64')}`;
    const newSecret = `whsec_${randomBytes(24).toString('base64')}`;
    const sign = (secret: string, id: string, timestamp: number, body: string) =>
      createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
        .update(`${id}.${timestamp}.${body}`)
        .digest('base64');
    const headers = (id: string, timestamp: number, signatures: string[]) => ({
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatures.map((s) => `v1,${s}`).join(' '),
    });

    beforeAll(async () => {
      await createWebhook({
        Id: 'std',
        Authentication: { Type: 'STANDARD_WEBHOOKS', Secrets: [newSecret, oldSecret] },
      });
    });

    it('accepts a good signature, with either secret of a rotation, and a header carrying several signatures', async () => {
      const now = Math.floor(Date.now() / 1000);
      const body = '{"type":"invoice.paid"}';
      expect(
        (await post('/webhooks/std', body, headers('msg_1', now, [sign(newSecret, 'msg_1', now, body)])))
          .status,
      ).toBe(202);
      expect(
        (await post('/webhooks/std', body, headers('msg_2', now, [sign(oldSecret, 'msg_2', now, body)])))
          .status,
      ).toBe(202);
      const stranger = `whsec_${randomBytes(24).toString('base64')}`;
      const both = [sign(stranger, 'msg_3', now, body), sign(oldSecret, 'msg_3', now, body)];
      expect((await post('/webhooks/std', body, headers('msg_3', now, both))).status).toBe(202);
    });

    it('answers a resent message (same webhook-id) with the first event id and does not publish it again', async () => {
      const now = Math.floor(Date.now() / 1000);
      const body = '{"type":"retry.me"}';
      const first = await post(
        '/webhooks/std',
        body,
        headers('msg_dup', now, [sign(newSecret, 'msg_dup', now, body)]),
      );
      const resent = await post(
        '/webhooks/std',
        body,
        headers('msg_dup', now + 1, [sign(newSecret, 'msg_dup', now + 1, body)]),
      );
      expect(first.status).toBe(202);
      expect(resent.status).toBe(202);
      const firstId = ((await first.json()) as { eventId: string }).eventId;
      expect(((await resent.json()) as { eventId: string }).eventId).toBe(firstId);
      expect((await mustCall(server.url, 'DescribeWebhook', { Id: 'std' }))['Stats']).toMatchObject({
        Duplicates: 1,
      });
      // A resend that fails verification is refused, not answered from memory.
      expect((await post('/webhooks/std', body, headers('msg_dup', now, ['AAAA']))).status).toBe(401);
    });

    it('refuses a tampered body, a stale timestamp, an unknown secret and missing headers with 401', async () => {
      const now = Math.floor(Date.now() / 1000);
      const body = '{"amount":10}';
      const good = sign(newSecret, 'msg_9', now, body);
      expect((await post('/webhooks/std', '{"amount":1000}', headers('msg_9', now, [good]))).status).toBe(
        401,
      );
      const stale = now - 600;
      const staleAnswer = await post(
        '/webhooks/std',
        body,
        headers('msg_9', stale, [sign(newSecret, 'msg_9', stale, body)]),
      );
      expect(staleAnswer.status).toBe(401);
      expect(String((await expectProblem(staleAnswer))['detail'])).toContain('replay window');
      const future = now + 600;
      expect(
        (
          await post(
            '/webhooks/std',
            body,
            headers('msg_9', future, [sign(newSecret, 'msg_9', future, body)]),
          )
        ).status,
      ).toBe(401);
      const stranger = `whsec_${randomBytes(24).toString('base64')}`;
      expect(
        (await post('/webhooks/std', body, headers('msg_9', now, [sign(stranger, 'msg_9', now, body)])))
          .status,
      ).toBe(401);
      expect((await post('/webhooks/std', body, { 'webhook-id': 'msg_9' })).status).toBe(401);
    });
  });

  describe('configurable HMAC', () => {
    it('verifies GitHub-style X-Hub-Signature-256: sha256=<hex>', async () => {
      await createWebhook({
        Id: 'github',
        Authentication: {
          Type: 'HMAC',
          Header: 'X-Hub-Signature-256',
          Algorithm: 'sha256',
          Encoding: 'hex',
          Prefix: 'sha256=',
          Secrets: ['gh-secret'],
        },
      });
      const body = '{"action":"opened"}';
      const signature = `sha256=${createHmac('sha256', 'gh-secret').update(body).digest('hex')}`;
      expect((await post('/webhooks/github', body, { 'x-hub-signature-256': signature })).status).toBe(202);
      expect((await post('/webhooks/github', `${body} `, { 'x-hub-signature-256': signature })).status).toBe(
        401,
      );
      expect(
        (await post('/webhooks/github', body, { 'x-hub-signature-256': signature.slice(7) })).status,
      ).toBe(401);
      expect((await post('/webhooks/github', body)).status).toBe(401);
    });

    it('verifies Stripe-style Stripe-Signature: t=<ts>,v1=<hex> over "{timestamp}.{body}" with a replay window', async () => {
      await createWebhook({
        Id: 'stripe',
        Authentication: {
          Type: 'HMAC',
          Header: 'Stripe-Signature',
          Format: 'KEY_VALUE',
          SignatureKey: 'v1',
          TimestampKey: 't',
          SignedPayload: '{timestamp}.{body}',
          Secrets: ['whsec_stripe_test'],
        },
      });
      const body = '{"type":"charge.succeeded"}';
      const at = (t: number, b = body) =>
        createHmac('sha256', 'whsec_stripe_test').update(`${t}.${b}`).digest('hex');
      const now = Math.floor(Date.now() / 1000);
      const header = (t: number, ...sigs: string[]) => ({
        'stripe-signature': [`t=${t}`, ...sigs.map((s) => `v1=${s}`)].join(','),
      });
      expect((await post('/webhooks/stripe', body, header(now, at(now)))).status).toBe(202);
      expect((await post('/webhooks/stripe', body, header(now, 'deadbeef', at(now)))).status).toBe(202);
      expect((await post('/webhooks/stripe', '{"type":"x"}', header(now, at(now)))).status).toBe(401);
      expect((await post('/webhooks/stripe', body, header(now - 1000, at(now - 1000)))).status).toBe(401);
      // The timestamp is signed: moving it forward breaks the signature.
      expect((await post('/webhooks/stripe', body, header(now + 1, at(now)))).status).toBe(401);
    });
  });
});
