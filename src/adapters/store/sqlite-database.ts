import { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS } from './sqlite-migrations.js';
import { keepDatabasePrivate, type PermissionLog } from './sqlite-permissions.js';

/**
 * Opens Signpost's SQLite file the one way every connection to it must:
 * WAL, synchronous=FULL (an acknowledged write survives a crash), foreign
 * keys, a busy timeout for the other process (server and CLI share the
 * file), and pending migrations applied inside one IMMEDIATE transaction —
 * the version is read inside it, so two processes starting together apply
 * each migration once; a database from a newer Signpost is refused
 * (NewerSchemaError). The directory and files are private to the owner
 * (sqlite-permissions.ts).
 *
 * Node's built-in `node:sqlite` (SQLite compiled into Node): no native addon
 * to build at install time.
 */
export function openSqliteDatabase(path: string, log?: PermissionLog): DatabaseSync {
  if (path !== ':memory:') keepDatabasePrivate(path, log);
  const db = new DatabaseSync(path, { timeout: 5000 });
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA foreign_keys = ON');
  try {
    immediateTransaction(db, () => {
      const current = pragmaNumber(db, 'user_version');
      // A newer Signpost's tables mean something this build does not know: writing them could lose it.
      if (current > MIGRATIONS.length) throw new NewerSchemaError(path, current);
      for (let i = current; i < MIGRATIONS.length; i++) db.exec(MIGRATIONS[i] ?? '');
      if (current < MIGRATIONS.length) db.exec(`PRAGMA user_version = ${MIGRATIONS.length}`);
    });
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** The database was migrated by a newer Signpost than this one. */
export class NewerSchemaError extends Error {
  constructor(path: string, readonly version: number) {
    super(`${path} has schema version ${version}, newer than this Signpost's ${MIGRATIONS.length}: run the version that wrote it, or restore a backup taken before the upgrade`);
  }
}

/**
 * Runs `work` in a `BEGIN IMMEDIATE` transaction (the write lock is taken
 * before anything is read, so a check-then-write cannot race another
 * process); commits when it returns, rolls back when it throws.
 */
export function immediateTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  let result: T;
  try {
    result = work();
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
  db.exec('COMMIT');
  return result;
}

/** The value of a numeric pragma (`user_version`, `data_version`). */
export function pragmaNumber(db: DatabaseSync, name: 'user_version' | 'data_version'): number {
  const row = db.prepare(`PRAGMA ${name}`).get() as Record<string, number> | undefined;
  return row?.[name] ?? 0;
}

/** A UNIQUE/PRIMARY KEY/FOREIGN KEY/CHECK violation (SQLITE_CONSTRAINT and its extended codes). */
export function isConstraintError(error: unknown): boolean {
  const SQLITE_CONSTRAINT = 19;
  return error instanceof Error && 'errcode' in error && typeof error.errcode === 'number' && (error.errcode & 0xff) === SQLITE_CONSTRAINT;
}
