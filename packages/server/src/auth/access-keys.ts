/**
 * The server's access keys: the credentials SigV4 requests are verified against (api/sigv4.ts).
 *
 * SigV4 is an HMAC, so the server needs each secret in clear to verify a signature; a one-way hash (as
 * for passwords) cannot work. Secrets are therefore encrypted at rest with AES-256-GCM under a master
 * key that lives outside the database (`<dataDir>/master.key`, mode 0600), so a copy of the database
 * alone (a backup, a shared PostgreSQL) does not reveal them. Each secret has its own random 96-bit IV,
 * and its access key id is bound in as additional authenticated data, so a ciphertext copied onto
 * another key's row fails to decrypt instead of granting that key's rights.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuswayError, ValidationError } from '../errors.js';
import type { AccessKeyRecord, Store } from '../store/store.js';

export const MASTER_KEY_FILE = 'master.key';
const MASTER_KEY_BYTES = 32;
const IV_BYTES = 12;
/** Prefix of the stored ciphertext format, so the scheme can change without guessing. */
const CIPHERTEXT_VERSION = 'v1';

/** Access key ids look like AWS's (`AKIA` + 16 of A-Z2-7), so tools that check the format accept them. */
const ID_PREFIX = 'AKIA';
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ID_RANDOM_LENGTH = 16;
/** AWS secrets are 40 characters of base64; 30 random bytes encode to exactly 40. */
const SECRET_BYTES = 30;

/**
 * Ids and secrets given by operators (BUSWAY_ACCESS_KEY_ID / BUSWAY_SECRET_ACCESS_KEY) may be short
 * local-development values such as `test`, but must survive the SigV4 credential scope, which splits on
 * `/`, and the Authorization header, which splits on `,` and spaces.
 */
const BOOTSTRAP_ID_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;
const BOOTSTRAP_SECRET_PATTERN = /^[\x21-\x7e]{1,128}$/;

export interface CreatedAccessKey {
  accessKeyId: string;
  /** Shown once, at creation; never returned again. */
  secretAccessKey: string;
  description?: string;
  createdAt: number;
}

export interface AccessKeySummary {
  accessKeyId: string;
  description?: string;
  createdAt: number;
}

export interface Keyring {
  /** A new key with a generated id and secret; `description` helps operators tell keys apart. */
  create(description?: string): Promise<CreatedAccessKey>;
  /** Every key, without secrets, oldest first. */
  list(): Promise<AccessKeySummary[]>;
  /** True when the key existed. */
  delete(accessKeyId: string): Promise<boolean>;
  /** The secret in clear, for signature verification; undefined for an unknown key. */
  lookupSecret(accessKeyId: string): Promise<string | undefined>;
  count(): Promise<number>;
  /**
   * Installs the key given by the environment at start. Idempotent: the same id and secret again is
   * `unchanged`; the same id with a different secret replaces the stored one.
   */
  bootstrap(accessKeyId: string, secretAccessKey: string): Promise<'created' | 'unchanged' | 'replaced'>;
  /**
   * Encrypts any other secret the server must keep in clear form (inbound Basic passwords, API keys,
   * HMAC secrets) under the master key, in the access keys' format; `context` (for example
   * `webhook:orders`) is bound in as additional authenticated data, so a ciphertext moved to another
   * resource fails to open.
   */
  sealSecret(context: string, plaintext: string): Promise<string>;
  /** Decrypts what sealSecret returned for the same context; throws AccessKeyDecryptError otherwise. */
  openSecret(context: string, sealed: string): Promise<string>;
}

export interface KeyringOptions {
  /** Where `master.key` lives; undefined for in-memory stores (tests), which get a per-process key. */
  dataDir: string | undefined;
  /** The master key itself (32 bytes), instead of the file. */
  masterKey?: Buffer;
  /** Clock in epoch ms. */
  now?: () => number;
}

/** A stored secret that cannot be decrypted: a different master key, or a damaged row. */
export class AccessKeyDecryptError extends BuswayError {
  constructor(accessKeyId: string, options?: { cause?: unknown }) {
    super(
      'ACCESS_KEY_UNREADABLE',
      `The secret of access key ${accessKeyId} cannot be decrypted with this server's master key ` +
        `(${MASTER_KEY_FILE} changed or the stored value is damaged). Delete the key and create a new one.`,
      options,
    );
  }
}

/** A master key that is not 32 bytes. */
export class MasterKeyError extends BuswayError {
  constructor(message: string) {
    super('MASTER_KEY_INVALID', message);
  }
}

export function createKeyring(store: Store, options: KeyringOptions): Keyring {
  const now = options.now ?? Date.now;
  let masterKey: Promise<Buffer> | undefined;

  function getMasterKey(): Promise<Buffer> {
    // Loaded once, on first use, so that a server with no keys never touches the data directory.
    masterKey ??= loadMasterKey(options).catch((error: unknown) => {
      masterKey = undefined;
      throw error;
    });
    return masterKey;
  }

  async function insert(
    accessKeyId: string,
    secretAccessKey: string,
    description: string | undefined,
  ): Promise<{ outcome: 'created' | 'exists'; createdAt: number }> {
    const createdAt = now();
    const record: AccessKeyRecord = {
      accessKeyId,
      secretCiphertext: encryptSecret(await getMasterKey(), accessKeyId, secretAccessKey),
      createdAt,
      ...(description === undefined ? {} : { description }),
    };
    return { outcome: await store.createAccessKey(record), createdAt };
  }

  async function decrypt(record: AccessKeyRecord): Promise<string> {
    return decryptSecret(await getMasterKey(), record.accessKeyId, record.secretCiphertext);
  }

  const keyring: Keyring = {
    async create(description) {
      if (description !== undefined && description.length > 256) {
        throw new ValidationError('An access key description must be at most 256 characters.');
      }
      // 16 characters of base32 leave 2^80 ids; a collision is retried rather than assumed impossible.
      for (let attempt = 0; attempt < 5; attempt++) {
        const accessKeyId = generateAccessKeyId();
        const secretAccessKey = generateSecret();
        const { outcome, createdAt } = await insert(accessKeyId, secretAccessKey, description);
        if (outcome === 'created') {
          return {
            accessKeyId,
            secretAccessKey,
            createdAt,
            ...(description === undefined ? {} : { description }),
          };
        }
      }
      throw new BuswayError(
        'ACCESS_KEY_ID_COLLISION',
        'Could not generate an unused access key id; try again.',
      );
    },

    async list() {
      const records = await store.listAccessKeys();
      return records
        .map((record) => ({
          accessKeyId: record.accessKeyId,
          createdAt: record.createdAt,
          ...(record.description === undefined ? {} : { description: record.description }),
        }))
        .sort((a, b) => a.createdAt - b.createdAt || (a.accessKeyId < b.accessKeyId ? -1 : 1));
    },

    async delete(accessKeyId) {
      return (await store.deleteAccessKey(accessKeyId)) === 'deleted';
    },

    async lookupSecret(accessKeyId) {
      const record = await store.getAccessKey(accessKeyId);
      return record === undefined ? undefined : decrypt(record);
    },

    async count() {
      return (await store.listAccessKeys()).length;
    },

    async bootstrap(accessKeyId, secretAccessKey) {
      if (!BOOTSTRAP_ID_PATTERN.test(accessKeyId)) {
        throw new ValidationError(
          'BUSWAY_ACCESS_KEY_ID must be 1-128 characters of A-Z, a-z, 0-9, underscore, dot or hyphen.',
        );
      }
      if (!BOOTSTRAP_SECRET_PATTERN.test(secretAccessKey)) {
        throw new ValidationError(
          'BUSWAY_SECRET_ACCESS_KEY must be 1-128 printable ASCII characters without spaces.',
        );
      }
      const description = 'from BUSWAY_ACCESS_KEY_ID';
      const existing = await store.getAccessKey(accessKeyId);
      if (existing !== undefined) {
        let current: string | undefined;
        try {
          current = await decrypt(existing);
        } catch (error) {
          // Unreadable (the master key changed): the operator's value is the one to trust.
          if (!(error instanceof AccessKeyDecryptError)) throw error;
        }
        if (current !== undefined && equalSecrets(current, secretAccessKey)) return 'unchanged';
        // The store has no update for keys; between these two calls the key is briefly unknown, which
        // only matters while the server is starting.
        await store.deleteAccessKey(accessKeyId);
        await insert(accessKeyId, secretAccessKey, description);
        return 'replaced';
      }
      const { outcome } = await insert(accessKeyId, secretAccessKey, description);
      if (outcome === 'created') return 'created';
      // Another node bootstrapped the same id between our read and our insert: compare with theirs.
      return keyring.bootstrap(accessKeyId, secretAccessKey);
    },

    async sealSecret(context, plaintext) {
      return encryptSecret(await getMasterKey(), context, plaintext);
    },

    async openSecret(context, sealed) {
      return decryptSecret(await getMasterKey(), context, sealed);
    },
  };
  return keyring;
}

/** `AKIA` + 16 characters of A-Z2-7 (the alphabet of AWS's key ids). */
export function generateAccessKeyId(): string {
  let id = ID_PREFIX;
  for (let i = 0; i < ID_RANDOM_LENGTH; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

/** 40 characters of base64, like AWS secret access keys. */
export function generateSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64');
}

/** `v1:<iv>:<tag>:<ciphertext>`, each part base64. */
export function encryptSecret(masterKey: Buffer, accessKeyId: string, secret: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
  cipher.setAAD(Buffer.from(accessKeyId, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    CIPHERTEXT_VERSION,
    iv.toString('base64'),
    tag.toString('base64'),
    ciphertext.toString('base64'),
  ].join(':');
}

export function decryptSecret(masterKey: Buffer, accessKeyId: string, stored: string): string {
  const [version, iv, tag, ciphertext, ...rest] = stored.split(':');
  if (
    version !== CIPHERTEXT_VERSION ||
    iv === undefined ||
    tag === undefined ||
    ciphertext === undefined ||
    rest.length > 0
  ) {
    throw new AccessKeyDecryptError(accessKeyId);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKey, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(accessKeyId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  } catch (error) {
    throw new AccessKeyDecryptError(accessKeyId, { cause: error });
  }
}

async function loadMasterKey(options: KeyringOptions): Promise<Buffer> {
  if (options.masterKey !== undefined) return checkMasterKey(options.masterKey, 'the given master key');
  // No data directory (an in-memory store): secrets live no longer than the process, so neither need
  // the key.
  if (options.dataDir === undefined) return randomBytes(MASTER_KEY_BYTES);

  const path = join(options.dataDir, MASTER_KEY_FILE);
  try {
    return checkMasterKey(await readFile(path), path);
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
  await mkdir(options.dataDir, { recursive: true });
  const key = randomBytes(MASTER_KEY_BYTES);
  try {
    // `wx`: when two processes start on the same directory, one creates the key and the other reads it.
    await writeFile(path, key, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) throw error;
    return checkMasterKey(await readFile(path), path);
  }
}

function checkMasterKey(key: Buffer, where: string): Buffer {
  if (key.length !== MASTER_KEY_BYTES) {
    throw new MasterKeyError(
      `${where} must hold exactly ${MASTER_KEY_BYTES} bytes (AES-256), found ${key.length}. ` +
        'Restore the original file; with a new key, stored access keys cannot be read and must be recreated.',
    );
  }
  return key;
}

function equalSecrets(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
