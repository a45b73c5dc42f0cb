/**
 * The store contract: every Store adapter runs this same suite
 * (memory, SQLite, DynamoDB). `makeStore` returns a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, SignpostError } from '../../src/domain/errors.js';
import type { ChallengeRecord } from '../../src/domain/challenges.js';
import type { AcmeDnsAccount, Host, HistoryEntry, TsigKeyRecord } from '../../src/domain/model.js';
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

const challenge = (over: Partial<ChallengeRecord> = {}): ChallengeRecord => ({
  name: '_acme-challenge.home.dyn.example.test',
  zone: 'dyn.example.test',
  owner: 'alice',
  values: [
    { value: 'a'.repeat(43), writtenAt: 1_700_000_000_000, expiresAt: 1_700_003_600_000 },
    { value: 'b'.repeat(43), writtenAt: 1_700_000_001_000, expiresAt: 1_700_003_601_000 },
  ],
  version: 1,
  ...over,
});

const tsigKey = (over: Partial<TsigKeyRecord> = {}): TsigKeyRecord => ({
  name: 'alice-1.keys.example.test',
  username: 'alice',
  algorithm: 'hmac-sha256',
  sealedSecret: 'v1.sealed-bytes-as-given',
  createdAt: 10,
  ...over,
});

const acmeAccount = (over: Partial<AcmeDnsAccount> = {}): AcmeDnsAccount => ({
  username: '0b3f8a62-2c41-4f0e-9d2a-5a1c7e0f0001',
  owner: 'alice',
  secretHash: 'cd'.repeat(32),
  subdomain: '7d9e0c1a-8f3b-4a55-b2e6-0c4d5e6f0001',
  allowFrom: ['192.0.2.0/24', '2001:db8::/32'],
  createdAt: 20,
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

    it('writes challenge rows conditionally on their version, values and alias alike', async () => {
      const row = challenge();
      await store.putChallenge(row, null);
      expect(await store.getChallenge(row.name)).toEqual(row);
      expect(await store.getChallenge('_acme-challenge.other.dyn.example.test')).toBeUndefined();
      await expect(store.putChallenge(challenge({ version: 2 }), null)).rejects.toBeInstanceOf(ConflictError);
      await expect(store.putChallenge(challenge({ version: 3, values: [] }), 2)).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getChallenge(row.name)).toEqual(row);
      const alias = challenge({ version: 2, values: [], alias: '7d9e0c1a.acme.dyn.example.test' });
      await store.putChallenge(alias, 1);
      expect(await store.getChallenge(row.name)).toEqual(alias);
      const back = challenge({ version: 3, values: [{ value: 'c'.repeat(43), writtenAt: 5, expiresAt: 6 }] });
      await store.putChallenge(back, 2);
      const read = await store.getChallenge(row.name);
      expect(read).toEqual(back);
      expect(read && 'alias' in read).toBe(false);
      await expect(store.putChallenge(challenge({ name: '_acme-challenge.missing.dyn.example.test' }), 1)).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getChallenge('_acme-challenge.missing.dyn.example.test')).toBeUndefined();
      await expect(store.deleteChallenge(row.name, 2)).rejects.toBeInstanceOf(ConflictError);
      await expect(store.deleteChallenge('_acme-challenge.missing.dyn.example.test', 1)).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getChallenge(row.name)).toEqual(back);
      await store.deleteChallenge(row.name, 3);
      expect(await store.getChallenge(row.name)).toBeUndefined();
      // the name is free again
      await store.putChallenge(row, null);
      expect(await store.getChallenge(row.name)).toEqual(row);
    });

    it('keeps sixteen values of one challenge row, in order', async () => {
      const values = Array.from({ length: 16 }, (_, i) => ({ value: `v${i}-${'x'.repeat(240)}`, writtenAt: 1000 + i, expiresAt: 5000 - i }));
      const row = challenge({ values });
      await store.putChallenge(row, null);
      expect(await store.getChallenge(row.name)).toEqual(row);
    });

    it('lists challenge rows by name, of one zone or one owner', async () => {
      await store.putChallenge(challenge({ name: '_acme-challenge.b.dyn.example.test', owner: 'bob' }), null);
      await store.putChallenge(challenge(), null);
      await store.putChallenge(challenge({ name: '_acme-challenge.c.other.example', zone: 'other.example', owner: 'bob' }), null);
      await store.putChallenge(challenge({ name: '7d9e0c1a.acme.other.example', zone: 'other.example', owner: '', values: [] }), null);
      const names = async (filter?: Parameters<Store['listChallenges']>[0]) => (await store.listChallenges(filter)).map((c) => c.name);
      expect(await names()).toEqual(['7d9e0c1a.acme.other.example', '_acme-challenge.b.dyn.example.test', '_acme-challenge.c.other.example', '_acme-challenge.home.dyn.example.test']);
      expect(await names({})).toEqual(await names());
      expect(await names({ zone: 'dyn.example.test' })).toEqual(['_acme-challenge.b.dyn.example.test', '_acme-challenge.home.dyn.example.test']);
      expect(await names({ owner: 'bob' })).toEqual(['_acme-challenge.b.dyn.example.test', '_acme-challenge.c.other.example']);
      expect(await names({ owner: '' })).toEqual(['7d9e0c1a.acme.other.example']);
      expect(await names({ owner: 'bob', zone: 'other.example' })).toEqual(['_acme-challenge.c.other.example']);
      expect(await names({ owner: 'carol' })).toEqual([]);
      expect((await store.listChallenges({ zone: 'dyn.example.test', owner: 'alice' }))[0]).toEqual(challenge());
    });

    it('lets exactly one of concurrent challenge writes win, for a new row and for a version', async () => {
      const created = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => store.putChallenge(challenge({ values: [{ value: `new-${i}`, writtenAt: i, expiresAt: 100 + i }] }), null)),
      );
      expect(created.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of created) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
      const updated = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => store.putChallenge(challenge({ version: 2, values: [{ value: `next-${i}`, writtenAt: i, expiresAt: 100 + i }] }), 1)),
      );
      expect(updated.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const deleted = await Promise.allSettled(Array.from({ length: 4 }, () => store.deleteChallenge(challenge().name, 2)));
      expect(deleted.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(await store.listChallenges()).toEqual([]);
    });

    it('keeps TSIG keys with their sealed secret as given, unique by name across users', async () => {
      await store.createUser(alice);
      await store.createUser(bob);
      const k1 = tsigKey();
      const k2 = tsigKey({ name: 'alice-0.keys.example.test', algorithm: 'hmac-sha512', sealedSecret: 'v1.other', createdAt: 11 });
      await store.createTsigKey(k1);
      await store.createTsigKey(k2);
      expect(await store.getTsigKey(k1.name)).toEqual(k1);
      expect(await store.getTsigKey('nobody.keys.example.test')).toBeUndefined();
      expect(await store.listTsigKeys('alice')).toEqual([k2, k1]);
      expect(await store.listTsigKeys('bob')).toEqual([]);
      await expect(store.createTsigKey(tsigKey({ username: 'bob', sealedSecret: 'v1.bobs' }))).rejects.toMatchObject({ code: 'tsig_key_exists' });
      await expect(store.createTsigKey(tsigKey({ sealedSecret: 'v1.again' }))).rejects.toMatchObject({ code: 'tsig_key_exists' });
      expect(await store.getTsigKey(k1.name)).toEqual(k1);
      expect(await store.listTsigKeys('bob')).toEqual([]);
      expect(await store.listTsigKeys('alice')).toEqual([k2, k1]);
      await expect(store.createTsigKey(tsigKey({ name: 'ghost.keys.example.test', username: 'nobody' }))).rejects.toMatchObject({ code: 'user_not_found' });
      expect(await store.getTsigKey('ghost.keys.example.test')).toBeUndefined();
      expect(await store.deleteTsigKey(k1.name, 'bob')).toBe(false); // only the owner's key is deleted
      expect(await store.getTsigKey(k1.name)).toEqual(k1);
      expect(await store.deleteTsigKey(k1.name, 'alice')).toBe(true);
      expect(await store.deleteTsigKey(k1.name, 'alice')).toBe(false);
      expect(await store.getTsigKey(k1.name)).toBeUndefined();
      expect(await store.listTsigKeys('alice')).toEqual([k2]);
      // the name is free again, for anyone
      const bobs = tsigKey({ username: 'bob', sealedSecret: 'v1.bobs' });
      await store.createTsigKey(bobs);
      expect(await store.getTsigKey(k1.name)).toEqual(bobs);
      expect(await store.listTsigKeys('bob')).toEqual([bobs]);
      expect(await store.listTsigKeys('alice')).toEqual([k2]);
    });

    it('lets exactly one of concurrent creates of one TSIG key name win, across users', async () => {
      await store.createUser(alice);
      await store.createUser(bob);
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => store.createTsigKey(tsigKey({ username: i % 2 === 0 ? 'alice' : 'bob', sealedSecret: `v1.s${i}` }))),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'tsig_key_exists' });
      const winner = await store.getTsigKey(tsigKey().name);
      const listed = [...(await store.listTsigKeys('alice')), ...(await store.listTsigKeys('bob'))];
      expect(listed).toEqual([winner]);
    });

    it('keeps acme-dns accounts, unique by username and by subdomain, found by subdomain', async () => {
      await store.createUser(alice);
      const a1 = acmeAccount();
      const a2 = acmeAccount({ username: '0b3f8a62-2c41-4f0e-9d2a-5a1c7e0f0002', subdomain: '7d9e0c1a-8f3b-4a55-b2e6-0c4d5e6f0002', allowFrom: [], createdAt: 19 });
      const anonymous = acmeAccount({ username: '0b3f8a62-2c41-4f0e-9d2a-5a1c7e0f0003', subdomain: '7d9e0c1a-8f3b-4a55-b2e6-0c4d5e6f0003', owner: '', createdAt: 5 });
      for (const a of [a1, a2, anonymous]) await store.createAcmeDnsAccount(a);
      expect(await store.getAcmeDnsAccount(a1.username)).toEqual(a1);
      expect(await store.getAcmeDnsAccount(a2.username)).toEqual(a2);
      expect(await store.getAcmeDnsAccount('0b3f8a62-2c41-4f0e-9d2a-5a1c7e0f9999')).toBeUndefined();
      expect(await store.findAcmeDnsAccountBySubdomain(a1.subdomain)).toEqual(a1);
      expect(await store.findAcmeDnsAccountBySubdomain(anonymous.subdomain)).toEqual(anonymous);
      expect(await store.findAcmeDnsAccountBySubdomain('7d9e0c1a-8f3b-4a55-b2e6-0c4d5e6f9999')).toBeUndefined();
      expect(await store.listAcmeDnsAccounts('alice')).toEqual([a2, a1]);
      expect(await store.listAcmeDnsAccounts('')).toEqual([anonymous]);
      expect(await store.listAcmeDnsAccounts('bob')).toEqual([]);

      const takenUsername = acmeAccount({ subdomain: '7d9e0c1a-8f3b-4a55-b2e6-0c4d5e6f0004', secretHash: 'ee'.repeat(32) });
      await expect(store.createAcmeDnsAccount(takenUsername)).rejects.toMatchObject({ code: 'acme_dns_account_exists' });
      const takenSubdomain = acmeAccount({ username: '0b3f8a62-2c41-4f0e-9d2a-5a1c7e0f0005', secretHash: 'ee'.repeat(32) });
      await expect(store.createAcmeDnsAccount(takenSubdomain)).rejects.toMatchObject({ code: 'acme_dns_account_exists' });
      // a refusal writes nothing: the old account is intact and the refused names stay free
      expect(await store.getAcmeDnsAccount(a1.username)).toEqual(a1);
      expect(await store.findAcmeDnsAccountBySubdomain(a1.subdomain)).toEqual(a1);
      expect(await store.findAcmeDnsAccountBySubdomain(takenUsername.subdomain)).toBeUndefined();
      expect(await store.getAcmeDnsAccount(takenSubdomain.username)).toBeUndefined();
      expect(await store.listAcmeDnsAccounts('alice')).toEqual([a2, a1]);
      await expect(store.createAcmeDnsAccount(acmeAccount({ username: 'u-ghost', subdomain: 's-ghost', owner: 'nobody' }))).rejects.toMatchObject({ code: 'user_not_found' });
      expect(await store.findAcmeDnsAccountBySubdomain('s-ghost')).toBeUndefined();

      expect(await store.deleteAcmeDnsAccount(a1.username)).toBe(true);
      expect(await store.deleteAcmeDnsAccount(a1.username)).toBe(false);
      expect(await store.getAcmeDnsAccount(a1.username)).toBeUndefined();
      expect(await store.findAcmeDnsAccountBySubdomain(a1.subdomain)).toBeUndefined();
      expect(await store.listAcmeDnsAccounts('alice')).toEqual([a2]);
      // both the username and the subdomain are free again
      await store.createAcmeDnsAccount(takenSubdomain);
      expect(await store.findAcmeDnsAccountBySubdomain(a1.subdomain)).toEqual(takenSubdomain);
      await store.createAcmeDnsAccount(takenUsername);
      expect(await store.getAcmeDnsAccount(a1.username)).toEqual(takenUsername);
    });

    it('lets exactly one of concurrent acme-dns registrations of one subdomain, or one username, win', async () => {
      await store.createUser(alice);
      const sameSubdomain = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => store.createAcmeDnsAccount(acmeAccount({ username: `user-${i}`, secretHash: `${i}`.repeat(64) }))),
      );
      expect(sameSubdomain.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of sameSubdomain) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'acme_dns_account_exists' });
      const holder = await store.findAcmeDnsAccountBySubdomain(acmeAccount().subdomain);
      expect(holder).toBeDefined();
      expect(await store.listAcmeDnsAccounts('alice')).toEqual([holder]);

      const sameUsername = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => store.createAcmeDnsAccount(acmeAccount({ username: 'shared-user', subdomain: `sub-${i}` }))),
      );
      expect(sameUsername.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of sameUsername) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'acme_dns_account_exists' });
      const shared = await store.getAcmeDnsAccount('shared-user');
      const found = (await Promise.all(Array.from({ length: 6 }, (_, i) => store.findAcmeDnsAccountBySubdomain(`sub-${i}`)))).filter((a) => a !== undefined);
      expect(found).toEqual([shared]);
      expect(await store.listAcmeDnsAccounts('alice')).toHaveLength(2);
    });

    it("removes a user's TSIG keys and acme-dns accounts with the user, and only theirs", async () => {
      await store.createUser(alice);
      await store.createUser(bob);
      await store.createTsigKey(tsigKey());
      await store.createTsigKey(tsigKey({ name: 'bob-1.keys.example.test', username: 'bob' }));
      await store.createAcmeDnsAccount(acmeAccount());
      const bobs = acmeAccount({ username: 'bob-account', subdomain: 'bob-sub', owner: 'bob' });
      const anonymous = acmeAccount({ username: 'anon-account', subdomain: 'anon-sub', owner: '' });
      await store.createAcmeDnsAccount(bobs);
      await store.createAcmeDnsAccount(anonymous);
      await store.putChallenge(challenge(), null);
      expect(await store.deleteUser('alice')).toBe(true);
      expect(await store.getTsigKey(tsigKey().name)).toBeUndefined();
      expect(await store.listTsigKeys('alice')).toEqual([]);
      expect(await store.getAcmeDnsAccount(acmeAccount().username)).toBeUndefined();
      expect(await store.findAcmeDnsAccountBySubdomain(acmeAccount().subdomain)).toBeUndefined();
      expect(await store.listAcmeDnsAccounts('alice')).toEqual([]);
      expect(await store.getTsigKey('bob-1.keys.example.test')).toMatchObject({ username: 'bob' });
      expect(await store.getAcmeDnsAccount('bob-account')).toEqual(bobs);
      expect(await store.findAcmeDnsAccountBySubdomain('anon-sub')).toEqual(anonymous);
      // challenge rows are the use case's to remove (they must be unpublished first)
      expect(await store.getChallenge(challenge().name)).toEqual(challenge());
      // a new user of the same name inherits nothing, and the names are free again
      await store.createUser(alice);
      expect(await store.listTsigKeys('alice')).toEqual([]);
      expect(await store.listAcmeDnsAccounts('alice')).toEqual([]);
      await store.createTsigKey(tsigKey());
      await store.createAcmeDnsAccount(acmeAccount());
      expect(await store.listTsigKeys('alice')).toEqual([tsigKey()]);
    });

    it('keeps settings', async () => {
      expect(await store.getSetting('k')).toBeUndefined();
      await store.setSetting('k', 'v1');
      await store.setSetting('k', 'v2');
      expect(await store.getSetting('k')).toBe('v2');
    });
  });
}
