import { describe, expect, it } from 'vitest';
import { MemoryPublisher } from '../../src/adapters/dns/memory.js';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { KeyedMutex } from '../../src/app/keyed-mutex.js';
import { Reconciler } from '../../src/app/reconcile.js';
import type { Host } from '../../src/domain/model.js';

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
