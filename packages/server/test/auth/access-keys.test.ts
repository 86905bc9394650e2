import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AccessKeyDecryptError,
  SealedSecretError,
  createKeyring,
  MASTER_KEY_FILE,
  MasterKeyError,
} from '../../src/auth/access-keys.js';
import { ValidationError } from '../../src/errors.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

const stores: Store[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function memoryStore(): Store {
  const store = createSqliteStore({ path: ':memory:' });
  stores.push(store);
  return store;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'busway-keys-'));
  dirs.push(dir);
  return dir;
}

describe('keyring', () => {
  it('creates AWS-shaped keys and returns the secret once', async () => {
    const keyring = createKeyring(memoryStore(), { dataDir: undefined, now: () => 1_000 });
    const created = await keyring.create('ci');
    expect(created.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(created.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(created).toMatchObject({ description: 'ci', createdAt: 1_000 });
    expect(await keyring.lookupSecret(created.accessKeyId)).toBe(created.secretAccessKey);
    expect(await keyring.list()).toEqual([
      { accessKeyId: created.accessKeyId, description: 'ci', createdAt: 1_000 },
    ]);
    expect(await keyring.count()).toBe(1);
  });

  it('creates distinct keys', async () => {
    const keyring = createKeyring(memoryStore(), { dataDir: undefined });
    const a = await keyring.create();
    const b = await keyring.create();
    expect(a.accessKeyId).not.toBe(b.accessKeyId);
    expect(a.secretAccessKey).not.toBe(b.secretAccessKey);
    expect(await keyring.count()).toBe(2);
  });

  it('stores secrets encrypted, with a fresh IV each time', async () => {
    const store = memoryStore();
    const keyring = createKeyring(store, { dataDir: undefined });
    await keyring.bootstrap('KEYONE', 'same-secret-value');
    await keyring.bootstrap('KEYTWO', 'same-secret-value');
    const [one, two] = await Promise.all([store.getAccessKey('KEYONE'), store.getAccessKey('KEYTWO')]);
    expect(one?.secretCiphertext).not.toContain('same-secret-value');
    expect(one?.secretCiphertext).toMatch(/^v1:/);
    expect(one?.secretCiphertext.split(':')[1]).not.toBe(two?.secretCiphertext.split(':')[1]);
  });

  it('binds a ciphertext to its key id', async () => {
    const store = memoryStore();
    const keyring = createKeyring(store, { dataDir: undefined, masterKey: randomBytes(32) });
    await keyring.bootstrap('VICTIM', 'victim-secret');
    const victim = await store.getAccessKey('VICTIM');
    await store.createAccessKey({
      accessKeyId: 'ATTACKER',
      secretCiphertext: victim?.secretCiphertext ?? '',
      createdAt: 1,
    });
    await expect(keyring.lookupSecret('ATTACKER')).rejects.toBeInstanceOf(AccessKeyDecryptError);
  });

  it('deletes keys', async () => {
    const keyring = createKeyring(memoryStore(), { dataDir: undefined });
    const created = await keyring.create();
    expect(await keyring.delete(created.accessKeyId)).toBe(true);
    expect(await keyring.lookupSecret(created.accessKeyId)).toBeUndefined();
    expect(await keyring.delete(created.accessKeyId)).toBe(false);
    expect(await keyring.count()).toBe(0);
  });

  it('returns undefined for an unknown key', async () => {
    const keyring = createKeyring(memoryStore(), { dataDir: undefined });
    expect(await keyring.lookupSecret('AKIANOSUCHKEY0000000')).toBeUndefined();
  });

  describe('bootstrap from the environment', () => {
    it('is idempotent for the same id and secret, and replaces a changed secret', async () => {
      const keyring = createKeyring(memoryStore(), { dataDir: undefined });
      expect(await keyring.bootstrap('test', 'test')).toBe('created');
      expect(await keyring.bootstrap('test', 'test')).toBe('unchanged');
      expect(await keyring.lookupSecret('test')).toBe('test');
      expect(await keyring.bootstrap('test', 'rotated-secret')).toBe('replaced');
      expect(await keyring.lookupSecret('test')).toBe('rotated-secret');
      expect(await keyring.count()).toBe(1);
      expect((await keyring.list())[0]).toMatchObject({
        accessKeyId: 'test',
        description: 'from BUSWAY_ACCESS_KEY_ID',
      });
    });

    it('refuses ids and secrets that cannot travel in a SigV4 Authorization header', async () => {
      const keyring = createKeyring(memoryStore(), { dataDir: undefined });
      await expect(keyring.bootstrap('a/b', 'secret')).rejects.toBeInstanceOf(ValidationError);
      await expect(keyring.bootstrap('', 'secret')).rejects.toBeInstanceOf(ValidationError);
      await expect(keyring.bootstrap('ok', 'has space')).rejects.toBeInstanceOf(ValidationError);
      await expect(keyring.bootstrap('ok', '')).rejects.toBeInstanceOf(ValidationError);
      expect(await keyring.count()).toBe(0);
    });

    it('replaces a key whose secret the current master key cannot read', async () => {
      const store = memoryStore();
      await createKeyring(store, { dataDir: undefined, masterKey: randomBytes(32) }).bootstrap('test', 'old');
      const keyring = createKeyring(store, { dataDir: undefined, masterKey: randomBytes(32) });
      expect(await keyring.bootstrap('test', 'old')).toBe('replaced');
      expect(await keyring.lookupSecret('test')).toBe('old');
    });
  });

  describe('master key', () => {
    it('is created in the data dir on first use with mode 0600 and reused by later keyrings', async () => {
      const dir = join(tempDir(), 'nested');
      const store = memoryStore();
      const first = createKeyring(store, { dataDir: dir });
      const created = await first.create();
      const path = join(dir, MASTER_KEY_FILE);
      expect(readFileSync(path)).toHaveLength(32);
      if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);

      const second = createKeyring(store, { dataDir: dir });
      expect(await second.lookupSecret(created.accessKeyId)).toBe(created.secretAccessKey);
    });

    it('is not touched while no key is used', async () => {
      const dir = tempDir();
      const keyring = createKeyring(memoryStore(), { dataDir: dir });
      expect(await keyring.count()).toBe(0);
      expect(() => statSync(join(dir, MASTER_KEY_FILE))).toThrow();
    });

    it('makes secrets unreadable when replaced, with an error saying what to do', async () => {
      const dir = tempDir();
      const store = memoryStore();
      const created = await createKeyring(store, { dataDir: dir }).create();
      writeFileSync(join(dir, MASTER_KEY_FILE), randomBytes(32));
      const error = await createKeyring(store, { dataDir: dir })
        .lookupSecret(created.accessKeyId)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(AccessKeyDecryptError);
      expect((error as Error).message).toMatch(/Delete the key and create a new one\.$/);
    });

    it('refuses a master key that is not 32 bytes', async () => {
      const dir = tempDir();
      writeFileSync(join(dir, MASTER_KEY_FILE), 'short');
      await expect(createKeyring(memoryStore(), { dataDir: dir }).create()).rejects.toBeInstanceOf(
        MasterKeyError,
      );
      await expect(
        createKeyring(memoryStore(), { dataDir: undefined, masterKey: Buffer.alloc(16) }).create(),
      ).rejects.toBeInstanceOf(MasterKeyError);
    });

    it('can be given directly', async () => {
      const masterKey = randomBytes(32);
      const store = memoryStore();
      const created = await createKeyring(store, { dataDir: undefined, masterKey }).create();
      expect(
        await createKeyring(store, { dataDir: undefined, masterKey }).lookupSecret(created.accessKeyId),
      ).toBe(created.secretAccessKey);
    });
  });
});

describe('keyring sealSecret/openSecret', () => {
  it('round-trips a secret under its context and refuses it under another context or master key', async () => {
    const dir = tempDir();
    const keyring = createKeyring(memoryStore(), { dataDir: dir });
    const sealed = await keyring.sealSecret('webhook:orders', 'hunter2');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('hunter2');
    expect(await keyring.openSecret('webhook:orders', sealed)).toBe('hunter2');
    await expect(keyring.openSecret('webhook:other', sealed)).rejects.toBeInstanceOf(SealedSecretError);
    const stranger = createKeyring(memoryStore(), { dataDir: undefined, masterKey: randomBytes(32) });
    await expect(stranger.openSecret('webhook:orders', sealed)).rejects.toBeInstanceOf(SealedSecretError);
  });
});
