/**
 * The UPDATE use case over the memory store, with the in-memory provider
 * and the built-in server's publisher: RFC 2136 semantics on hosts and
 * challenge rows, scope, atomicity (refusal, publish failure, store failure
 * after publishing), one serial per message, locks.
 */
import { describe, expect, it } from 'vitest';
import { BuiltinDnsPublisher } from '../../src/adapters/dns/builtin/publisher.js';
import { MemoryDnsProvider } from '../../src/adapters/dns/memory.js';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { HostOwners } from '../../src/app/dns-owners.js';
import { DnsRegistry } from '../../src/app/dns-registry.js';
import { DnsUpdates } from '../../src/app/dns-updates.js';
import { loadConfig } from '../../src/config/env.js';
import { wireCore } from '../../src/config/core.js';
import type { ChallengeRecord } from '../../src/domain/challenges.js';
import type { DnsUpdateRequest, UpdateRR } from '../../src/domain/dns-update.js';
import type { Host } from '../../src/domain/model.js';
import { hostRecordSets, type RRSet } from '../../src/domain/records.js';
import type { DnsProvider } from '../../src/ports/dns-provider.js';
import { dnsEnv, ZONE } from '../dns/support.js';
import { plainHasher } from '../support/authorization-table.js';

const HOME = `home.${ZONE}`; // alice's
const LAB = `lab.${ZONE}`; // alice's
const BOBS = `bob.${ZONE}`; // bob's
const CH_HOME = `_acme-challenge.${HOME}`;
const CH_BOB = `_acme-challenge.${BOBS}`;
const TTL = 60;
const LIFETIME_MS = 3_600_000;
const T0 = 1_700_000_000_000;

const add = (name: string, type: string, value: string, ttl = 300): UpdateRR => ({ name, type, class: 'IN', ttl, value });
const delSet = (name: string, type: string): UpdateRR => ({ name, type, class: 'ANY', ttl: 0 });
const delRR = (name: string, type: string, value: string): UpdateRR => ({ name, type, class: 'NONE', ttl: 0, value });
const exists = (name: string, type: string): UpdateRR => ({ name, type, class: 'ANY', ttl: 0 });
const notInUse = (name: string): UpdateRR => ({ name, type: 'ANY', class: 'NONE', ttl: 0 });
const request = (username: string, updates: UpdateRR[], prerequisites: UpdateRR[] = [], zone = ZONE): DnsUpdateRequest => ({
  zone,
  zoneClass: 'IN',
  prerequisites,
  updates,
  keyName: `${username}-key.`,
  username,
  sourceAddress: '192.0.2.200',
});
const host = (name: string, owner: string, v4: string): Host => ({ name, zone: ZONE, owner, addresses: { v4 }, ttl: TTL, updatedAt: 0, version: 1 });
const show = (sets: readonly RRSet[]) => sets.map((r) => `${r.name} ${r.type} ${r.ttl} ${[...r.values].sort().join(',')}`).sort();

/** A memory store whose next host or challenge write after `failAfter` good ones fails (once). */
class FlakyStore extends MemoryStore {
  failAfter = Infinity;
  private count(): void {
    if (this.failAfter-- === 0) throw new Error('disk I/O error');
  }
  override async putHost(h: Host, expected: number | null): Promise<void> {
    this.count();
    return super.putHost(h, expected);
  }
  override async putChallenge(c: ChallengeRecord, expected: number | null): Promise<void> {
    this.count();
    return super.putChallenge(c, expected);
  }
}

type Kind = 'memory' | 'builtin';

async function world(kind: Kind) {
  let serialChanges = 0;
  const provider: DnsProvider & { records(zone: string): Promise<RRSet[]> } =
    kind === 'memory' ? new MemoryDnsProvider([ZONE]) : new BuiltinDnsPublisher(dnsEnv().dns.zones, { initialSerial: 100, onChange: () => void serialChanges++ });
  const store = new FlakyStore();
  const errors: string[] = [];
  const notices: string[] = [];
  const dns = new DnsRegistry(provider, { onError: (message) => void errors.push(message) });
  dns.addSource(new HostOwners(store, [ZONE], () => provider.zones()));
  let clock = T0;
  const updates = new DnsUpdates({
    store,
    dns,
    zones: [ZONE],
    reserved: [{ name: ZONE, reason: 'the apex' }],
    ttl: TTL,
    challenges: { lifetimeMs: LIFETIME_MS, ttl: TTL },
    locks: dns.locks,
    now: () => clock,
    onError: (message) => void errors.push(message),
    onNotice: (message) => void notices.push(message),
  });
  for (const username of ['alice', 'bob']) await store.createUser({ username, passwordHash: 'x', createdAt: 0 });
  await store.addGrant({ username: 'alice', pattern: HOME });
  await store.addGrant({ username: 'alice', pattern: LAB });
  await store.addGrant({ username: 'bob', pattern: BOBS });
  const records = async () => show(await provider.records(ZONE));
  const serial = () => (provider instanceof BuiltinDnsPublisher ? provider.snapshot(ZONE)!.serial : undefined);
  return { provider, store, dns, updates, errors, notices, records, serial, serialChanges: () => serialChanges, tick: (ms: number) => void (clock += ms) };
}

/** Seeds a host in store and DNS as a dyndns2 update would have left it. */
async function seedHost(w: Awaited<ReturnType<typeof world>>, h: Host) {
  await w.store.putHost(h, null);
  await w.provider.apply((await w.provider.zones())[0]!, { create: [{ name: h.name, type: 'A', ttl: TTL, values: [h.addresses.v4!] }], update: [], delete: [] });
}

describe.each<Kind>(['memory', 'builtin'])('DnsUpdates with the %s provider', (kind) => {
  it('creates a host (client TTL ignored), changes its address by delete-then-add, and writes history naming the key', async () => {
    const w = await world(kind);
    expect(await w.updates.execute(request('alice', [add(HOME, 'A', '192.0.2.1', 5), add(HOME, 'AAAA', '2001:DB8::1', 5)]))).toBe('NOERROR');
    expect(await w.records()).toEqual([`${HOME} A 60 192.0.2.1`, `${HOME} AAAA 60 2001:db8::1`]);
    expect(await w.updates.execute(request('alice', [delSet(HOME, 'A'), add(HOME, 'A', '192.0.2.2')]))).toBe('NOERROR');
    expect(await w.records()).toEqual([`${HOME} A 60 192.0.2.2`, `${HOME} AAAA 60 2001:db8::1`]);
    expect(await w.store.getHost(HOME)).toMatchObject({ owner: 'alice', zone: ZONE, ttl: TTL, addresses: { v4: '192.0.2.2', v6: '2001:db8::1' }, version: 2 });
    const history = await w.store.listHistory(HOME, 10);
    expect(history.map((h) => [h.result, h.before, h.after])).toEqual([
      ['good', { v4: '192.0.2.1', v6: '2001:db8::1' }, { v4: '192.0.2.2', v6: '2001:db8::1' }],
      ['good', {}, { v4: '192.0.2.1', v6: '2001:db8::1' }],
    ]);
    expect(history[0]).toMatchObject({ owner: 'alice', sourceAddress: '192.0.2.200', userAgent: expect.stringContaining('alice-key.') });
  });

  it('refuses an update that would leave two addresses of a family; deleting the last removes the family and keeps the row', async () => {
    const w = await world(kind);
    await seedHost(w, host(HOME, 'alice', '192.0.2.1'));
    expect(await w.updates.execute(request('alice', [add(HOME, 'A', '192.0.2.2')]))).toBe('REFUSED');
    expect(w.notices.join()).toMatch(/more than one address/);
    expect(await w.records()).toEqual([`${HOME} A 60 192.0.2.1`]);
    expect(await w.updates.execute(request('alice', [delRR(HOME, 'A', '192.0.2.1')]))).toBe('NOERROR');
    expect(await w.records()).toEqual([]);
    expect(await w.store.getHost(HOME)).toMatchObject({ addresses: {}, version: 2 });
  });

  it('deleting everything at a host name removes its addresses (and their wildcard copies) and keeps its MX', async () => {
    const w = await world(kind);
    const h: Host = { ...host(HOME, 'alice', '192.0.2.1'), wildcard: true, mx: 'mx.example.net' };
    await w.store.putHost(h, null);
    await w.provider.apply((await w.provider.zones())[0]!, { create: hostRecordSets(h), update: [], delete: [] });
    expect(await w.updates.execute(request('alice', [delSet(HOME, 'ANY')]))).toBe('NOERROR');
    expect(await w.records()).toEqual([`${HOME} MX 60 10 mx.example.net.`]);
    expect(await w.store.getHost(HOME)).toMatchObject({ addresses: {}, wildcard: true, mx: 'mx.example.net' });
  });

  it('is atomic: a message whose third update is refused changes nothing', async () => {
    const w = await world(kind);
    await seedHost(w, host(HOME, 'alice', '192.0.2.1'));
    const before = { records: await w.records(), serial: w.serial(), host: await w.store.getHost(HOME) };
    const message = request('alice', [delSet(HOME, 'A'), add(HOME, 'A', '192.0.2.9'), add(BOBS, 'A', '192.0.2.9'), add(CH_HOME, 'TXT', '"t"')]);
    expect(await w.updates.execute(message)).toBe('REFUSED');
    expect(await w.records()).toEqual(before.records);
    expect(w.serial()).toBe(before.serial);
    expect(await w.store.getHost(HOME)).toEqual(before.host);
    expect(await w.store.getChallenge(CH_HOME)).toBeUndefined();
    expect(await w.store.listHistory(HOME, 10)).toEqual([]);
  });

  it('rolls back DNS and the rows already written when a store write fails after publishing', async () => {
    const w = await world(kind);
    await seedHost(w, host(HOME, 'alice', '192.0.2.1'));
    const before = await w.records();
    w.store.failAfter = 2; // the host and the new host are written, the challenge row is not
    const message = request('alice', [delSet(HOME, 'A'), add(HOME, 'A', '192.0.2.9'), add(LAB, 'A', '192.0.2.10'), add(CH_HOME, 'TXT', '"t"')]);
    expect(await w.updates.execute(message)).toBe('SERVFAIL');
    expect(w.errors.join()).toMatch(/reverting/);
    expect(await w.records()).toEqual(before);
    expect(await w.store.getHost(HOME)).toMatchObject({ addresses: { v4: '192.0.2.1' } });
    expect(await w.store.getHost(LAB)).toBeUndefined();
    expect(await w.store.getChallenge(CH_HOME)).toBeUndefined();
    expect((await w.store.listHistory(HOME, 1))[0]?.result).toBe('911');
    w.store.failAfter = Infinity;
    expect(await w.updates.execute(message)).toBe('NOERROR'); // versions were put back consistently
    expect(await w.records()).toEqual([`${CH_HOME} TXT 60 "t"`, `${HOME} A 60 192.0.2.9`, `${LAB} A 60 192.0.2.10`]);
  });

  it('answers SERVFAIL and changes nothing when the provider is unavailable; REFUSED with a log line for a record Signpost did not write', async () => {
    const w = await world(kind);
    if (w.provider instanceof MemoryDnsProvider) {
      w.provider.failNext();
      expect(await w.updates.execute(request('alice', [add(HOME, 'A', '192.0.2.1')]))).toBe('SERVFAIL');
      expect(await w.store.getHost(HOME)).toBeUndefined();
      expect((await w.store.listHistory(HOME, 1))[0]?.result).toBe('dnserr');
    }
    // A TXT set at the challenge name that no row of Signpost's claims.
    await w.provider.apply((await w.provider.zones())[0]!, { create: [{ name: CH_HOME, type: 'TXT', ttl: 60, values: ['"foreign"'] }], update: [], delete: [] });
    expect(await w.updates.execute(request('alice', [add(CH_HOME, 'TXT', '"mine"')]))).toBe('REFUSED');
    expect(w.errors.join()).toMatch(/did not write/);
    expect(await w.store.getChallenge(CH_HOME)).toBeUndefined();
    expect(await w.records()).toEqual([`${CH_HOME} TXT 60 "foreign"`]);
  });

  it('publishes one message as one plan: the serial moves once for several names', async () => {
    const w = await world(kind);
    const message = request('alice', [add(HOME, 'A', '192.0.2.1'), add(LAB, 'AAAA', '2001:db8::2'), add(CH_HOME, 'TXT', '"a"'), add(CH_HOME, 'TXT', '"b"')]);
    expect(await w.updates.execute(message)).toBe('NOERROR');
    expect(await w.records()).toEqual([`${CH_HOME} TXT 60 "a","b"`, `${HOME} A 60 192.0.2.1`, `${LAB} AAAA 60 2001:db8::2`]);
    if (kind === 'builtin') {
      expect(w.serial()).toBe(101);
      expect(w.serialChanges()).toBe(1);
    }
  });

  it('answers NOERROR without touching anything when nothing changes', async () => {
    const w = await world(kind);
    await seedHost(w, host(HOME, 'alice', '192.0.2.1'));
    const serial = w.serial();
    const message = request('alice', [delSet(HOME, 'AAAA'), delRR(HOME, 'A', '192.0.2.7'), delSet(CH_HOME, 'TXT'), delSet(HOME, 'A'), add(HOME, 'A', '192.0.2.1')]);
    expect(await w.updates.execute(message)).toBe('NOERROR');
    expect(w.serial()).toBe(serial);
    expect(await w.store.getHost(HOME)).toMatchObject({ version: 1 });
    expect(await w.store.listHistory(HOME, 10)).toEqual([]);
  });

  it('keeps users in their scope: alice cannot touch bob’s host or challenge names, nor repoint bob’s A', async () => {
    const w = await world(kind);
    await seedHost(w, host(BOBS, 'bob', '192.0.2.50'));
    for (const updates of [[add(BOBS, 'AAAA', '2001:db8::66')], [delSet(BOBS, 'A'), add(BOBS, 'A', '192.0.2.66')], [delSet(BOBS, 'ANY')], [add(CH_BOB, 'TXT', '"x"')], [delSet(CH_BOB, 'TXT')], [add(`other.${ZONE}`, 'A', '192.0.2.1')]]) {
      expect(await w.updates.execute(request('alice', updates))).toBe('REFUSED');
    }
    expect(await w.records()).toEqual([`${BOBS} A 60 192.0.2.50`]);
    expect(await w.updates.execute(request('bob', [add(CH_BOB, 'TXT', '"bobs"')]))).toBe('NOERROR');
    expect(await w.updates.execute(request('alice', [delRR(CH_BOB, 'TXT', '"bobs"')]))).toBe('REFUSED');
    expect(await w.records()).toEqual([`${CH_BOB} TXT 60 "bobs"`, `${BOBS} A 60 192.0.2.50`]);
    // Not MX, not CNAME at a challenge name, not the apex.
    for (const rr of [add(HOME, 'MX', '10 mx.example.'), add(CH_HOME, 'CNAME', 'x.acme.example.'), add(ZONE, 'A', '192.0.2.1')]) expect(await w.updates.execute(request('alice', [rr]))).toBe('REFUSED');
  });

  it('a host left by a user whose grant was revoked passes to the user granted the name now', async () => {
    const w = await world(kind);
    await seedHost(w, host(`old.${ZONE}`, 'bob', '192.0.2.50'));
    expect(await w.updates.execute(request('alice', [delSet(`old.${ZONE}`, 'A'), add(`old.${ZONE}`, 'A', '192.0.2.51')]))).toBe('REFUSED');
    await w.store.addGrant({ username: 'alice', pattern: `old.${ZONE}` }); // bob never held a grant for it: his row is stale
    expect(await w.updates.execute(request('alice', [delSet(`old.${ZONE}`, 'A'), add(`old.${ZONE}`, 'A', '192.0.2.51')]))).toBe('NOERROR');
    expect(await w.store.getHost(`old.${ZONE}`)).toMatchObject({ owner: 'alice', addresses: { v4: '192.0.2.51' } });
  });

  it('challenge values: several at once through several messages, each with the configured lifetime, deleted by value', async () => {
    const w = await world(kind);
    expect(await w.updates.execute(request('alice', [add(CH_HOME, 'TXT', '"first"', 1)]))).toBe('NOERROR');
    w.tick(1000);
    expect(await w.updates.execute(request('alice', [add(CH_HOME, 'TXT', 'second')]))).toBe('NOERROR');
    expect(await w.records()).toEqual([`${CH_HOME} TXT 60 "first","second"`]);
    const row = await w.store.getChallenge(CH_HOME);
    expect(row).toMatchObject({ zone: ZONE, owner: 'alice', version: 2 });
    expect(row!.values.map((v) => [v.value, v.expiresAt])).toEqual([
      ['first', T0 + LIFETIME_MS],
      ['second', T0 + 1000 + LIFETIME_MS],
    ]);
    expect(await w.updates.execute(request('alice', [delRR(CH_HOME, 'TXT', '"first"')]))).toBe('NOERROR');
    expect(await w.records()).toEqual([`${CH_HOME} TXT 60 "second"`]);
    expect(await w.updates.execute(request('alice', [delRR(CH_HOME, 'TXT', 'second')]))).toBe('NOERROR');
    expect(await w.records()).toEqual([]);
    expect(await w.store.getChallenge(CH_HOME)).toBeUndefined(); // no value left: the row goes
  });

  it('refuses a TXT value that is not one printable ASCII string', async () => {
    const w = await world(kind);
    for (const value of ['"a" "b"', '"caf\\195\\169"', '""', '"tab\\009"']) expect(await w.updates.execute(request('alice', [add(CH_HOME, 'TXT', value)])), value).toBe('REFUSED');
    expect(await w.records()).toEqual([]);
  });

  it('evaluates prerequisites against the records at the names (and under the locks)', async () => {
    const w = await world(kind);
    await seedHost(w, host(HOME, 'alice', '192.0.2.1'));
    expect(await w.updates.execute(request('alice', [add(LAB, 'A', '192.0.2.2')], [notInUse(HOME)]))).toBe('YXDOMAIN');
    expect(await w.updates.execute(request('alice', [add(LAB, 'A', '192.0.2.2')], [exists(HOME, 'AAAA')]))).toBe('NXRRSET');
    expect(await w.updates.execute(request('alice', [add(LAB, 'A', '192.0.2.2')], [{ name: HOME, type: 'A', class: 'IN', ttl: 0, value: '192.0.2.1' }]))).toBe('NOERROR');
    expect(await w.records()).toEqual([`${HOME} A 60 192.0.2.1`, `${LAB} A 60 192.0.2.2`]);
    // Racing "only if nobody is there yet" messages: each sees the result of the one before it.
    const first = (token: string) => w.updates.execute(request('alice', [add(CH_HOME, 'TXT', `"${token}"`)], [notInUse(CH_HOME)]));
    expect((await Promise.all([first('one'), first('two'), first('three')])).sort()).toEqual(['NOERROR', 'YXDOMAIN', 'YXDOMAIN']);
    expect((await w.store.getChallenge(CH_HOME))?.values).toHaveLength(1);
  });

  it('answers NOTAUTH for a zone not served here and NOTZONE for a name outside the zone', async () => {
    const w = await world(kind);
    expect(await w.updates.execute(request('alice', [add(HOME, 'A', '192.0.2.1')], [], 'other.test'))).toBe('NOTAUTH');
    expect(await w.updates.execute({ ...request('alice', [add(HOME, 'A', '192.0.2.1')]), zoneClass: 'CLASS3' })).toBe('NOTAUTH');
    expect(await w.updates.execute(request('alice', [add('home.other.test', 'A', '192.0.2.1')]))).toBe('NOTZONE');
    expect(await w.updates.execute(request('alice', [{ name: HOME, type: 'A', class: 'ANY', ttl: 60 }]))).toBe('FORMERR');
    expect(await w.records()).toEqual([]);
  });
});

describe('core.dnsUpdates', () => {
  it('is wired with the served zones, the host TTL and the challenge settings', async () => {
    const config = loadConfig({ SIGNPOST_ZONES: ZONE, SIGNPOST_TTL: '120', SIGNPOST_LOG_LEVEL: 'silent' });
    const store = new MemoryStore();
    const provider = new MemoryDnsProvider([ZONE]);
    const core = wireCore(config, { store, provider, hasher: plainHasher, logger: createLogger('silent') });
    await store.createUser({ username: 'alice', passwordHash: 'x', createdAt: 0 });
    await store.addGrant({ username: 'alice', pattern: HOME });
    expect(await core.dnsUpdates.execute(request('alice', [add(HOME, 'A', '192.0.2.1'), add(CH_HOME, 'TXT', '"v"')]))).toBe('NOERROR');
    expect(show(await provider.records(ZONE))).toEqual([`${CH_HOME} TXT 120 "v"`, `${HOME} A 120 192.0.2.1`]);
    expect(await core.dnsUpdates.execute(request('alice', [add(ZONE, 'A', '192.0.2.1')]))).toBe('REFUSED'); // the apex is reserved
  });
});
