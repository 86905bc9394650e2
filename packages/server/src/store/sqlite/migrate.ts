import { readdirSync, readFileSync } from 'node:fs';

import type { Database } from 'better-sqlite3';

import { MigrationError, SchemaTooNewError } from '../errors.js';

/** One numbered schema change, from `migrations/NNNN_name.sql`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The folder holding this dialect's migrations, next to this module in src/ and (copied) in dist/. */
export const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

/** The ledger: one row per applied migration. Created by the runner, not by a migration. */
const LEDGER_DDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL
) STRICT`;

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/**
 * Reads and checks the migration files: numbered 0001, 0002, ... with no gap or duplicate. Shared by
 * the PostgreSQL store, which passes its own folder and name.
 */
export function readMigrations(dir: URL = MIGRATIONS_DIR, dialect = 'SQLite'): Migration[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.sql'));
  } catch (error) {
    throw new MigrationError(
      `Cannot read the ${dialect} migrations in ${dir.pathname}: a build must copy src/**/*.sql to dist/ ` +
        `(scripts/copy-assets.mjs).`,
      { cause: error },
    );
  }
  const migrations = files
    .map((file) => {
      const match = FILE_NAME.exec(file);
      if (match === null) {
        throw new MigrationError(`Migration file ${file} is not named NNNN_snake_case.sql.`);
      }
      return {
        version: Number(match[1]),
        name: match[2] ?? '',
        sql: readFileSync(new URL(file, dir), 'utf8'),
      };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new MigrationError(
        `Migrations must be numbered 0001, 0002, ... without gaps or duplicates; found ` +
          `${String(migration.version).padStart(4, '0')}_${migration.name}.sql at position ${index + 1}.`,
      );
    }
  });
  if (migrations.length === 0) throw new MigrationError(`No migration in ${dir.pathname}.`);
  return migrations;
}

/**
 * Brings the database to the newest migration: every pending one in a single IMMEDIATE transaction (a
 * second process opening the same file waits on the write lock and then finds nothing to do), each with
 * its ledger row. Refuses, unchanged, a database whose ledger knows a version newer than `migrations`.
 * Returns the versions before and after.
 */
export function migrate(
  db: Database,
  migrations: readonly Migration[],
  location: string,
  now: number = Date.now(),
): { from: number; to: number } {
  const run = db.transaction(() => {
    db.exec(LEDGER_DDL);
    const applied = db
      .prepare('SELECT version, name FROM schema_migrations ORDER BY version')
      .all() as Array<{
      version: number;
      name: string;
    }>;
    const known = migrations.length;
    const current = applied.at(-1)?.version ?? 0;
    if (current > known) throw new SchemaTooNewError(location, current, known);
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
    const insert = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const migration of migrations.slice(current)) {
      db.exec(migration.sql);
      insert.run(migration.version, migration.name, now);
    }
    return { from: current, to: Math.max(current, known) };
  });
  return run.immediate();
}
