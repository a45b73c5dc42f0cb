/**
 * Copies of Signpost's SQLite file: an online backup that is safe while the
 * server serves and writes, and a restore that checks a backup and puts it
 * in place of the database in one rename.
 */
import { backup, DatabaseSync } from 'node:sqlite';
import { chmodSync, closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './sqlite-migrations.js';
import { openSqliteDatabase, pragmaNumber } from './sqlite-database.js';

/** Why a backup cannot be taken or restored, or a database cannot be replaced now. */
export class RestoreRefused extends Error {}

/** Pages per backup step: all of them in one, since a step-wise copy starts over whenever the server commits in between. */
const ALL_PAGES = 0x7fffffff;

/**
 * Writes a consistent copy of the database at `source` to `target`, 0600
 * (it holds password hashes and sealed secrets). SQLite's backup API copies
 * every page in one step inside one read transaction: in WAL mode that is a
 * snapshot of the last commit, and the server's writers are never blocked.
 * The copy is written next to `target` and renamed, so `target` is never
 * half a database.
 */
export async function backupDatabase(source: string, target: string): Promise<void> {
  if (!existsSync(dirname(target))) throw new RestoreRefused(`no directory ${dirname(target)} for the backup: create it first`);
  const partial = `${target}.partial-${process.pid}`;
  closeSync(openSync(partial, 'wx', 0o600)); // created private before SQLite writes a byte; umask can only remove bits
  const db = new DatabaseSync(source, { readOnly: true, timeout: 5000 });
  try {
    await backup(db, partial, { rate: ALL_PAGES });
    settle(partial);
    renameSync(partial, target);
  } catch (error) {
    for (const file of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`]) rmSync(file, { force: true });
    throw error;
  } finally {
    db.close();
  }
  fsyncDirectory(dirname(target));
}

/**
 * Puts the backup at `backupFile` in place of the database at `target`
 * (see `replaceDatabase`), refusing a backup that fails SQLite's integrity
 * check, is no Signpost database, or comes from a newer Signpost (a schema
 * version this build does not know). It is migrated forward before it
 * takes the database's place.
 */
export async function restoreDatabase(backupFile: string, target: string): Promise<{ fromVersion: number; toVersion: number; tsigKeys: number }> {
  if (!existsSync(backupFile)) throw new RestoreRefused(`no backup at ${backupFile}`);
  let fromVersion = 0;
  let tsigKeys = 0;
  await replaceDatabase(target, async (staged) => {
    copyFileSync(backupFile, staged);
    fromVersion = checkBackup(staged);
    const db = openSqliteDatabase(staged); // applies the migrations this build has and the backup lacks
    try {
      tsigKeys = (db.prepare('SELECT count(*) AS n FROM tsig_keys').get() as { n: number }).n;
    } finally {
      db.close();
    }
  });
  return { fromVersion, toVersion: MIGRATIONS.length, tsigKeys };
}

/**
 * Replaces the database at `target` with one `build` writes at the path it
 * is given (next to `target`, created 0600): refused while any other
 * process has `target` open (a running server, another command). The new
 * file is settled (its WAL folded in, flushed) and renamed over `target`,
 * so the data directory holds either the old database or the new one.
 */
export async function replaceDatabase(target: string, build: (staged: string) => Promise<void>): Promise<void> {
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  const release = existsSync(target) ? holdUnused(target) : () => undefined;
  const staged = `${target}.replace-${process.pid}`;
  try {
    closeSync(openSync(staged, 'w', 0o600)); // private before any byte lands in it
    await build(staged);
    chmodSync(staged, 0o600); // a copy takes its source's mode
    settle(staged);
    renameSync(staged, target);
    fsyncDirectory(dirname(target));
  } finally {
    for (const file of [staged, `${staged}-wal`, `${staged}-shm`, `${staged}-journal`]) rmSync(file, { force: true });
    release();
  }
}

/** The backup's schema version, after checking it is an intact Signpost database this build can open. */
function checkBackup(path: string): number {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { timeout: 5000 });
  } catch (error) {
    throw new RestoreRefused(`the backup cannot be opened: ${message(error)}`);
  }
  try {
    const check = (() => {
      try {
        return db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
      } catch (error) {
        throw new RestoreRefused(`the backup is not a SQLite database: ${message(error)}`);
      }
    })();
    const problems = check.map((row) => row.integrity_check).filter((line) => line !== 'ok');
    if (problems.length > 0) throw new RestoreRefused(`the backup fails its integrity check: ${problems.slice(0, 5).join('; ')}`);
    const version = pragmaNumber(db, 'user_version');
    if (version > MIGRATIONS.length) {
      throw new RestoreRefused(`the backup has schema version ${version}, newer than this Signpost's ${MIGRATIONS.length}: restore it with the version that wrote it`);
    }
    if (version === 0 || !db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'users'`).get()) {
      throw new RestoreRefused('the backup is not a Signpost database');
    }
    return version;
  } finally {
    db.close();
  }
}

/**
 * Proves no other process has the database open and keeps it so until the
 * returned function is called. Leaving WAL mode needs the only connection
 * to the file (every open connection holds a shared lock on the WAL index),
 * so it fails at once while a server, or any command, has it open. The
 * switch also folds the WAL into the file and removes it, so no stale
 * `-wal` can be paired with the restored file.
 */
function holdUnused(path: string): () => void {
  const db = new DatabaseSync(path, { timeout: 0 });
  try {
    const mode = db.prepare('PRAGMA journal_mode = DELETE').get() as { journal_mode?: string } | undefined;
    if (mode?.journal_mode !== 'delete') throw new Error(`journal mode stayed ${mode?.journal_mode}`);
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    throw new RestoreRefused(`the database is in use (${message(error)}): stop \`signpost serve\` and any other signpost command first`);
  }
  return () => {
    if (db.isTransaction) db.exec('ROLLBACK');
    db.close();
  };
}

/** Folds a copy's WAL into its file and leaves it as one self-contained file (journal_mode DELETE), flushed to disk. */
function settle(path: string): void {
  const db = new DatabaseSync(path, { timeout: 5000 });
  try {
    db.exec('PRAGMA journal_mode = DELETE');
  } finally {
    db.close();
  }
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a rename in `dir` durable. */
function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
