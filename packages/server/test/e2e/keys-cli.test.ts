/**
 * `busway keys create|list|delete` in their own processes, next to a running `busway serve` on the
 * same data dir: once a key exists the server verifies signatures (ARCHITECTURE.md, Credentials), the
 * key the CLI printed works with the real SDK, and deleting the last key opens the server again.
 * The server re-reads whether any key exists at most once a second (app.ts), so the test polls for
 * that change; nothing else here waits on time.
 */
import { ListEventBusesCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, describe, expect, it } from 'vitest';
import { expectAwsError } from '../support/aws-errors.js';
import { ensureStopped, runCli, spawnServe, type ServeProcess } from '../support/cli-process.js';
import { expectRawError, rawRequest } from '../support/raw-request.js';
import { createEventBridgeClient, createTempDir, removeDir } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

const dataDir = createTempDir('busway-keys-');
let proc: ServeProcess | undefined;

afterAll(async () => {
  await ensureStopped(proc);
  removeDir(dataDir);
});

describe('busway keys', () => {
  it(
    'creates, lists and deletes access keys that a running server honours',
    { timeout: 30_000 },
    async () => {
      const server = await spawnServe(dataDir);
      proc = server;
      expect((await rawRequest(server.url)).status).toBe(200);

      const created = await runCli(['keys', 'create', '--data-dir', dataDir, '--description', 'e2e key']);
      expect(created.code, created.stderr).toBe(0);
      const match = /^AccessKeyId:\s+(\S+)\nSecretAccessKey:\s+(\S+)\n/.exec(created.stdout);
      expect(match, created.stdout).not.toBeNull();
      const [, accessKeyId, secretAccessKey] = match as unknown as [string, string, string];
      expect(accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
      expect(secretAccessKey).toHaveLength(40);

      // The running server now wants signatures, and accepts the new key.
      const unsigned = await waitFor(
        () => rawRequest(server.url),
        (response) => response.status !== 200,
        { what: 'the running server to require signatures' },
      );
      expectRawError(unsigned, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
      const client = createEventBridgeClient(server.url, { credentials: { accessKeyId, secretAccessKey } });
      const wrong = createEventBridgeClient(server.url, {
        credentials: { accessKeyId, secretAccessKey: 'wrong' },
      });
      try {
        const out = await client.send(new ListEventBusesCommand({}));
        expect(out.EventBuses!.map((b) => b.Name)).toContain('default');
        await expectAwsError(wrong.send(new ListEventBusesCommand({})), 'InvalidSignatureException');
      } finally {
        client.destroy();
        wrong.destroy();
      }

      const listed = await runCli(['keys', 'list', '--data-dir', dataDir]);
      expect(listed.code, listed.stderr).toBe(0);
      const lines = listed.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      // Soft: a wrong description should not hide what the rest of the scenario finds.
      expect
        .soft(lines[0]!.split('\t'))
        .toEqual([accessKeyId, expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/), 'e2e key']);
      expect(listed.stdout).not.toContain(secretAccessKey);

      const unknown = await runCli(['keys', 'delete', 'AKIANOSUCHKEY', '--data-dir', dataDir]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('busway: no access key AKIANOSUCHKEY\n');

      const deleted = await runCli(['keys', 'delete', accessKeyId, '--data-dir', dataDir]);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(deleted.stdout).toBe(`deleted ${accessKeyId}\n`);

      // No key left: loopback is open again.
      await waitFor(
        () => rawRequest(server.url),
        (response) => response.status === 200,
        { what: 'the running server to accept unsigned requests again' },
      );
      expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    },
  );
});
