/**
 * Storage sinks end to end on a real server: rules with sink targets write NDJSON objects partitioned by
 * two event fields and the hour, rotated by size and by age, optionally gzipped, into a local folder
 * and into an S3 server running in this process (s3rver). Managed with Busway.CreateSink and co.
 */
import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3, S3RVER_CREDENTIALS, type TestS3 } from '../support/s3-server.js';
import { startTestServer, TEST_ACCOUNT, TEST_REGION, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

const SINK_ARN = (name: string) => `arn:aws:busway:${TEST_REGION}:${TEST_ACCOUNT}:sink/${name}`;

let server: TestServer;
let s3: TestS3;

beforeAll(async () => {
  s3 = await startTestS3();
  // The sink's S3 client uses the SDK's default credential chain.
  process.env['AWS_ACCESS_KEY_ID'] = S3RVER_CREDENTIALS.accessKeyId;
  process.env['AWS_SECRET_ACCESS_KEY'] = S3RVER_CREDENTIALS.secretAccessKey;
  server = await startTestServer();
});

afterAll(async () => {
  await server.close();
  await s3.close();
  delete process.env['AWS_ACCESS_KEY_ID'];
  delete process.env['AWS_SECRET_ACCESS_KEY'];
});

/** Calls a Busway.* operation through the app (same handler table as the wire). */
async function busway(operation: string, input: object): Promise<Record<string, unknown>> {
  const response = await server.app.http.inject({
    method: 'POST',
    url: '/',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Busway.${operation}` },
    payload: JSON.stringify(input),
  });
  const body = JSON.parse(response.body) as Record<string, unknown>;
  if (response.statusCode !== 200) throw Object.assign(new Error(String(body['message'])), { body });
  return body;
}

async function ruleTo(name: string, sinkName: string, pattern: object, target: object = {}): Promise<void> {
  await server.client.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern) }));
  await server.client.send(
    new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'sink', Arn: SINK_ARN(sinkName), ...target }] }),
  );
}

async function putClientEvents(
  source: string,
  events: Array<{ clientId: string; kind: string; n: number; time: Date }>,
) {
  for (let i = 0; i < events.length; i += 10) {
    const out = await server.client.send(
      new PutEventsCommand({
        Entries: events.slice(i, i + 10).map((e) => ({
          Source: source,
          DetailType: 'ClientEvent',
          Detail: JSON.stringify({ clientId: e.clientId, kind: e.kind, n: e.n }),
          Time: e.time,
        })),
      }),
    );
    expect(out.FailedEntryCount).toBe(0);
  }
}

/** Every file under a folder: relative path -> text (gunzipped for .gz). */
function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (at: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      // Not a .partial: a flush running meanwhile renames it away (a stat of it could fail), and
      // a renamed object never changes again.
      else if (!entry.name.endsWith('.partial')) {
        const bytes = readFileSync(path);
        out.set(
          relative(dir, path),
          (entry.name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8'),
        );
      }
    }
  };
  walk(dir);
  return out;
}

function lines(files: Map<string, string>): string[] {
  return [...files.values()].flatMap((text) => text.split('\n').filter((line) => line !== ''));
}

const HOUR = 3_600_000;
const T = Date.UTC(2024, 4, 6, 10, 15, 0);

describe('storage sinks', () => {
  it('partitions by two fields and the hour, rotates by size, into a local folder', async () => {
    const created = await busway('CreateSink', {
      Name: 'local-size',
      Destination: { Type: 'LOCAL', Directory: 'by-size' },
      KeyTemplate: 'clientevents/{detail.clientId}/{detail.kind}/{yyyy}/{MM}/{dd}/{HH}/',
      MaxBatchBytes: 100,
      MaxBatchSeconds: 3600,
    });
    expect(created['SinkArn']).toBe(SINK_ARN('local-size'));
    await ruleTo(
      'to-local-size',
      'local-size',
      { source: ['web'] },
      {
        InputTransformer: {
          InputPathsMap: { id: '$.id', client: '$.detail.clientId', n: '$.detail.n' },
          InputTemplate: '{"id": <id>, "client": <client>, "n": <n>}',
        },
      },
    );
    const events = [];
    for (let n = 0; n < 40; n++) {
      events.push({
        clientId: n % 2 === 0 ? 'c1' : 'c/2',
        kind: n % 4 < 2 ? 'click' : 'view',
        n,
        time: new Date(T + (n % 3) * HOUR),
      });
    }
    await putClientEvents('web', events);
    const root = join(server.dataDir, 'sink-output', 'by-size');
    // Every event spooled (acknowledged).
    await waitFor(
      async () =>
        (await server.app.store.listDeliveries({ status: 'delivered' }, { limit: 1000 })).items.length,
      (delivered) => delivered >= 40,
      { what: 'the 40 sink deliveries' },
    );
    // Objects of batches full by size, without a flush being asked for. A delivery is done once its line
    // is spooled; the full batch's object is written after, in the background: wait for it, not assume it.
    await waitFor(
      async () => filesUnder(root).size,
      (written) => written > 0,
      { what: 'objects written by size' },
    );
    await server.app.sinks.flushAll();
    const files = filesUnder(root);
    const all = lines(files).map((line) => JSON.parse(line) as { n: number; client: string });
    expect(all.map((e) => e.n).sort((a, b) => a - b)).toEqual(events.map((e) => e.n));
    // Every object sits in the partition of its own events: client, kind, and the hour of the event time.
    for (const [path, text] of files) {
      const [, client, kind, yyyy, MM, dd, HH, file] = path.split('/');
      expect(file).toMatch(/\.ndjson$/);
      for (const line of text.trim().split('\n')) {
        const event = events[(JSON.parse(line) as { n: number }).n]!;
        expect(client).toBe(event.clientId.replace('/', '_'));
        expect(kind).toBe(event.kind);
        expect(`${yyyy}-${MM}-${dd}T${HH}`).toBe(event.time.toISOString().slice(0, 13));
      }
    }
    const partitions = new Set([...files.keys()].map((path) => path.split('/').slice(0, 7).join('/')));
    expect(partitions.size).toBe(12); // 2 clients x 2 kinds x 3 hours (n%2, n%4<2 and n%3 all vary)
    // 100-byte batches of ~60-byte lines: the busier partitions rotated into more than one object.
    expect(files.size).toBeGreaterThan(partitions.size);
  });

  it('rotates by age and gzips, into an S3 bucket', async () => {
    await s3.createBucket('client-events');
    await busway('CreateSink', {
      Name: 's3-age',
      Destination: {
        Type: 'S3',
        Bucket: 'client-events',
        Prefix: 'raw/',
        Endpoint: s3.endpoint,
        ForcePathStyle: true,
      },
      KeyTemplate: 'clientevents/{detail.clientId}/{yyyy}/{MM}/{dd}/{HH}/',
      MaxBatchSeconds: 1,
      Compression: 'GZIP',
    });
    await ruleTo('to-s3-age', 's3-age', { source: ['mobile'] });
    await putClientEvents('mobile', [
      { clientId: 'c1', kind: 'k', n: 1, time: new Date(T) },
      { clientId: 'c2', kind: 'k', n: 2, time: new Date(T) },
    ]);
    // No flush is asked for: the one-second age limit writes the objects.
    const objects = await waitFor(
      () => s3.objects('client-events'),
      (found) => found.size === 2,
      { what: 'objects written by age', timeoutMs: 15_000 },
    );
    const keys = [...objects.keys()].sort();
    expect(keys[0]).toMatch(/^raw\/clientevents\/c1\/2024\/05\/06\/10\/[^/]+\.ndjson\.gz$/);
    expect(keys[1]).toMatch(/^raw\/clientevents\/c2\/2024\/05\/06\/10\/[^/]+\.ndjson\.gz$/);
    const event = JSON.parse(objects.get(keys[0]!)!.trim()) as Record<string, unknown>;
    expect(event).toMatchObject({
      source: 'mobile',
      'detail-type': 'ClientEvent',
      detail: { clientId: 'c1', n: 1 },
    });
  });

  it('answers clear errors for bad settings, and lists and deletes sinks', async () => {
    await expect(
      busway('CreateSink', {
        Name: 'bad',
        Destination: { Type: 'LOCAL', Directory: '../../etc' },
        KeyTemplate: 'x/',
      }),
    ).rejects.toThrow(/outside the sink root/);
    await expect(
      busway('CreateSink', {
        Name: 'bad',
        Destination: { Type: 'LOCAL', Directory: 'd' },
        KeyTemplate: '{detail.a',
      }),
    ).rejects.toThrow(/unclosed/);
    await expect(busway('CreateSink', { Name: 'bad', KeyTemplate: 'x/' })).rejects.toThrow(/destination/);
    await expect(busway('DescribeSink', { Name: 'nope' })).rejects.toThrow('Sink nope does not exist.');
    const listed = await busway('ListSinks', {});
    expect((listed['Sinks'] as Array<{ Name: string }>).map((s) => s.Name)).toEqual(['local-size', 's3-age']);
    await busway('CreateSink', {
      Name: 'gone',
      Destination: { Type: 'LOCAL', Directory: 'gone' },
      KeyTemplate: 'x/',
    });
    await busway('DeleteSink', { Name: 'gone' });
    await expect(busway('DeleteSink', { Name: 'gone' })).rejects.toThrow('Sink gone does not exist.');
  });
});
