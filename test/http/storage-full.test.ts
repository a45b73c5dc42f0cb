import type { DatabaseSync } from 'node:sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { SqliteStore } from '../../src/adapters/store/sqlite.js';
import { WRITE_FAILURE_HOLD_MS, WriteHealth, storeHealth, watchWrites } from '../../src/app/write-health.js';
import { createTestApp, type TestApp } from '../support/http-app.js';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

// What node:sqlite throws when SQLite answers SQLITE_FULL (13).
const sqliteFull = () => Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13, errstr: 'database or disk is full' });
const health = async (t: TestApp) => {
  const res = await t.app.request('/healthz');
  return [res.status, ((await res.json()) as { status: string }).status];
};

describe('a full disk', () => {
  it('answers admin writes 507 storage_full and /healthz 503 until a write goes through again', async () => {
    const t = await createTestApp();
    expect(await health(t)).toEqual([200, 'ok']);
    const createUser = vi.spyOn(t.store, 'createUser').mockRejectedValue(sqliteFull());
    const setSetting = vi.spyOn(t.store, 'setSetting').mockRejectedValue(sqliteFull());
    const res = await t.admin('POST', '/users', { username: 'carol', password: 'long-enough-1', domains: [] });
    expect(res.status).toBe(507);
    expect(res.json.error.code).toBe('storage_full');
    expect(await t.store.getUser('carol')).toBeUndefined();
    expect(await health(t)).toEqual([503, 'unavailable']);
    createUser.mockRestore();
    setSetting.mockRestore();
    expect(await health(t)).toEqual([503, 'unavailable']); // held for a minute after the failure
  });

  it('comes back healthy after the hold once a probe write goes through, not before', async () => {
    let now = 0;
    const store = new MemoryStore();
    const writes = new WriteHealth(() => now);
    const watched = watchWrites(store, writes);
    const healthy = storeHealth(watched, writes);
    const full = vi.spyOn(store, 'setSetting').mockRejectedValue(sqliteFull());
    await expect(watched.setSetting('x', 'y')).rejects.toThrow('full');
    now = WRITE_FAILURE_HOLD_MS + 1;
    expect(await healthy()).toBe(false); // the probe failed too
    full.mockRestore();
    now += 10; // the failed probe started a new hold
    expect(await healthy()).toBe(false);
    now += WRITE_FAILURE_HOLD_MS;
    expect(await healthy()).toBe(true);
    await expect(watched.createUser({ username: 'a', passwordHash: 'h', createdAt: 0 })).resolves.toBeUndefined();
    await expect(watched.createUser({ username: 'a', passwordHash: 'h', createdAt: 0 })).rejects.toMatchObject({ code: 'user_exists' });
    expect(writes.failing).toBe(false); // a refused write is the store working
  });

  it('answers a dyndns2 update 911 and leaves DNS and store as they were', async () => {
    const t = await createTestApp();
    await t.addUser('alice', 'alice-password', ['home.dyn.example.test']);
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.1')).body).toBe('good 192.0.2.1');
    const before = JSON.stringify(await t.provider.records('dyn.example.test'));
    vi.spyOn(t.store, 'putHost').mockRejectedValue(sqliteFull());
    vi.spyOn(t.store, 'appendHistory').mockRejectedValue(sqliteFull());
    vi.spyOn(t.store, 'setSetting').mockRejectedValue(sqliteFull());
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.2')).body).toBe('911');
    expect(JSON.stringify(await t.provider.records('dyn.example.test'))).toBe(before);
    expect((await t.store.getHost('home.dyn.example.test'))?.addresses).toEqual({ v4: '192.0.2.1' });
    expect(await health(t)).toEqual([503, 'unavailable']);
  });

  it('is reported for a real SQLITE_FULL (PRAGMA max_page_count)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signpost-full-'));
    dirs.push(dir);
    const store = new SqliteStore(join(dir, 'signpost.db'));
    const t = await createTestApp({}, { store });
    const db = (store as unknown as { db: DatabaseSync }).db;
    const { page_count: pages } = db.prepare('PRAGMA page_count').get() as { page_count: number };
    db.exec(`PRAGMA max_page_count = ${pages}`);
    let status = 0;
    let code = '';
    for (let i = 0; i < 200 && status !== 507; i++) {
      const res = await t.admin('POST', '/users', { username: `user${i}`, password: 'long-enough-1'.padEnd(200, 'x'), domains: [] });
      [status, code] = [res.status, res.json?.error?.code];
    }
    expect([status, code]).toEqual([507, 'storage_full']);
    expect(await health(t)).toEqual([503, 'unavailable']);
    await store.close();
  });
});
