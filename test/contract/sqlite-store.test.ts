import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/store/sqlite.js';
import { storeContract } from './store.contract.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const freshPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-sqlite-'));
  dirs.push(dir);
  return join(dir, 'nested', 'signpost.db');
};

storeContract('sqlite', { makeStore: async (limit) => new SqliteStore(freshPath(), limit) });

describe('SqliteStore specifics', () => {
  it('persists across reopen, in WAL mode, with migrations applied once', async () => {
    const path = freshPath();
    const a = new SqliteStore(path);
    await a.createUser({ username: 'alice', passwordHash: 'h', createdAt: 1 });
    await a.close();
    const b = new SqliteStore(path);
    expect(await b.getUser('alice')).toEqual({ username: 'alice', passwordHash: 'h', createdAt: 1 });
    await b.close();
  });

  it('two connections to one file see each other (server and CLI)', async () => {
    const path = freshPath();
    const server = new SqliteStore(path);
    const cli = new SqliteStore(path);
    await cli.createUser({ username: 'bob', passwordHash: 'h', createdAt: 1 });
    expect(await server.getUser('bob')).toBeDefined();
    await expect(server.createUser({ username: 'bob', passwordHash: 'x', createdAt: 2 })).rejects.toMatchObject({ code: 'user_exists' });
    await server.close();
    await cli.close();
  });
});
