/**
 * Where a storage sink's finished objects go: a local folder (written to a temporary name, fsynced, then
 * renamed, so a reader never sees half an object) or an S3-compatible bucket (one PutObject each). Both
 * are idempotent per key: writing the same key again replaces the object, which makes re-flushing a
 * spool recovered after a crash safe.
 */
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

export interface SinkDestination {
  put(key: string, body: Buffer): Promise<void>;
  close(): void;
}

export function createLocalDestination(directory: string): SinkDestination {
  return {
    async put(key, body) {
      const path = join(directory, key);
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.partial`;
      const file = await open(temporary, 'w');
      try {
        await file.writeFile(body);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, path);
    },
    close() {},
  };
}

export interface S3DestinationSettings {
  bucket: string;
  prefix?: string;
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
}

/**
 * Credentials come from the AWS SDK's default chain (AWS_ACCESS_KEY_ID and co., profiles, instance
 * roles): the sink settings hold no secret.
 */
export function createS3Destination(settings: S3DestinationSettings, defaultRegion: string): SinkDestination {
  const client = new S3Client({
    region: settings.region ?? defaultRegion,
    ...(settings.endpoint !== undefined && { endpoint: settings.endpoint }),
    ...(settings.forcePathStyle !== undefined && { forcePathStyle: settings.forcePathStyle }),
  });
  return {
    async put(key, body) {
      await client.send(
        new PutObjectCommand({
          Bucket: settings.bucket,
          Key: `${settings.prefix ?? ''}${key}`,
          Body: body,
          ContentType: key.endsWith('.gz') ? 'application/gzip' : 'application/x-ndjson',
        }),
      );
    },
    close() {
      client.destroy();
    },
  };
}
