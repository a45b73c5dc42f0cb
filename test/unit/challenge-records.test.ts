/**
 * Challenge records: several values per name, each expiring on its own,
 * aliases, foreign records, user and grant removal, and convergence of
 * writers in several processes (two cores on one store and one provider).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuiltinDnsPublisher } from '../../src/adapters/dns/builtin/publisher.js';
import { MemoryDnsProvider } from '../../src/adapters/dns/memory.js';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { DynamoDbStore } from '../../src/adapters/store/dynamodb.js';
import { SqliteStore } from '../../src/adapters/store/sqlite.js';
import { wireCore, type Core } from '../../src/config/core.js';
import { loadConfig } from '../../src/config/env.js';
import { MAX_CHALLENGE_VALUES } from '../../src/domain/challenges.js';
import type { RRSet } from '../../src/domain/records.js';
import type { PasswordHasher } from '../../src/ports/password-hasher.js';
import type { Store } from '../../src/ports/store.js';
import { startDynalite } from '../support/dynalite.js';

const ZONE = 'dyn.example.test';
const NAME = `_acme-challenge.home.${ZONE}`;
const HOUR = 3_600_000;
const plainHasher: PasswordHasher = { hash: async (p) => `plain:${p}`, verify: async (h, p) => h === `plain:${p}` };

interface World {
  readonly store: MemoryStore;
  readonly provider: MemoryDnsProvider;
  readonly clock: { now: number };
  readonly errors: string[];
  core(): Core;
}

function world(options: { shared?: boolean } = {}): World {
  const store = new MemoryStore();
  const provider = new MemoryDnsProvider([ZONE], { shared: options.shared ?? false });
  const clock = { now: 1_000_000 };
  const errors: string[] = [];
  const config = loadConfig({ SIGNPOST_ZONES: ZONE, SIGNPOST_LOG_LEVEL: 'silent' });
  const logger = createLogger('error', { write: (line: string) => void errors.push(line) });
  return { store, provider, clock, errors, core: () => wireCore(config, { store, provider, logger, hasher: plainHasher, now: () => clock.now }) };
}

/** The TXT values published at a name, unquoted and sorted. */
async function published(provider: MemoryDnsProvider, name = NAME, type = 'TXT'): Promise<string[]> {
  const sets = (await provider.records(ZONE)).filter((r: RRSet) => r.name === name && r.type === type);
  return sets.flatMap((r) => r.values.map((v) => (type === 'TXT' ? v.slice(1, -1) : v))).sort();
}

describe('ChallengeRecords', () => {
  it('holds several values at once (a certificate for a name and its wildcard); past 16 the oldest goes', async () => {
    const w = world();
    const core = w.core();
    const values = Array.from({ length: 12 }, (_, i) => `token-${String(i).padStart(2, '0')}`);
    for (const v of values) {
      await core.challenges.add(NAME, v, 'alice');
      w.clock.now += 1000;
    }
    expect(await published(w.provider)).toEqual(values);
    const more = Array.from({ length: 6 }, (_, i) => `token-${12 + i}`);
    for (const v of more) {
      await core.challenges.add(NAME, v, 'alice');
      w.clock.now += 1000;
    }
    const all = [...values, ...more];
    expect(await published(w.provider)).toEqual(all.slice(-MAX_CHALLENGE_VALUES).sort());
    expect((await w.store.getChallenge(NAME))?.values).toHaveLength(MAX_CHALLENGE_VALUES);
  });

  it('re-adding a value refreshes it instead of holding it twice; keep holds only the newest', async () => {
    const w = world();
    const core = w.core();
    await core.challenges.add(NAME, 'a', 'alice');
    await core.challenges.add(NAME, 'a', 'alice');
    expect(await published(w.provider)).toEqual(['a']);
    for (const v of ['b', 'c', 'd']) {
      w.clock.now += 1000;
      await core.challenges.add(NAME, v, 'alice', { keep: 2 });
    }
    expect(await published(w.provider)).toEqual(['c', 'd']);
  });

  it('each value expires on its own: the sweep unpublishes it, and the row goes with the last one', async () => {
    const w = world();
    const core = w.core();
    await core.challenges.add(NAME, 'first', 'alice');
    w.clock.now += HOUR / 2;
    await core.challenges.add(NAME, 'second', 'alice');
    expect(await core.challenges.sweep()).toBe(0);
    w.clock.now += HOUR / 2; // `first` is an hour old
    expect(await core.challenges.sweep()).toBe(1);
    expect(await published(w.provider)).toEqual(['second']);
    w.clock.now += HOUR / 2;
    expect(await core.challenges.sweep()).toBe(1);
    expect(await published(w.provider)).toEqual([]);
    expect(await w.store.getChallenge(NAME)).toBeUndefined();
    expect(await core.challenges.sweep()).toBe(0);
  });

  it('removes one value or all of them; a removed name is free again', async () => {
    const w = world({ shared: true });
    const core = w.core();
    for (const v of ['x', 'y', 'z']) await core.challenges.add(NAME, v, 'alice');
    await core.challenges.remove(NAME, 'y', 'alice');
    expect(await published(w.provider)).toEqual(['x', 'z']);
    await core.challenges.remove(NAME, 'not-there', 'alice');
    expect(await published(w.provider)).toEqual(['x', 'z']);
    await core.challenges.remove(NAME, undefined, 'alice');
    expect(await published(w.provider)).toEqual([]);
    expect(await w.store.getChallenge(NAME)).toBeUndefined();
    await core.challenges.remove(NAME, undefined, 'alice'); // nothing there: not an error
    expect(await w.provider.records(ZONE)).toEqual([]);
  });

  it('an alias replaces the values, and a value replaces the alias', async () => {
    const w = world({ shared: true });
    const core = w.core();
    const target = `3f0c9a2e-8d1b-4c55-a0a1-7b2e9d4c6f10.acme.${ZONE}`;
    await core.challenges.add(NAME, 'v1', 'alice');
    await core.challenges.setAlias(NAME, `${target.toUpperCase()}.`, 'alice');
    expect(await published(w.provider)).toEqual([]);
    expect(await published(w.provider, NAME, 'CNAME')).toEqual([`${target}.`]);
    await core.challenges.add(NAME, 'v2', 'alice');
    expect(await published(w.provider, NAME, 'CNAME')).toEqual([]);
    expect(await published(w.provider)).toEqual(['v2']);
    await core.challenges.setAlias(NAME, target, 'alice');
    await core.challenges.removeAlias(NAME, 'alice');
    expect(await w.provider.records(ZONE)).toEqual([]);
    expect(await w.store.getChallenge(NAME)).toBeUndefined();
  });

  it('acme-dns subdomains take values too; other names and bad values are invalid_challenge', async () => {
    const w = world();
    const core = w.core();
    const sub = `3f0c9a2e-8d1b-4c55-a0a1-7b2e9d4c6f10.acme.${ZONE}`;
    await core.challenges.add(sub, 'token', 'alice');
    expect(await published(w.provider, sub)).toEqual(['token']);
    for (const name of [`home.${ZONE}`, '_acme-challenge.home.other.test', `x.y.acme.${ZONE}`, `_acme-challenge.bad_label.${ZONE}`]) {
      await expect(core.challenges.add(name, 'token', 'alice')).rejects.toMatchObject({ code: 'invalid_challenge' });
    }
    for (const value of ['', 'x'.repeat(256), 'tab\there', 'é']) {
      await expect(core.challenges.add(NAME, value, 'alice')).rejects.toMatchObject({ code: 'invalid_challenge' });
    }
    await expect(core.challenges.setAlias(NAME, 'not a name', 'alice')).rejects.toMatchObject({ code: 'invalid_challenge' });
    expect(await w.store.getChallenge(NAME)).toBeUndefined();
  });

  it('a record Signpost did not write at the name is record_conflict, left untouched, nothing stored', async () => {
    const w = world({ shared: true });
    const foreign: RRSet = { name: NAME, type: 'TXT', ttl: 300, values: ['"hand-made"'] };
    w.provider.seed(ZONE, [foreign]);
    const core = w.core();
    await expect(core.challenges.add(NAME, 'token', 'alice')).rejects.toMatchObject({ code: 'record_conflict' });
    await expect(core.challenges.setAlias(NAME, `x.acme.${ZONE}`, 'alice')).rejects.toMatchObject({ code: 'record_conflict' });
    expect(await w.provider.records(ZONE)).toEqual([foreign]);
    expect(await w.store.getChallenge(NAME)).toBeUndefined();
    // Neither the sweep nor a reconcile touches it.
    await core.challenges.sweep();
    await core.reconciler.reconcile();
    expect(await w.provider.records(ZONE)).toEqual([foreign]);
  });

  it('mayWrite: the challenge name of a granted name, at any depth under a wildcard grant', async () => {
    const w = world();
    const core = w.core();
    await core.accounts.createUser({ username: 'alice', password: 'alice-password', domains: [`home.${ZONE}`, `*.lab.${ZONE}`] });
    expect(await core.challenges.mayWrite('alice', NAME)).toBe(true);
    expect(await core.challenges.mayWrite('alice', `_acme-challenge.a.b.lab.${ZONE}`)).toBe(true);
    expect(await core.challenges.mayWrite('alice', `_acme-challenge.lab.${ZONE}`)).toBe(false);
    expect(await core.challenges.mayWrite('alice', `_acme-challenge.other.${ZONE}`)).toBe(false);
    expect(await core.challenges.mayWrite('bob', NAME)).toBe(false);
  });
});

describe('ChallengeRecords on the built-in publisher', () => {
  it('values with quotes, backslashes and semicolons read back as written: a second sync changes nothing, removal finds them', async () => {
    const config = loadConfig({ SIGNPOST_ZONES: ZONE, SIGNPOST_LOG_LEVEL: 'silent', SIGNPOST_DNS_NS: 'ns1.{zone}=127.0.0.1' });
    const provider = new BuiltinDnsPublisher(config.dns.zones, { initialSerial: 1 });
    const core = wireCore(config, { store: new MemoryStore(), provider, hasher: plainHasher });
    const odd = ['say "hi"', 'back\\slash', 'semi;colon', '  spaced  ', '(paren)'];
    for (const v of odd) await core.challenges.add(NAME, v, 'alice');
    expect(await core.dnsRegistry.syncAt(NAME)).toBe(false);
    expect(await core.reconciler.reconcile()).toBe(0);
    await core.challenges.remove(NAME, 'say "hi"', 'alice');
    expect((await provider.records(ZONE)).find((r) => r.name === NAME)?.values).toHaveLength(odd.length - 1);
    await core.challenges.remove(NAME, undefined, 'alice');
    expect((await provider.records(ZONE)).filter((r) => r.name === NAME)).toEqual([]);
  });
});

describe('ChallengeRecords with several writers', () => {
  it('two cores (two processes) on one store and one provider, writing the same name at once: every value ends up published', async () => {
    const w = world({ shared: true });
    const [a, b] = [w.core(), w.core()];
    const writes = Array.from({ length: 8 }, (_, i) => [a.challenges.add(NAME, `a-${i}`, 'alice'), b.challenges.add(NAME, `b-${i}`, 'alice')]).flat();
    await Promise.all(writes);
    const expected = Array.from({ length: 8 }, (_, i) => [`a-${i}`, `b-${i}`]).flat().sort();
    expect(await published(w.provider)).toEqual(expected);
    expect((await w.store.getChallenge(NAME))?.values.map((v) => v.value).sort()).toEqual(expected);
    // Removing from both at once converges too.
    await Promise.all(expected.map((v, i) => (i % 2 ? a : b).challenges.remove(NAME, v, 'alice')));
    expect(await w.provider.records(ZONE)).toEqual([]);
    expect(await w.store.getChallenge(NAME)).toBeUndefined();
  });

  /** Two stores on one database, as two processes (or two Lambda containers) see it. */
  const backends: { name: string; open: () => Promise<{ stores: Store[]; close: () => Promise<void> }> }[] = [
    {
      name: 'one SQLite file',
      open: async () => {
        const dir = await mkdtemp(join(tmpdir(), 'signpost-challenge-race-'));
        const stores = [new SqliteStore(join(dir, 'signpost.db'), 10), new SqliteStore(join(dir, 'signpost.db'), 10)];
        return { stores, close: async () => (await Promise.all(stores.map((s) => s.close())), await rm(dir, { recursive: true, force: true })) };
      },
    },
    {
      name: 'one DynamoDB table (dynalite)',
      open: async () => {
        const dynamo = await startDynalite();
        const tableName = await dynamo.freshTable();
        const stores = [new DynamoDbStore({ client: dynamo.client, tableName, historyLimit: 10 }), new DynamoDbStore({ client: dynamo.client, tableName, historyLimit: 10 })];
        return { stores, close: () => dynamo.close() };
      },
    },
  ];
  for (const backend of backends) {
    it(`two processes on ${backend.name} and one shared provider converge the same way`, async () => {
      const { stores, close } = await backend.open();
      const provider = new MemoryDnsProvider([ZONE], { shared: true });
      const config = loadConfig({ SIGNPOST_ZONES: ZONE, SIGNPOST_LOG_LEVEL: 'silent' });
      const [a, b] = stores.map((store) => wireCore(config, { store, provider, hasher: plainHasher }));
      try {
        const expected = Array.from({ length: 6 }, (_, i) => [`a-${i}`, `b-${i}`]).flat().sort();
        await Promise.all(expected.map((v) => (v.startsWith('a') ? a! : b!).challenges.add(NAME, v, 'alice')));
        expect(await published(provider)).toEqual(expected);
        expect((await stores[1]!.getChallenge(NAME))?.values.map((v) => v.value).sort()).toEqual(expected);
        await Promise.all(expected.map((v, i) => (i % 2 ? a! : b!).challenges.remove(NAME, v, 'alice')));
        expect(await provider.records(ZONE)).toEqual([]);
        expect(await stores[0]!.getChallenge(NAME)).toBeUndefined();
      } finally {
        await close();
      }
    });
  }

  it('a crash between the store write and publishing is repaired by the next sync or reconcile', async () => {
    const w = world({ shared: true });
    const core = w.core();
    // The store holds a value that never reached DNS (the process died in between).
    const value = { value: 'orphan', writtenAt: w.clock.now, expiresAt: w.clock.now + HOUR };
    await w.store.putChallenge({ name: NAME, zone: ZONE, owner: 'alice', values: [value], version: 1 }, null);
    expect(await core.dnsRegistry.syncAt(NAME)).toBe(true);
    expect(await published(w.provider)).toEqual(['orphan']);
    expect(await core.dnsRegistry.syncAt(NAME)).toBe(false);

    // A publish that fails keeps the value in the store; a reconcile publishes it later.
    w.provider.failNext();
    await expect(core.challenges.add(NAME, 'later', 'alice')).rejects.toMatchObject({ name: 'PublishError', kind: 'unavailable' });
    expect(await published(w.provider)).toEqual(['orphan']);
    expect(await core.reconciler.reconcile()).toBe(1);
    expect(await published(w.provider)).toEqual(['later', 'orphan']);
  });

  it('a reconcile removes a value that expired before the sweep, without reporting it as drift', async () => {
    const w = world({ shared: true });
    const core = w.core();
    await core.challenges.add(NAME, 'old', 'alice');
    w.clock.now += HOUR / 2;
    await core.challenges.add(NAME, 'new', 'alice');
    w.clock.now += HOUR / 2;
    expect(await core.reconciler.reconcile()).toBe(1);
    expect(await published(w.provider)).toEqual(['new']);
    expect(w.errors).toEqual([]);
  });

  it('syncAt may be called while holding the name lock (re-entrant)', async () => {
    const w = world();
    const core = w.core();
    await w.store.putChallenge({ name: NAME, zone: ZONE, owner: 'alice', values: [{ value: 'v', writtenAt: 0, expiresAt: w.clock.now + HOUR }], version: 1 }, null);
    expect(await core.dnsRegistry.locks.run(NAME, () => core.dnsRegistry.syncAt(NAME))).toBe(true);
  });
});

describe('challenge records and accounts', () => {
  it('deleting a user removes and unpublishes their challenge records; removing a grant those it covered', async () => {
    const w = world({ shared: true });
    const core = w.core();
    await core.accounts.createUser({ username: 'alice', password: 'alice-password', domains: [`home.${ZONE}`, `*.lab.${ZONE}`] });
    await core.accounts.createUser({ username: 'bob', password: 'bob-password', domains: [`bob.${ZONE}`] });
    const labName = `_acme-challenge.x.lab.${ZONE}`;
    const acmeDnsName = `3f0c9a2e-8d1b-4c55-a0a1-7b2e9d4c6f10.acme.${ZONE}`;
    await core.challenges.add(NAME, 'home', 'alice');
    await core.challenges.add(labName, 'lab', 'alice');
    await core.challenges.add(acmeDnsName, 'acme-dns', 'alice');
    await core.challenges.add(`_acme-challenge.bob.${ZONE}`, 'bob', 'bob');

    await core.accounts.removeGrant('alice', `*.lab.${ZONE}`);
    expect(await published(w.provider, labName)).toEqual([]);
    expect(await w.store.getChallenge(labName)).toBeUndefined();
    expect(await published(w.provider)).toEqual(['home']);
    expect(await published(w.provider, acmeDnsName)).toEqual(['acme-dns']); // the acme-dns account's, not a grant's

    await core.accounts.deleteUser('alice');
    expect((await w.provider.records(ZONE)).map((r) => r.name)).toEqual([`_acme-challenge.bob.${ZONE}`]);
    expect((await core.challenges.list()).map((r) => r.owner)).toEqual(['bob']);
  });
});
