/**
 * The store contract: every Store adapter runs this same suite
 * (memory, SQLite, DynamoDB). `makeStore` returns a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, SignpostError } from '../../src/domain/errors.js';
import type { Host, HistoryEntry } from '../../src/domain/model.js';
import type { Store } from '../../src/ports/store.js';

export interface StoreFactory {
  /** A fresh empty store whose history keeps at most `historyLimit` entries per host. */
  makeStore(historyLimit: number): Promise<Store>;
}

const host = (over: Partial<Host> = {}): Host => ({
  name: 'home.dyn.example.test',
  zone: 'dyn.example.test',
  owner: 'alice',
  addresses: { v4: '192.0.2.1' },
  ttl: 60,
  updatedAt: 1_700_000_000_000,
  version: 1,
  ...over,
});

const entry = (i: number): HistoryEntry => ({
  hostname: 'home.dyn.example.test',
  owner: 'alice',
  at: 1_700_000_000_000 + i,
  sourceAddress: '198.51.100.7',
  userAgent: 'ddclient/3.10.0',
  before: { v4: `192.0.2.${i}` },
  after: { v4: `192.0.2.${i + 1}`, v6: '2001:db8::1' },
  result: 'good',
});

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.makeStore(5);
    });
    afterEach(async () => {
      await store.close();
    });

    const alice = { username: 'alice', passwordHash: '$argon2id$fake-a', createdAt: 1 };
    const bob = { username: 'bob', passwordHash: '$argon2id$fake-b', createdAt: 2 };

    it('creates, reads and lists users', async () => {
      await store.createUser(bob);
      await store.createUser(alice);
      expect(await store.getUser('alice')).toEqual({ ...alice, admin: false });
      expect(await store.getUser('nobody')).toBeUndefined();
      expect((await store.listUsers()).map((u) => u.username)).toEqual(['alice', 'bob']);
    });

    it('gives and takes the admin role', async () => {
      await store.createUser(alice);
      await store.createUser({ ...bob, admin: true });
      expect((await store.listUsers()).map((u) => [u.username, u.admin])).toEqual([['alice', false], ['bob', true]]);
      expect(await store.setAdmin('alice', true)).toBe(true);
      expect(await store.setAdmin('bob', false)).toBe(true);
      expect(await store.getUser('alice')).toEqual({ ...alice, admin: true });
      expect(await store.getUser('bob')).toEqual({ ...bob, admin: false });
      expect(await store.setAdmin('nobody', true)).toBe(false);
      expect(await store.getUser('nobody')).toBeUndefined();
      // the role survives a password change, and a new user of a deleted admin's name does not inherit it
      await store.setPasswordHash('alice', 'new');
      expect((await store.getUser('alice'))?.admin).toBe(true);
      await store.deleteUser('alice');
      await store.createUser(alice);
      expect((await store.getUser('alice'))?.admin).toBe(false);
    });

    it('refuses a second user of the same name', async () => {
      await store.createUser(alice);
      await expect(store.createUser({ ...alice, passwordHash: 'other' })).rejects.toMatchObject({ code: 'user_exists' });
      expect((await store.getUser('alice'))?.passwordHash).toBe(alice.passwordHash);
    });

    it('lets exactly one of many concurrent creates of one name win', async () => {
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.createUser({ ...alice, passwordHash: `h${i}` })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(SignpostError);
    });

    it('changes passwords and deletes users with their grants and tokens', async () => {
      await store.createUser(alice);
      expect(await store.setPasswordHash('alice', 'new')).toBe(true);
      expect(await store.setPasswordHash('nobody', 'new')).toBe(false);
      expect((await store.getUser('alice'))?.passwordHash).toBe('new');
      await store.addGrant({ username: 'alice', pattern: 'home.dyn.example.test' });
      await store.createToken({ id: 't1', username: 'alice', hostname: 'home.dyn.example.test', secretHash: 'ab'.repeat(32), createdAt: 5 });
      expect(await store.deleteUser('alice')).toBe(true);
      expect(await store.deleteUser('alice')).toBe(false);
      expect(await store.getUser('alice')).toBeUndefined();
      expect(await store.listGrants('alice')).toEqual([]);
      expect(await store.findTokenBySecretHash('ab'.repeat(32))).toBeUndefined();
      // the name is free again
      await store.createUser(alice);
      expect(await store.listGrants('alice')).toEqual([]);
    });

    it('grants names and patterns, refusing overlaps with another user', async () => {
      await store.createUser(alice);
      await store.createUser(bob);
      await store.addGrant({ username: 'alice', pattern: '*.alice.dyn.example.test' });
      await store.addGrant({ username: 'alice', pattern: 'home.dyn.example.test' });
      await store.addGrant({ username: 'alice', pattern: 'home.dyn.example.test' }); // idempotent
      expect((await store.listGrants('alice')).map((g) => g.pattern)).toEqual(['*.alice.dyn.example.test', 'home.dyn.example.test']);
      await expect(store.addGrant({ username: 'bob', pattern: 'home.dyn.example.test' })).rejects.toMatchObject({ code: 'grant_conflict' });
      await expect(store.addGrant({ username: 'bob', pattern: 'x.alice.dyn.example.test' })).rejects.toMatchObject({ code: 'grant_conflict' });
      await expect(store.addGrant({ username: 'nobody', pattern: 'n.dyn.example.test' })).rejects.toMatchObject({ code: 'user_not_found' });
      await store.addGrant({ username: 'bob', pattern: 'bob.dyn.example.test' });
      expect(await store.removeGrant({ username: 'alice', pattern: 'home.dyn.example.test' })).toBe(true);
      expect(await store.removeGrant({ username: 'alice', pattern: 'home.dyn.example.test' })).toBe(false);
      expect((await store.listGrants('alice')).map((g) => g.pattern)).toEqual(['*.alice.dyn.example.test']);
    });

    it('writes hosts conditionally on their version', async () => {
      await store.putHost(host(), null);
      expect(await store.getHost('home.dyn.example.test')).toEqual(host());
      await expect(store.putHost(host({ version: 2 }), null)).rejects.toBeInstanceOf(ConflictError);
      await expect(store.putHost(host({ version: 3 }), 2)).rejects.toBeInstanceOf(ConflictError);
      const next = host({ version: 2, addresses: { v4: '192.0.2.2', v6: '2001:db8::2' }, blocked: { at: 9, reason: 'rate' } });
      await store.putHost(next, 1);
      expect(await store.getHost('home.dyn.example.test')).toEqual(next);
      const unblocked = host({ version: 3, addresses: { v6: '2001:db8::2' }, unblockedAt: 10 });
      await store.putHost(unblocked, 2);
      expect(await store.getHost('home.dyn.example.test')).toEqual(unblocked);
      const expiring = host({ version: 4, addresses: { v6: '2001:db8::2' }, blocked: { at: 11, reason: 'nochg', until: 3_600_011 }, unblockedAt: 10 });
      await store.putHost(expiring, 3);
      expect(await store.getHost('home.dyn.example.test')).toEqual(expiring);
      await expect(store.deleteHost('home.dyn.example.test', 3)).rejects.toBeInstanceOf(ConflictError);
      await store.deleteHost('home.dyn.example.test', 4);
      expect(await store.getHost('home.dyn.example.test')).toBeUndefined();
    });

    it('keeps a host whose addresses were all removed (admin PUT /hosts/:name/addresses)', async () => {
      await store.putHost(host(), null);
      const empty = host({ version: 2, addresses: {}, owner: 'bob' });
      await store.putHost(empty, 1);
      expect(await store.getHost('home.dyn.example.test')).toEqual(empty);
      expect((await store.listHosts({ owner: 'bob' })).map((h) => h.addresses)).toEqual([{}]);
    });

    it("keeps a host's dyndns2 extras (wildcard, mx, backmx) and their removal", async () => {
      const extras = host({ wildcard: true, mx: 'mail.example.net', backmx: true });
      await store.putHost(extras, null);
      expect(await store.getHost('home.dyn.example.test')).toEqual(extras);
      expect((await store.listHosts({ zone: 'dyn.example.test' }))[0]).toEqual(extras);
      const mxOnly = host({ version: 2, mx: 'mx2.example.net' });
      await store.putHost(mxOnly, 1);
      expect(await store.getHost('home.dyn.example.test')).toEqual(mxOnly);
      await store.putHost(host({ version: 3, wildcard: false, backmx: false }), 2);
      const plain = await store.getHost('home.dyn.example.test');
      expect(plain).toEqual(host({ version: 3 }));
      expect(plain && ['wildcard', 'mx', 'backmx'].filter((k) => k in plain)).toEqual([]);
    });

    it('lets exactly one of concurrent conditional host writes win', async () => {
      await store.putHost(host(), null);
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => store.putHost(host({ version: 2, addresses: { v4: `192.0.2.${10 + i}` } }), 1)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('lists hosts by owner and zone', async () => {
      await store.putHost(host(), null);
      await store.putHost(host({ name: 'b.dyn.example.test', owner: 'bob' }), null);
      await store.putHost(host({ name: 'c.other.example', zone: 'other.example', owner: 'bob' }), null);
      expect((await store.listHosts()).map((h) => h.name)).toEqual(['b.dyn.example.test', 'c.other.example', 'home.dyn.example.test']);
      expect((await store.listHosts({ owner: 'bob' })).map((h) => h.name)).toEqual(['b.dyn.example.test', 'c.other.example']);
      expect((await store.listHosts({ zone: 'dyn.example.test' })).map((h) => h.name)).toEqual(['b.dyn.example.test', 'home.dyn.example.test']);
      expect(await store.listHosts({ owner: 'bob', zone: 'other.example' })).toHaveLength(1);
    });

    it('stores tokens by the hash of their secret and revokes them', async () => {
      await store.createUser(alice);
      const token = { id: 't1', username: 'alice', hostname: 'home.dyn.example.test', secretHash: 'cd'.repeat(32), createdAt: 7 };
      await store.createToken(token);
      await store.createToken({ ...token, id: 't2', secretHash: 'ef'.repeat(32), createdAt: 8 });
      expect(await store.findTokenBySecretHash('cd'.repeat(32))).toEqual(token);
      expect((await store.listTokens('alice')).map((t) => t.id)).toEqual(['t1', 't2']);
      expect(await store.revokeToken('t1')).toBe(true);
      expect(await store.revokeToken('t1')).toBe(false);
      expect(await store.findTokenBySecretHash('cd'.repeat(32))).toBeUndefined();
    });

    it('keeps the newest history entries up to the retention limit', async () => {
      for (let i = 0; i < 8; i++) await store.appendHistory(entry(i));
      const history = await store.listHistory('home.dyn.example.test', 100);
      expect(history).toHaveLength(5);
      expect(history[0]).toEqual(entry(7));
      expect(history.map((e) => e.at)).toEqual([7, 6, 5, 4, 3].map((i) => 1_700_000_000_000 + i));
      expect(await store.listHistory('home.dyn.example.test', 2)).toHaveLength(2);
      expect(await store.listHistory('other.dyn.example.test', 10)).toEqual([]);
    });

    it('lists activity across hosts newest first, filtered by user, host and result', async () => {
      const at = (i: number) => 1_700_000_000_000 + i;
      const add = (i: number, hostname: string, owner: string, result: HistoryEntry['result']) =>
        store.appendHistory({ ...entry(i), at: at(i), hostname, owner, result });
      await add(1, 'a.dyn.example.test', 'alice', 'good');
      await add(2, 'b.dyn.example.test', 'bob', 'good');
      await add(3, 'a.dyn.example.test', 'alice', 'nochg');
      await add(4, 'c.other.example', 'bob', 'abuse');
      await add(5, 'b.dyn.example.test', 'bob', 'nochg');
      await add(6, 'a.dyn.example.test', 'alice', 'dnserr');
      const order = async (filter: Parameters<Store['listActivity']>[0], limit = 100) =>
        (await store.listActivity(filter, limit)).map((e) => e.at - 1_700_000_000_000);
      expect(await order({})).toEqual([6, 5, 4, 3, 2, 1]);
      expect(await order({}, 4)).toEqual([6, 5, 4, 3]);
      expect(await order({ owner: 'bob' })).toEqual([5, 4, 2]);
      expect(await order({ hostname: 'a.dyn.example.test' })).toEqual([6, 3, 1]);
      expect(await order({ result: 'nochg' })).toEqual([5, 3]);
      expect(await order({ owner: 'bob', result: 'good' })).toEqual([2]);
      expect(await order({ owner: 'bob', hostname: 'b.dyn.example.test', result: 'nochg' })).toEqual([5]);
      expect(await order({ owner: 'alice', hostname: 'b.dyn.example.test' })).toEqual([]);
      expect(await order({ owner: 'carol' })).toEqual([]);
      expect(await order({ hostname: 'nothing.dyn.example.test' })).toEqual([]);
      expect((await store.listActivity({ owner: 'bob' }, 1))[0]).toEqual({ ...entry(5), at: at(5), hostname: 'b.dyn.example.test', owner: 'bob', result: 'nochg' });
    });

    it('lists only retained history as activity', async () => {
      for (let i = 0; i < 8; i++) await store.appendHistory(entry(i));
      await store.appendHistory({ ...entry(8), hostname: 'other.dyn.example.test' });
      expect((await store.listActivity({}, 1000)).map((e) => e.at - 1_700_000_000_000)).toEqual([8, 7, 6, 5, 4, 3]);
      expect(await store.listActivity({ owner: 'alice', result: 'good' }, 1000)).toHaveLength(6);
    });

    it('keeps web sessions by id hash, touches, lists and deletes them, and ends them with their user', async () => {
      await store.createUser(alice);
      await store.createUser(bob);
      const s1 = { idHash: 'a1'.repeat(32), username: 'alice', createdAt: 10, lastSeenAt: 10 };
      const s2 = { idHash: 'a2'.repeat(32), username: 'alice', createdAt: 20, lastSeenAt: 20 };
      const s3 = { idHash: 'b1'.repeat(32), username: 'bob', createdAt: 15, lastSeenAt: 15 };
      for (const s of [s2, s1, s3]) await store.createSession(s);
      await expect(store.createSession({ ...s1, idHash: 'cc'.repeat(32), username: 'nobody' })).rejects.toMatchObject({ code: 'user_not_found' });
      expect(await store.getSession(s1.idHash)).toEqual(s1);
      expect(await store.getSession('ff'.repeat(32))).toBeUndefined();
      await store.touchSession(s1.idHash, 99);
      expect((await store.getSession(s1.idHash))?.lastSeenAt).toBe(99);
      expect((await store.listSessions('alice')).map((s) => s.idHash)).toEqual([s1.idHash, s2.idHash]);
      expect(await store.deleteSession(s2.idHash)).toBe(true);
      expect(await store.deleteSession(s2.idHash)).toBe(false);
      await store.touchSession(s2.idHash, 100); // a deleted session is not brought back
      expect(await store.getSession(s2.idHash)).toBeUndefined();
      expect((await store.listSessions('alice')).map((s) => s.idHash)).toEqual([s1.idHash]);
      await store.deleteUser('alice');
      expect(await store.getSession(s1.idHash)).toBeUndefined();
      expect(await store.listSessions('alice')).toEqual([]);
      expect(await store.getSession(s3.idHash)).toEqual(s3);
    });

    it('keeps settings', async () => {
      expect(await store.getSetting('k')).toBeUndefined();
      await store.setSetting('k', 'v1');
      await store.setSetting('k', 'v2');
      expect(await store.getSetting('k')).toBe('v2');
    });
  });
}
