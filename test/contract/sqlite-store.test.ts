import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS } from '../../src/adapters/store/sqlite-migrations.js';
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
    expect(await b.getUser('alice')).toEqual({ username: 'alice', passwordHash: 'h', createdAt: 1, admin: false });
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

  it('upgrades a database from before the admin role: nobody is admin, history takes its host owner', async () => {
    const path = freshPath();
    await new SqliteStore(path).close(); // the directory and a current file, then rolled back by hand below
    rmSync(path);
    const before = MIGRATIONS.findIndex((m) => m.includes('ALTER TABLE users ADD COLUMN admin'));
    expect(before).toBeGreaterThan(0);
    const db = new DatabaseSync(path);
    for (const migration of MIGRATIONS.slice(0, before)) db.exec(migration);
    db.exec(`PRAGMA user_version = ${before}`);
    db.exec(`INSERT INTO users (username, password_hash, created_at) VALUES ('alice', 'h', 1)`);
    db.exec(`INSERT INTO hosts (name, zone, owner, ttl, updated_at, version) VALUES ('a.dyn.example.test', 'dyn.example.test', 'alice', 60, 1, 1)`);
    const insert = db.prepare(`INSERT INTO history (hostname, at, source, user_agent, before_json, after_json, result) VALUES (?, ?, '', '', '{}', '{}', 'good')`);
    insert.run('a.dyn.example.test', 1);
    insert.run('gone.dyn.example.test', 2);
    db.close();
    const store = new SqliteStore(path);
    expect(await store.getUser('alice')).toEqual({ username: 'alice', passwordHash: 'h', createdAt: 1, admin: false });
    expect((await store.listActivity({}, 10)).map((e) => [e.hostname, e.owner])).toEqual([['gone.dyn.example.test', ''], ['a.dyn.example.test', 'alice']]);
    expect((await store.listActivity({ owner: 'alice' }, 10)).map((e) => e.at)).toEqual([1]);
    await store.close();
  });

  it('upgrades a database from before certificates, and a key the CLI creates is the server\'s to read at once', async () => {
    const path = freshPath();
    await new SqliteStore(path).close();
    rmSync(path);
    const before = MIGRATIONS.findIndex((m) => m.includes('CREATE TABLE tsig_keys'));
    expect(before).toBeGreaterThan(0);
    const db = new DatabaseSync(path);
    for (const migration of MIGRATIONS.slice(0, before)) db.exec(migration);
    db.exec(`PRAGMA user_version = ${before}`);
    db.exec(`INSERT INTO users (username, password_hash, created_at) VALUES ('alice', 'h', 1)`);
    db.close();
    const server = new SqliteStore(path);
    const cli = new SqliteStore(path);
    const key = { name: 'alice.keys.example.test', username: 'alice', algorithm: 'hmac-sha256' as const, sealedSecret: 'v1.sealed', createdAt: 2 };
    await cli.createTsigKey(key);
    expect(await server.getTsigKey(key.name)).toEqual(key);
    await expect(server.createTsigKey({ ...key, sealedSecret: 'v1.other' })).rejects.toMatchObject({ code: 'tsig_key_exists' });
    await cli.deleteUser('alice');
    expect(await server.getTsigKey(key.name)).toBeUndefined();
    await server.close();
    await cli.close();
  });
});
