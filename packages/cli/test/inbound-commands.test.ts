/**
 * `busway webhooks ...` and `busway ingest ...`: the real CLI in a child process against a real server
 * on 127.0.0.1 that has an access key, so every call the CLI makes is SigV4-verified.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, startServer, type Started } from '@busway/server';

const BIN = new URL('../src/bin.ts', import.meta.url).pathname;
const KEY = { id: 'AKIDCLIINBOUNDTEST', secret: 'cli-inbound-secret' };
let dataDir: string;
let started: Started;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'busway-cli-inbound-'));
  started = await startServer(
    loadConfig({
      env: {},
      overrides: {
        port: 0,
        host: '127.0.0.1',
        dataDir,
        logLevel: 'silent',
        accessKeyId: KEY.id,
        secretAccessKey: KEY.secret,
      },
    }),
  );
});
afterAll(async () => {
  await started?.app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs the CLI without blocking this process (the server answering it lives here). */
function busway(
  args: string[],
  credentials = KEY,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('BUSWAY_')) env[key] = value;
  env['BUSWAY_ACCESS_KEY_ID'] = credentials.id;
  env['BUSWAY_SECRET_ACCESS_KEY'] = credentials.secret;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', BIN, ...args, '--endpoint-url', started.url],
      { env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('busway webhooks', () => {
  it('creates a webhook and shows its URL, lists, describes, and deletes it; the URL takes requests', async () => {
    const created = await busway([
      'webhooks',
      'create',
      '--id',
      'from-cli',
      '--source',
      'cli.test',
      '--auth',
      'basic',
      '--username',
      'ci',
      '--password',
      'pw-from-cli',
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`URL:     ${started.url}/webhooks/from-cli`);
    expect(created.stdout).toContain('Auth:    BASIC');

    const call = await fetch(`${started.url}/webhooks/from-cli`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('ci:pw-from-cli').toString('base64')}` },
      body: '{"hello":"cli"}',
    });
    expect(call.status).toBe(202);
    const { eventId } = (await call.json()) as { eventId: string };
    expect(JSON.parse((await started.app.store.getEvent(eventId))?.envelope ?? '{}')).toMatchObject({
      source: 'cli.test',
      detail: { hello: 'cli' },
    });

    const listed = await busway(['webhooks', 'list']);
    expect(listed.stdout).toBe(`from-cli\tdefault\tBASIC\t${started.url}/webhooks/from-cli\n`);
    const described = await busway(['webhooks', 'describe', 'from-cli']);
    expect(JSON.parse(described.stdout)).toMatchObject({
      Id: 'from-cli',
      Url: `${started.url}/webhooks/from-cli`,
      Authentication: { Type: 'BASIC', Username: 'ci', SecretCount: 1 },
      Stats: { Published: 1 },
    });
    expect(described.stdout).not.toContain('pw-from-cli');
    expect(await busway(['webhooks', 'delete', 'from-cli'])).toMatchObject({
      code: 0,
      stdout: 'deleted from-cli\n',
    });
    const again = await busway(['webhooks', 'delete', 'from-cli']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('ResourceNotFoundException');
  }, 60_000);

  it('prints a generated Standard Webhooks secret once, and takes other members with --definition', async () => {
    const created = await busway([
      'webhooks',
      'create',
      '--id',
      'std-cli',
      '--auth',
      'standard-webhooks',
      '--definition',
      '{"Methods":["PUT"],"DetailType":"Hook"}',
    ]);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Secret: {2}whsec_\S+\n/);
    const described = JSON.parse((await busway(['webhooks', 'describe', 'std-cli'])).stdout) as Record<
      string,
      unknown
    >;
    expect(described).toMatchObject({ Methods: ['PUT'], DetailType: 'Hook' });
  }, 60_000);

  it('reports the server refusing a wrongly signed call', async () => {
    const refused = await busway(['webhooks', 'list'], { id: KEY.id, secret: 'wrong' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('InvalidSignatureException');
  }, 60_000);
});

describe('busway ingest', () => {
  it('creates an ingestion endpoint with claims and constants, lists, describes and deletes it', async () => {
    const created = await busway([
      'ingest',
      'create',
      'mobile',
      '--jwks-url',
      'http://127.0.0.1:9/jwks.json',
      '--issuer',
      'https://issuer/',
      '--audience',
      'app',
      '--claim',
      'custom:clientId=clientId',
      '--constant',
      'environment=prod',
      '--constant',
      'version=3',
    ]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain(`URL:     ${started.url}/ingest/mobile`);
    const described = JSON.parse((await busway(['ingest', 'describe', 'mobile'])).stdout) as Record<
      string,
      unknown
    >;
    expect(described).toMatchObject({
      Name: 'mobile',
      Claims: { 'custom:clientId': 'clientId' },
      Constants: { environment: 'prod', version: 3 },
      Authentication: { Type: 'JWT', Issuer: 'https://issuer/', Audience: ['app'] },
    });
    expect((await busway(['ingest', 'list'])).stdout).toBe(
      `mobile\tdefault\tJWT\t${started.url}/ingest/mobile\n`,
    );
    expect((await busway(['ingest', 'delete', 'mobile'])).code).toBe(0);
    const usage = await busway(['ingest', 'create']);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain('ingest create needs a NAME');
  }, 60_000);
});
