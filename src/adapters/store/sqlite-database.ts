import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './sqlite-migrations.js';

/**
 * Opens Signpost's SQLite file the one way every connection to it must:
 * WAL, synchronous=FULL (an acknowledged write survives a crash), foreign
 * keys, a busy timeout for the other process (server and CLI share the
 * file), and pending migrations applied inside one IMMEDIATE transaction —
 * the version is read inside it, so two processes starting together apply
 * each migration once.
 */
export function openSqliteDatabase(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const migrate = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    for (let i = current; i < MIGRATIONS.length; i++) db.exec(MIGRATIONS[i] ?? '');
    if (current < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  });
  migrate.immediate();
  return db;
}
