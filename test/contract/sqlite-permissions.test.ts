/**
 * The SQLite file holds password and token hashes: its directory must be
 * 0700 and the database, -wal and -shm files 0600 whatever the umask, and a
 * data directory left open by an older version is tightened, with a warning.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/store/sqlite.js';

const roots: string[] = [];
const originalUmask = process.umask();
afterEach(() => void process.umask(originalUmask));
afterAll(() => roots.forEach((d) => rmSync(d, { recursive: true, force: true })));
const freshRoot = () => {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-perm-'));
  roots.push(dir);
  return dir;
};
const mode = (path: string) => `0${(statSync(path).mode & 0o777).toString(8)}`;

/** Opens the store, writes (so -wal and -shm exist) and returns the modes while it is open. */
async function modesWhileOpen(path: string, warnings: unknown[] = []): Promise<Record<string, string>> {
  const store = new SqliteStore(path, 100, { warn: (fields, message) => warnings.push({ ...fields, message }) });
  try {
    await store.createUser({ username: 'alice', passwordHash: 'h', createdAt: 1 });
    return { dir: mode(join(path, '..')), db: mode(path), wal: mode(`${path}-wal`), shm: mode(`${path}-shm`) };
  } finally {
    await store.close();
  }
}

describe('SQLite file permissions', () => {
  for (const umask of [0o022, 0o000]) {
    it(`creates the data directory 0700 and the database files 0600 under umask ${umask.toString(8).padStart(3, '0')}`, async () => {
      process.umask(umask);
      const path = join(freshRoot(), 'data', 'signpost.db');
      expect(await modesWhileOpen(path)).toEqual({ dir: '0700', db: '0600', wal: '0600', shm: '0600' });
    });
  }

  it('tightens a 0755 directory and 0644 files an older version left, and says so', async () => {
    process.umask(0o022);
    const dir = join(freshRoot(), 'data');
    mkdirSync(dir, { mode: 0o755 });
    const path = join(dir, 'signpost.db');
    const old = new DatabaseSync(path);
    old.exec('PRAGMA journal_mode = WAL; CREATE TABLE leftover (x); INSERT INTO leftover VALUES (1)');
    chmodSync(path, 0o644);
    chmodSync(dir, 0o755);
    expect(mode(path)).toBe('0644');
    const warnings: unknown[] = [];
    expect(await modesWhileOpen(path, warnings)).toEqual({ dir: '0700', db: '0600', wal: '0600', shm: '0600' });
    old.close();
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: dir, was: '0755', now: '0700' }),
        expect.objectContaining({ path, was: '0644', now: '0600' }),
      ]),
    );
  });

  it('leaves a shared (sticky) directory as it is and keeps only its own files private', async () => {
    process.umask(0o000);
    const shared = join(freshRoot(), 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const path = join(shared, 'signpost.db');
    const modes = await modesWhileOpen(path);
    expect(mode(shared)).toBe('0777');
    expect(modes).toMatchObject({ db: '0600', wal: '0600', shm: '0600' });
  });
});
