/** The DNS registry: zone choice, the owner lookup and reconcile on exclusive and shared backends. */
import { describe, expect, it } from 'vitest';
import { MemoryDnsProvider } from '../../src/adapters/dns/memory.js';
import { MemoryInstanceRegistry } from '../../src/adapters/store/instance-registry-memory.js';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { HostOwners, InstanceOwners } from '../../src/app/dns-owners.js';
import { DnsRegistry } from '../../src/app/dns-registry.js';
import type { Host } from '../../src/domain/model.js';
import type { RRSet } from '../../src/domain/records.js';
import type { ZoneRef } from '../../src/ports/dns-provider.js';

const ZONE = 'dyn.example.test';
const a = (name: string, value: string): RRSet => ({ name, type: 'A', ttl: 60, values: [value] });
const host = (name: string, v4: string): Host => ({ name, zone: ZONE, owner: 'alice', addresses: { v4 }, ttl: 60, updatedAt: 0, version: 1 });
const show = (sets: readonly RRSet[]) => sets.map((r) => `${r.name} ${r.type} ${r.values.join(',')}`).sort();

async function world(shared: boolean) {
  const provider = new MemoryDnsProvider([ZONE], { shared });
  const store = new MemoryStore();
  const instances = new MemoryInstanceRegistry();
  const errors: string[] = [];
  const dns = new DnsRegistry(provider, { onError: (message) => void errors.push(message) });
  dns.addSource(new HostOwners(store, [ZONE], () => provider.zones()));
  dns.addSource(new InstanceOwners(instances));
  const zone = (await provider.zones())[0]!;
  return { provider, store, instances, errors, dns, zone };
}

describe('DnsRegistry.zoneFor', () => {
  const zones: ZoneRef[] = [
    { id: 'Z1', name: 'example.com', private: false },
    { id: 'Z2', name: 'dyn.example.com', private: false },
    { id: 'Z3', name: 'dyn.example.com', private: true },
    { id: 'Z4', name: 'corp.example', private: true },
    { id: 'Z5', name: 'corp.example', private: true },
  ];
  const dns = new DnsRegistry(new MemoryDnsProvider(zones), { onError: () => undefined });

  it('takes the longest label-aligned suffix of the wanted visibility', async () => {
    expect((await dns.zoneFor('h.dyn.example.com', 'public'))?.id).toBe('Z2');
    expect((await dns.zoneFor('h.dyn.example.com', 'private'))?.id).toBe('Z3');
    expect((await dns.zoneFor('h.otherdyn.example.com', 'public'))?.id).toBe('Z1');
    expect(await dns.zoneFor('evilexample.com')).toBeUndefined();
  });

  it('refuses a tie, asking for configured ids', async () => {
    await expect(dns.zoneFor('h.corp.example')).rejects.toMatchObject({ kind: 'refused', message: expect.stringMatching(/configure/) });
    await expect(dns.zoneFor('h.dyn.example.com')).rejects.toMatchObject({ kind: 'refused' });
  });
});

describe('DnsRegistry owner lookup', () => {
  it('names the source and owner of a set: a dyndns2 host, an instance, or no one', async () => {
    const w = await world(true);
    await w.store.putHost(host(`home.${ZONE}`, '192.0.2.1'), null);
    await w.instances.put({ instanceId: 'i-1', state: 'running', lastEventAt: 1, version: 1, updatedAt: 1, records: [{ ...a(`app.${ZONE}`, '10.0.0.1'), zoneId: ZONE, zoneName: ZONE }] }, null);
    expect(await w.dns.ownerOf(w.zone, `home.${ZONE}`, 'A')).toEqual({ source: 'host', id: `home.${ZONE}` });
    expect(await w.dns.ownerOf(w.zone, `home.${ZONE}`, 'AAAA')).toBeUndefined();
    expect(await w.dns.ownerOf(w.zone, `app.${ZONE}`, 'A')).toEqual({ source: 'instance', id: 'i-1' });
    expect(await w.dns.ownerOf(w.zone, `else.${ZONE}`, 'A')).toBeUndefined();
  });
});

describe('DnsRegistry.reconcile', () => {
  it('on an exclusive backend: puts back what owners want (hosts and instances) and removes leftovers no one claims', async () => {
    const w = await world(false);
    w.provider.seed(ZONE, [a(`leftover.${ZONE}`, '192.0.2.9'), a(`home.${ZONE}`, '192.0.2.8')]);
    await w.store.putHost(host(`home.${ZONE}`, '192.0.2.1'), null);
    await w.instances.put({ instanceId: 'i-1', state: 'running', lastEventAt: 1, version: 1, updatedAt: 1, records: [{ ...a(`app.${ZONE}`, '10.0.0.1'), zoneId: ZONE, zoneName: ZONE }] }, null);
    expect(await w.dns.reconcile()).toBe(3);
    expect(show(await w.provider.records(ZONE))).toEqual([`app.${ZONE} A 10.0.0.1`, `home.${ZONE} A 192.0.2.1`]);
    expect(await w.dns.reconcile()).toBe(0);
  });

  it('on a shared backend: puts back lost records, restores (and reports) a changed one, never touches unclaimed sets', async () => {
    const w = await world(true);
    w.provider.seed(ZONE, [a(`www.${ZONE}`, '198.51.100.1'), a(`changed.${ZONE}`, '198.51.100.2')]);
    await w.store.putHost(host(`lost.${ZONE}`, '192.0.2.1'), null);
    await w.store.putHost(host(`changed.${ZONE}`, '192.0.2.2'), null);
    expect(await w.dns.reconcile()).toBe(2);
    expect(show(await w.provider.records(ZONE))).toEqual([`changed.${ZONE} A 192.0.2.2`, `lost.${ZONE} A 192.0.2.1`, `www.${ZONE} A 198.51.100.1`]);
    expect(w.errors).toEqual(['a record Signpost owns held other values; restored from the store']);
    expect(await w.dns.reconcile()).toBe(0);
  });

  it('logs and skips a create the backend refuses, and carries on with the other names', async () => {
    const w = await world(true);
    await w.store.putHost(host(`a.${ZONE}`, '192.0.2.1'), null);
    await w.store.putHost(host(`b.${ZONE}`, '192.0.2.2'), null);
    // Someone creates b between the read and the write: the strict create is refused, never forced.
    const original = w.provider.records.bind(w.provider);
    w.provider.records = async (zone) => {
      const before = await original(zone);
      w.provider.seed(ZONE, [a(`b.${ZONE}`, '198.51.100.3')]);
      return before;
    };
    expect(await w.dns.reconcile()).toBe(1);
    w.provider.records = original;
    expect(show(await w.provider.records(ZONE))).toEqual([`a.${ZONE} A 192.0.2.1`, `b.${ZONE} A 198.51.100.3`]);
    expect(w.errors).toEqual(['reconcile left a record alone: the backend holds something else there']);
  });
});
