/**
 * Upgrades from every earlier schema version: a database built by the first
 * k migrations (as a Signpost of that version left it), holding rows valid
 * at that version, opened by the current store. The rows survive with what
 * later versions added at its defaults, the instance registry reads its
 * rows, and the whole store contract holds on the upgraded file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/adapters/store/sqlite-migrations.js';
import { SqliteStore } from '../../src/adapters/store/sqlite.js';
import { SqliteInstanceRegistry } from '../../src/adapters/store/instance-registry-sqlite.js';
import { pragmaNumber } from '../../src/adapters/store/sqlite-database.js';
import { storeContract } from './store.contract.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const freshPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-upgrade-'));
  dirs.push(dir);
  return join(dir, 'signpost.db');
};

const HOST = 'a.alice.dyn.example.test';

/**
 * Rows of every table some version has, by column. Only the tables and
 * columns the database at hand has are written, so the same sample fits
 * every version, including ones added after this test was written.
 */
const SAMPLE: Record<string, Record<string, string | number | null>[]> = {
  users: [{ username: 'alice', password_hash: '$argon2id$sample', created_at: 1, admin: 1 }],
  grants: [{ username: 'alice', pattern: '*.alice.dyn.example.test' }],
  hosts: [
    {
      name: HOST,
      zone: 'dyn.example.test',
      owner: 'alice',
      ipv4: '192.0.2.1',
      ipv6: '2001:db8::1',
      ttl: 60,
      updated_at: 2,
      version: 4,
      blocked_at: 3,
      blocked_reason: 'abuse',
      blocked_until: 9,
      unblocked_at: null,
      wildcard: 1,
      mx: 'mail.example.net',
      backmx: 1,
    },
  ],
  tokens: [{ id: 'tok1', username: 'alice', hostname: HOST, secret_hash: 'f'.repeat(64), created_at: 5 }],
  history: [{ hostname: HOST, at: 6, source: '198.51.100.7', user_agent: 'router/1', before_json: '{}', after_json: '{"v4":"192.0.2.1"}', result: 'good', owner: 'alice' }],
  settings: [{ key: 'admin_key_sha256', value: 'a'.repeat(64) }],
  instances: [{ instance_id: 'i-0123', state: 'running', last_event_at: 7, version: 1, updated_at: 7 }],
  instance_records: [{ instance_id: 'i-0123', zone_id: 'dyn.example.test', zone_name: 'dyn.example.test', name: 'web.dyn.example.test', type: 'A', ttl: 60, values_json: '["192.0.2.9"]' }],
  instance_record_owners: [{ zone_id: 'dyn.example.test', name: 'web.dyn.example.test', type: 'A', instance_id: 'i-0123' }],
  sessions: [{ id_hash: 'e'.repeat(64), username: 'alice', created_at: 8, last_seen_at: 9 }],
};

/** A database as the Signpost with `version` migrations left it, with the sample rows; the columns it has, by table. */
function databaseAt(version: number, withRows: boolean): { path: string; columns: Map<string, Set<string>> } {
  const path = freshPath();
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  for (const migration of MIGRATIONS.slice(0, version)) db.exec(migration);
  db.exec(`PRAGMA user_version = ${version}`);
  const columns = new Map<string, Set<string>>();
  for (const { name } of db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as { name: string }[]) {
    columns.set(name, new Set((db.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as { name: string }[]).map((c) => c.name)));
  }
  if (withRows) {
    for (const [table, rows] of Object.entries(SAMPLE)) {
      const has = columns.get(table);
      if (!has) continue;
      for (const row of rows) {
        const present = Object.entries(row).filter(([column]) => has.has(column));
        db.prepare(`INSERT INTO ${table} (${present.map(([c]) => c).join(', ')}) VALUES (${present.map(() => '?').join(', ')})`).run(...present.map(([, v]) => v));
      }
    }
  }
  db.close();
  return { path, columns };
}

const EARLIER = Array.from({ length: MIGRATIONS.length - 1 }, (_, i) => i + 1);

describe('upgrades from every earlier schema version', () => {
  it('the list is complete: every version from the first to the one before this build', () => {
    expect(EARLIER[0]).toBe(1);
    expect(EARLIER.at(-1)).toBe(MIGRATIONS.length - 1);
  });

  it('a database a newer Signpost migrated is refused, not opened and written to', () => {
    const { path } = databaseAt(MIGRATIONS.length, true);
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => new SqliteStore(path)).toThrow(`has schema version ${MIGRATIONS.length + 1}, newer than this Signpost's ${MIGRATIONS.length}`);
    const after = new DatabaseSync(path, { readOnly: true });
    expect(pragmaNumber(after, 'user_version')).toBe(MIGRATIONS.length + 1);
    after.close();
  });

  for (const version of EARLIER) {
    it(`from version ${version}: the rows survive, what later versions added takes its defaults`, async () => {
      const { path, columns } = databaseAt(version, true);
      const had = (table: string, column: string) => columns.get(table)?.has(column) ?? false;
      const store = new SqliteStore(path, 100);
      try {
        expect(await store.getUser('alice')).toEqual({ username: 'alice', passwordHash: '$argon2id$sample', createdAt: 1, admin: had('users', 'admin') });
        expect(await store.listGrants('alice')).toEqual([{ username: 'alice', pattern: '*.alice.dyn.example.test' }]);
        expect(await store.getHost(HOST)).toEqual({
          name: HOST,
          zone: 'dyn.example.test',
          owner: 'alice',
          addresses: { v4: '192.0.2.1', v6: '2001:db8::1' },
          ttl: 60,
          updatedAt: 2,
          version: 4,
          blocked: { at: 3, reason: 'abuse', ...(had('hosts', 'blocked_until') ? { until: 9 } : {}) },
          ...(had('hosts', 'wildcard') ? { wildcard: true, mx: 'mail.example.net', backmx: true } : {}),
        });
        expect(await store.listTokens('alice')).toEqual([{ id: 'tok1', username: 'alice', hostname: HOST, secretHash: 'f'.repeat(64), createdAt: 5 }]);
        // history written before entries had an owner takes its host's owner
        expect(await store.listActivity({ owner: 'alice' }, 10)).toEqual([
          { hostname: HOST, owner: 'alice', at: 6, sourceAddress: '198.51.100.7', userAgent: 'router/1', before: {}, after: { v4: '192.0.2.1' }, result: 'good' },
        ]);
        expect(await store.getSetting('admin_key_sha256')).toBe('a'.repeat(64));
        expect(await store.listSessions('alice')).toEqual(had('sessions', 'id_hash') ? [{ idHash: 'e'.repeat(64), username: 'alice', createdAt: 8, lastSeenAt: 9 }] : []);
        expect(await store.listChallenges()).toEqual([]);
        expect(await store.listTsigKeys('alice')).toEqual([]);
        // what a later version added works on the upgraded file
        await store.createTsigKey({ name: 'alice.keys.example.test', username: 'alice', algorithm: 'hmac-sha256', sealedSecret: 'v1.sealed', createdAt: 10 });
        await store.setAdmin('alice', false);
        expect((await store.getUser('alice'))?.admin).toBe(false);
        await store.deleteUser('alice');
        expect(await store.listTokens('alice')).toEqual([]);
        expect(await store.getTsigKey('alice.keys.example.test')).toBeUndefined();
      } finally {
        await store.close();
      }
      const registry = new SqliteInstanceRegistry(path);
      try {
        const instances = await registry.list();
        if (had('instances', 'instance_id')) {
          expect(instances).toMatchObject([{ instanceId: 'i-0123', state: 'running', version: 1, records: [{ name: 'web.dyn.example.test', type: 'A', values: ['192.0.2.9'] }] }]);
          expect(await registry.ownerOf({ zoneId: 'dyn.example.test', name: 'web.dyn.example.test', type: 'A' })).toBe('i-0123');
        } else expect(instances).toEqual([]);
      } finally {
        await registry.close();
      }
      const db = new DatabaseSync(path, { readOnly: true });
      expect(pragmaNumber(db, 'user_version')).toBe(MIGRATIONS.length);
      expect((db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe('ok');
      db.close();
    });
  }
});

for (const version of EARLIER) {
  storeContract(`sqlite upgraded from version ${version}`, { makeStore: async (limit) => new SqliteStore(databaseAt(version, false).path, limit) });
}
