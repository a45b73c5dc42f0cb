import { describe, expect, it } from 'vitest';
import { MemoryPublisher } from '../../src/adapters/dns/memory.js';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { KeyedMutex } from '../../src/app/keyed-mutex.js';
import { Reconciler } from '../../src/app/reconcile.js';
import { UpdateHosts } from '../../src/app/update-hosts.js';
import { AbuseTracker } from '../../src/domain/abuse.js';
import { ConflictError } from '../../src/domain/errors.js';
import type { Host } from '../../src/domain/model.js';
import type { Store } from '../../src/ports/store.js';

const host = (name: string, v4: string, version = 1): Host => ({
  name,
  zone: 'dyn.example.test',
  owner: 'alice',
  addresses: { v4 },
  ttl: 60,
  updatedAt: 0,
  version,
});

describe('Reconciler', () => {
  it('creates, updates and deletes published records to match the store, then is idempotent', async () => {
    const store = new MemoryStore();
    const publisher = new MemoryPublisher();
    publisher.seed('dyn.example.test', [
      { name: 'gone.dyn.example.test', type: 'A', ttl: 60, values: ['192.0.2.1'] },
      { name: 'moved.dyn.example.test', type: 'A', ttl: 60, values: ['192.0.2.2'] },
    ]);
    await store.putHost(host('moved.dyn.example.test', '192.0.2.22'), null);
    await store.putHost(host('new.dyn.example.test', '192.0.2.3'), null);
    const errors: unknown[] = [];
    const reconciler = new Reconciler({ store, publisher, zones: ['dyn.example.test'], locks: new KeyedMutex(), onError: (_m, e) => errors.push(e) });
    expect(await reconciler.reconcile()).toBe(3);
    const published = (await publisher.records('dyn.example.test')).map((r) => `${r.name} ${r.values[0]}`).sort();
    expect(published).toEqual(['moved.dyn.example.test 192.0.2.22', 'new.dyn.example.test 192.0.2.3']);
    expect(await reconciler.reconcile()).toBe(0);
    expect(errors).toEqual([]);
  });
});

describe('Reconciler and the extras of a host', () => {
  it("puts back a host's lost wildcard and MX sets, removes a wildcard the host no longer wants, and leaves an MX no host holds", async () => {
    const store = new MemoryStore();
    const publisher = new MemoryPublisher();
    publisher.seed('dyn.example.test', [
      { name: 'w.dyn.example.test', type: 'A', ttl: 60, values: ['192.0.2.5'] },
      { name: '*.plain.dyn.example.test', type: 'A', ttl: 60, values: ['192.0.2.6'] },
      { name: 'plain.dyn.example.test', type: 'A', ttl: 60, values: ['192.0.2.6'] },
      { name: 'dyn.example.test', type: 'MX', ttl: 300, values: ['10 mx.corp.example.'] },
    ]);
    await store.putHost({ ...host('w.dyn.example.test', '192.0.2.5'), wildcard: true, mx: 'mx.example.net' }, null);
    await store.putHost(host('plain.dyn.example.test', '192.0.2.6'), null);
    const reconciler = new Reconciler({ store, publisher, zones: ['dyn.example.test'], locks: new KeyedMutex(), onError: () => {} });
    expect(await reconciler.reconcile()).toBe(2);
    const published = (await publisher.records('dyn.example.test')).map((r) => `${r.name} ${r.type} ${r.values.join(' ')}`).sort();
    expect(published).toEqual([
      '*.w.dyn.example.test A 192.0.2.5',
      'dyn.example.test MX 10 mx.corp.example.',
      'plain.dyn.example.test A 192.0.2.6',
      'w.dyn.example.test A 192.0.2.5',
      'w.dyn.example.test MX 10 mx.example.net.',
    ]);
    expect(await reconciler.reconcile()).toBe(0);
  });
});

describe('Reconciler.applyTtl (SIGNPOST_TTL changed since hosts were written)', () => {
  const zone = 'dyn.example.test';
  const setup = async () => {
    const store = new MemoryStore();
    const publisher = new MemoryPublisher();
    publisher.seed(zone, [
      { name: 'a.dyn.example.test', type: 'A', ttl: 60, values: ['192.0.2.1'] },
      { name: 'b.dyn.example.test', type: 'A', ttl: 300, values: ['192.0.2.2'] },
    ]);
    await store.putHost(host('a.dyn.example.test', '192.0.2.1', 4), null);
    await store.putHost({ ...host('b.dyn.example.test', '192.0.2.2'), ttl: 300 }, null);
    const errors: string[] = [];
    const deps = { publisher, zones: [zone], locks: new KeyedMutex(), onError: (m: string) => void errors.push(m) };
    return { store, publisher, errors, deps };
  };

  it('moves hosts with another TTL in DNS and store (new version), leaves the rest, then is idempotent', async () => {
    const { store, publisher, errors, deps } = await setup();
    const reconciler = new Reconciler({ ...deps, store });
    expect(await reconciler.applyTtl(300)).toBe(1);
    expect((await publisher.records(zone)).map((r) => `${r.name} ${r.ttl}`).sort()).toEqual(['a.dyn.example.test 300', 'b.dyn.example.test 300']);
    expect(await store.getHost('a.dyn.example.test')).toMatchObject({ ttl: 300, version: 5, addresses: { v4: '192.0.2.1' } });
    expect((await store.getHost('b.dyn.example.test'))?.version).toBe(1);
    expect(await reconciler.applyTtl(300)).toBe(0);
    expect(errors).toEqual([]);
  });

  it('stops between hosts when its signal is aborted (shutdown), leaving the rest for the next pass', async () => {
    const { store, deps } = await setup();
    const stop = new AbortController();
    stop.abort();
    expect(await new Reconciler({ ...deps, store }).applyTtl(300, stop.signal)).toBe(0);
    expect((await store.getHost('a.dyn.example.test'))?.ttl).toBe(60);
  });

  it('a failed publish changes nothing; a lost store race is undone in DNS', async () => {
    const { store, publisher, errors, deps } = await setup();
    publisher.failNext();
    expect(await new Reconciler({ ...deps, store }).applyTtl(300)).toBe(0);
    expect((await store.getHost('a.dyn.example.test'))?.ttl).toBe(60);
    expect((await publisher.records(zone)).find((r) => r.name === 'a.dyn.example.test')?.ttl).toBe(60);

    const racing: Store = Object.assign(Object.create(store) as Store, { putHost: async () => Promise.reject(new ConflictError()) });
    expect(await new Reconciler({ ...deps, store: racing }).applyTtl(300)).toBe(0);
    expect((await publisher.records(zone)).find((r) => r.name === 'a.dyn.example.test')?.ttl).toBe(60);
    expect(errors).toHaveLength(2);
  });
});

describe('UpdateHosts with a changed SIGNPOST_TTL (how Lambda, which has no start, picks it up)', () => {
  it('the next update applies the configured TTL even when the address is unchanged, answering good', async () => {
    const store = new MemoryStore();
    const publisher = new MemoryPublisher();
    publisher.seed('dyn.example.test', [{ name: 'a.dyn.example.test', type: 'A', ttl: 60, values: ['192.0.2.1'] }]);
    await store.putHost(host('a.dyn.example.test', '192.0.2.1'), null);
    const updates = new UpdateHosts({
      store,
      publisher,
      zones: ['dyn.example.test'],
      reserved: [],
      ttl: 300,
      abuse: new AbuseTracker({ windowMs: 3_600_000, maxUpdates: 0, maxNochg: 0, nochgIntervalMs: 60_000, blockMs: 0 }),
      locks: new KeyedMutex(),
      now: () => 1,
      onError: () => undefined,
    });
    await store.createUser({ username: 'alice', passwordHash: 'x', createdAt: 0 });
    await store.addGrant({ username: 'alice', pattern: 'a.dyn.example.test' });
    const principal = { kind: 'user', username: 'alice' } as const;
    const result = await updates.execute({ principal, query: { hostnames: ['a.dyn.example.test'], v4: '192.0.2.1' }, sourceAddress: '192.0.2.1', userAgent: 'test' });
    expect(result).toEqual([{ code: 'good', addresses: ['192.0.2.1'] }]);
    expect((await publisher.records('dyn.example.test'))[0]?.ttl).toBe(300);
    expect((await store.getHost('a.dyn.example.test'))?.ttl).toBe(300);
  });
});
