/** The store counts behind the `signpost_users` / `_hosts` / `_hosts_blocked` / `_challenge_values` gauges. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { SqliteStore } from '../../src/adapters/store/sqlite.js';
import { Inventory, INVENTORY_CACHE_MS } from '../../src/app/inventory.js';
import type { Host } from '../../src/domain/model.js';
import type { Store } from '../../src/ports/store.js';

const NOW = 1_800_000_000_000;
const ZONE = 'dyn.example.test';
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const host = (name: string, extra: Partial<Host> = {}): Host => ({ name: `${name}.${ZONE}`, zone: ZONE, owner: 'alice', addresses: { v4: '192.0.2.1' }, ttl: 60, updatedAt: NOW, version: 1, ...extra });

async function fill(store: Store): Promise<void> {
  await store.createUser({ username: 'alice', passwordHash: 'x', createdAt: NOW });
  await store.createUser({ username: 'bob', passwordHash: 'x', createdAt: NOW });
  await store.putHost(host('free'), null);
  await store.putHost(host('forever', { blocked: { at: NOW - 10, reason: 'abuse' } }), null);
  await store.putHost(host('until-later', { blocked: { at: NOW - 10, reason: 'abuse', until: NOW + 1000 } }), null);
  await store.putHost(host('expired', { blocked: { at: NOW - 10, reason: 'abuse', until: NOW - 1 } }), null);
  const value = (v: string, expiresAt: number) => ({ value: v, writtenAt: NOW - 5, expiresAt });
  await store.putChallenge({ name: `_acme-challenge.free.${ZONE}`, zone: ZONE, owner: 'alice', values: [value('a', NOW + 60_000), value('b', NOW - 1), value('c', NOW + 1)], version: 1 }, null);
  await store.putChallenge({ name: `_acme-challenge.forever.${ZONE}`, zone: ZONE, owner: 'alice', values: [], alias: `x.acme.${ZONE}`, version: 1 }, null);
}

const expected = { users: 2, hosts: 4, blockedHosts: 2, challengeValues: 2 };

describe('Inventory', () => {
  it('counts users, hosts, hosts blocked now and live challenge values alike from SQLite (its own queries) and from listings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signpost-inventory-'));
    dirs.push(dir);
    const sqlite = new SqliteStore(join(dir, 'signpost.db'));
    const memory = new MemoryStore();
    expect(sqlite.counts).toBeTypeOf('function');
    expect('counts' in memory).toBe(false);
    for (const store of [sqlite, memory]) {
      await fill(store);
      expect(await new Inventory(store, { now: () => NOW }).counts()).toEqual(expected);
    }
    await sqlite.close();
  });

  it('answers scrapes from one count for a few seconds, then counts again', async () => {
    const store = new MemoryStore();
    await fill(store);
    let now = NOW;
    const inventory = new Inventory(store, { now: () => now });
    expect((await inventory.counts()).users).toBe(2);
    await store.createUser({ username: 'carol', passwordHash: 'x', createdAt: NOW });
    now += INVENTORY_CACHE_MS - 1;
    expect((await inventory.counts()).users).toBe(2);
    now += 1;
    expect((await inventory.counts()).users).toBe(3);
  });
});
