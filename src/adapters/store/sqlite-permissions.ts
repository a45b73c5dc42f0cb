import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where a loosened mode is reported (a pino logger fits). */
export interface PermissionLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/**
 * Keeps the database private to the user Signpost runs as: it holds password
 * and token hashes. The data directory is created 0700 and the database file
 * 0600 before SQLite opens it, whatever the umask (SQLite gives its -wal and
 * -shm files the database file's mode). A directory or files left readable
 * by others (an older version created them 0755/0644) are tightened, with a
 * warning. A shared directory (sticky bit, like /tmp) is left alone: only
 * the files in it are Signpost's.
 */
export function keepDatabasePrivate(path: string, log?: PermissionLog): void {
  const dir = dirname(path);
  const created = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR }) !== undefined;
  const dirMode = statSync(dir).mode;
  if (created) chmodSync(dir, PRIVATE_DIR);
  else if (existsSync(path) && (dirMode & 0o077) !== 0 && (dirMode & 0o1000) === 0) tighten(dir, dirMode, PRIVATE_DIR, log);

  if (!existsSync(path)) closeSync(openSync(path, 'a', PRIVATE_FILE)); // umask can only remove bits from 0600
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    let mode: number;
    try {
      mode = statSync(file).mode;
    } catch {
      continue; // -wal/-shm appear with the first connection, with the database file's mode
    }
    if ((mode & 0o077) !== 0) tighten(file, mode, PRIVATE_FILE, log);
  }
}

function tighten(path: string, mode: number, to: number, log?: PermissionLog): void {
  chmodSync(path, to);
  log?.warn({ path, was: octal(mode), now: octal(to) }, 'database permissions were open to other users; tightened');
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;
