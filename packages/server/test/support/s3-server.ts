/**
 * An S3-compatible server in this process for storage-sink tests: s3rver (a dev dependency) on
 * 127.0.0.1, port 0, storing under a temp folder, with a client that reads objects back.
 */
import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { createTempDir, removeDir } from './server.js';

/** s3rver's fixed credentials; the sink's SDK client takes them from the environment. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface TestS3 {
  readonly endpoint: string;
  readonly client: S3Client;
  createBucket(name: string): Promise<void>;
  /** Every object of a bucket: key -> text (gunzipped when the key ends with .gz). */
  objects(bucket: string): Promise<Map<string, string>>;
  close(): Promise<void>;
}

export async function startTestS3(): Promise<TestS3> {
  const dir = createTempDir('busway-s3-');
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
  });
  return {
    endpoint,
    client,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async objects(bucket) {
      const out = new Map<string, string>();
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      for (const { Key } of listed.Contents ?? []) {
        const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: Key! }));
        const bytes = Buffer.from(await got.Body!.transformToByteArray());
        out.set(Key!, (Key!.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8'));
      }
      return out;
    },
    async close() {
      client.destroy();
      await server.close();
      removeDir(dir);
    },
  };
}
