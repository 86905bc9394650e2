/**
 * Web clients sending batches of events to an ingestion endpoint (`POST /ingest/{name}`) with their
 * login token (JWT). The client side needs no AWS SDK: `createClientEventSender` splits events into
 * batches of 10 (the endpoint's limit) and returns one result per event, in order, in PutEvents' shape.
 * The operator side creates the endpoint with `Busway.CreateIngestEndpoint`: tokens are checked
 * against a JWKS, `custom:clientId` is copied into each event's detail, the detail-type comes from
 * `entry.eventType`, and entries without one are refused by the entry schema.
 *
 * The identity provider is played by a node:http server publishing an RSA key set; tokens are signed
 * with node:crypto (RS256), so the example has no dependency beyond the SDK.
 *
 *   node --conditions=source --import tsx examples/ingest-clients.ts
 */
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createBuswayClient } from '@busway/sdk';

export interface ClientEventResult {
  eventId?: string;
  errorCode?: string;
  errorMessage?: string;
}

export interface ClientEventSender {
  /** Sends the events in batches of 10; one result per event, in order. */
  send(
    events: ReadonlyArray<Record<string, unknown>>,
  ): Promise<{ FailedEntryCount: number; entries: ClientEventResult[] }>;
}

export const MAX_BATCH = 10;

/** What a web or mobile client runs (fetch only). */
export function createClientEventSender(options: { url: string; token: () => string }): ClientEventSender {
  return {
    async send(events) {
      const entries: ClientEventResult[] = [];
      for (let start = 0; start < events.length; start += MAX_BATCH) {
        const batch = events.slice(start, start + MAX_BATCH);
        const response = await fetch(options.url, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.token()}`, 'content-type': 'application/json' },
          body: JSON.stringify({ entries: batch.map((event) => ({ entry: JSON.stringify(event) })) }),
        });
        const body = (await response.json()) as {
          detail?: string;
          Entries?: Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }>;
        };
        if (!response.ok)
          throw new Error(`The ingestion endpoint refused the batch (${response.status}): ${body.detail}`);
        for (const entry of body.Entries ?? []) {
          entries.push({
            ...(entry.EventId !== undefined && { eventId: entry.EventId }),
            ...(entry.ErrorCode !== undefined && { errorCode: entry.ErrorCode }),
            ...(entry.ErrorMessage !== undefined && { errorMessage: entry.ErrorMessage }),
          });
        }
      }
      return { FailedEntryCount: entries.filter((e) => e.errorCode !== undefined).length, entries };
    },
  };
}

/** A stand-in identity provider: a JWKS endpoint and RS256 tokens for a client id. */
async function startIdentityProvider(): Promise<{
  jwksUrl: string;
  tokenFor(clientId: string): string;
  server: Server;
}> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'key-1', alg: 'RS256', use: 'sig' };
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  return { jwksUrl, server, tokenFor: (clientId) => signToken(privateKey, clientId) };
}

function signToken(key: KeyObject, clientId: string): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'RS256', typ: 'JWT', kid: 'key-1' });
  const claims = encode({
    iss: 'https://login.example.com',
    aud: 'web-app',
    sub: `user-of-${clientId}`,
    'custom:clientId': clientId,
    iat: now,
    exp: now + 600,
  });
  const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(key).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

export async function runIngestExample(endpoint: string) {
  const busway = createBuswayClient({
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const idp = await startIdentityProvider();
  try {
    // Operator: the endpoint, once.
    await busway.callBusway('CreateIngestEndpoint', {
      Name: 'web',
      Authentication: {
        Type: 'JWT',
        JwksUrl: idp.jwksUrl,
        Issuer: 'https://login.example.com',
        Audience: ['web-app'],
      },
      DetailTypeExpression: 'entry.eventType',
      Claims: { 'custom:clientId': 'clientId' },
      EntrySchema: { type: 'object', required: ['eventType'] },
    });
    const url = `${endpoint}/ingest/web`;

    // Two web clients, each with its own token.
    const shop = createClientEventSender({ url, token: () => idp.tokenFor('shop-web') });
    const kiosk = createClientEventSender({ url, token: () => idp.tokenFor('kiosk-7') });
    const views = Array.from({ length: 12 }, (_, i) => ({ eventType: 'page_view', page: `/p/${i}` }));
    const shopResult = await shop.send(views);
    // The second entry has no eventType: refused by the entry schema, the others go through.
    const kioskResult = await kiosk.send([
      { eventType: 'checkout', cart: 3 },
      { page: '/no-type' },
      { eventType: 'checkout', cart: 1, clientId: 'someone-else' },
    ]);
    return { shopResult, kioskResult };
  } finally {
    busway.close();
    idp.server.closeAllConnections();
    idp.server.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { shopResult, kioskResult } = await runIngestExample(
    process.env['BUSWAY_ENDPOINT'] ?? 'http://127.0.0.1:4010',
  );
  console.log('shop-web:', shopResult.entries.length, 'events,', shopResult.FailedEntryCount, 'failed');
  console.log('kiosk-7:', JSON.stringify(kioskResult.entries));
}
