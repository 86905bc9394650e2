import type pg from 'pg';

import { MigrationError, SchemaTooNewError } from '../errors.js';
import { readMigrations, type Migration } from '../sqlite/migrate.js';
import { advisoryLockKey, quoteIdentifier } from './sql-files.js';

/** The folder holding the PostgreSQL migrations, next to this module in src/ and (copied) in dist/. */
export const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

export function readPostgresMigrations(): Migration[] {
  return readMigrations(MIGRATIONS_DIR, 'PostgreSQL');
}

/** The ledger: one row per applied migration, in the store's schema. Created by the runner. */
const LEDGER_DDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer NOT NULL PRIMARY KEY,
  name text NOT NULL,
  applied_at bigint NOT NULL
)`;

/**
 * Brings `schema` to the newest migration: every pending one in a single transaction with its ledger
 * row, after taking a transaction-scoped advisory lock keyed by the schema. Nodes starting together
 * queue on that lock; the first applies the migrations, the others then find nothing to do (READ
 * COMMITTED: their ledger read comes after the lock, so it sees the first node's commit). The schema
 * itself is created under the lock too (CREATE SCHEMA IF NOT EXISTS still races on the catalog's unique
 * index). PostgreSQL DDL is transactional, so a failing migration leaves nothing half applied.
 * Refuses, unchanged, a schema whose ledger knows a version newer than `migrations`.
 * `client` must have `search_path` set to `schema` (the store's connections do).
 */
export async function migrate(
  client: pg.ClientBase,
  schema: string,
  migrations: readonly Migration[],
  location: string,
  now: number = Date.now(),
): Promise<{ from: number; to: number }> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [
      advisoryLockKey('busway:migrate', schema),
    ]);
    // Checked before creating: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on the database
    // even when the schema exists, and an operator may have created it for a less privileged role.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
    await client.query(LEDGER_DDL);
    const applied = (
      await client.query<{ version: number; name: string }>(
        'SELECT version, name FROM schema_migrations ORDER BY version',
      )
    ).rows;
    const known = migrations.length;
    const current = applied.at(-1)?.version ?? 0;
    if (current > known) {
      throw new SchemaTooNewError(location, current, known, 'point --database-url at another database');
    }
    applied.forEach((row, index) => {
      if (row.version !== index + 1) {
        throw new MigrationError(`The migration ledger of ${location} lacks version ${index + 1}.`);
      }
      const expected = migrations[row.version - 1];
      // Migrations are append-only: a ledger name that differs means a file was renamed or replaced.
      if (expected?.name !== row.name) {
        throw new MigrationError(
          `The database ${location} records migration ${row.version} as "${row.name}", but this build ` +
            `calls it "${expected?.name ?? '(none)'}": migrations are append-only, never renamed or replaced.`,
        );
      }
    });
    for (const migration of migrations.slice(current)) {
      // No parameters: the simple query protocol, which runs a file of several statements.
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        now,
      ]);
    }
    await client.query('COMMIT');
    return { from: current, to: Math.max(current, known) };
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
