import { BuswayError } from '../errors.js';

export { toError } from '../errors.js';

/**
 * Errors a store throws. Expected outcomes (`exists`, `not-found`, `lease-lost`) are returned values,
 * never these; these are bad input (a token that no store issued), a database this build cannot use,
 * or a store used after close. Each has a stable `code` that is never reused.
 */
export class StoreError extends BuswayError {}

/** A `nextToken` that no list call of this store returned (the API answers ValidationException). */
export class InvalidNextTokenError extends StoreError {
  constructor(options?: { cause?: unknown }) {
    super(
      'STORE_INVALID_NEXT_TOKEN',
      'The nextToken is not valid: pass a token from a previous page.',
      options,
    );
  }
}

/** The database was migrated by a newer Busway than this one; it is left untouched. */
export class SchemaTooNewError extends StoreError {
  readonly databaseVersion: number;
  readonly supportedVersion: number;

  /** `elsewhere`: how to use another database instead (the SQLite store's is the default). */
  constructor(
    location: string,
    databaseVersion: number,
    supportedVersion: number,
    elsewhere = 'point --data-dir at another directory',
  ) {
    super(
      'STORE_SCHEMA_TOO_NEW',
      `The database ${location} has schema version ${databaseVersion}, but this Busway only knows versions up ` +
        `to ${supportedVersion}: it was written by a newer Busway. Upgrade Busway to open it (or ` +
        `${elsewhere}); it was left untouched.`,
    );
    this.databaseVersion = databaseVersion;
    this.supportedVersion = supportedVersion;
  }
}

/** The migration files shipped with this build are inconsistent (a gap, a rename, an unreadable folder). */
export class MigrationError extends StoreError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_MIGRATIONS_INVALID', message, options);
  }
}

/** A call on a store after `close()`. */
export class StoreClosedError extends StoreError {
  constructor() {
    super('STORE_CLOSED', 'The store is closed: open a new one.');
  }
}
