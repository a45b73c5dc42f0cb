import { beforeEach, describe, expect, it } from 'vitest';
import { Route53Publisher, fromRoute53Name, type Route53PublisherOptions } from '../../src/adapters/dns/route53.js';
import { plan, invert } from '../../src/domain/plan.js';
import { hostRecordSets, type RRSet } from '../../src/domain/records.js';
import { PublishError } from '../../src/ports/publisher.js';
import { FakeRoute53 } from './fake-route53.js';

let r53: FakeRoute53;
let sleeps: number[];
const publisher = (over: Partial<Route53PublisherOptions> = {}) =>
  new Route53Publisher({ api: r53, visibility: 'public', sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, ...over });
const a = (name: string, value: string, ttl = 60): RRSet => ({ name, type: 'A', ttl, values: [value] });

beforeEach(() => {
  r53 = new FakeRoute53();
  sleeps = [];
});

describe('hosted zone selection', () => {
  it('picks the longest label-aligned suffix, never a mere string suffix', async () => {
    const apex = r53.addHostedZone('example.com');
    const dyn = r53.addHostedZone('dyn.example.com');
    r53.addHostedZone('myexample.com');
    const p = publisher();
    expect((await p.hostedZoneFor('h.dyn.example.com'))?.id).toBe(dyn);
    expect((await p.hostedZoneFor('dyn.example.com'))?.id).toBe(dyn);
    expect((await p.hostedZoneFor('h.otherdyn.example.com'))?.id).toBe(apex);
    expect((await p.hostedZoneFor('Www.Example.COM.'))?.id).toBe(apex);
    expect(await p.hostedZoneFor('h.xample.com')).toBeUndefined();
    expect(await p.hostedZoneFor('evilexample.com')).toBeUndefined();
  });

  it('pages through ListHostedZones once and caches the result between calls', async () => {
    for (let i = 0; i < 5; i++) r53.addHostedZone(`z${i}.example`);
    r53.pageSize.zones = 2;
    const p = publisher();
    expect(await p.hostedZones()).toHaveLength(5);
    expect(r53.count('listHostedZones')).toBe(3);
    await p.hostedZoneFor('a.z4.example');
    await p.applyChanges('z3.example', plan([], [a('h.z3.example', '192.0.2.1')]));
    expect(r53.count('listHostedZones')).toBe(3);
  });

  it('refreshes the cache after its lifetime and does not cache a failure', async () => {
    r53.addHostedZone('example.com');
    let now = 0;
    const p = publisher({ now: () => now, zoneCacheMs: 1000, retry: { maxAttempts: 1 } });
    r53.inject('listHostedZones', { name: 'ServiceUnavailable' });
    await expect(p.hostedZones()).rejects.toBeDefined();
    expect(await p.hostedZones()).toHaveLength(1);
    now = 2000;
    await p.hostedZones();
    expect(r53.count('listHostedZones')).toBe(3);
  });

  it('lists hosted zones again after NoSuchHostedZone (a zone deleted and recreated)', async () => {
    r53.addHostedZone('example.com');
    const p = publisher();
    await p.hostedZones();
    r53.inject('changeResourceRecordSets', { name: 'NoSuchHostedZone' });
    await expect(p.applyChanges('example.com', plan([], [a('h.example.com', '192.0.2.1')]))).rejects.toBeInstanceOf(PublishError);
    await p.applyChanges('example.com', plan([], [a('h.example.com', '192.0.2.1')]));
    expect(r53.count('listHostedZones')).toBe(2);
  });

  it('keeps public and private zones apart, explicitly', async () => {
    const pub = r53.addHostedZone('corp.example');
    const priv = r53.addHostedZone('corp.example', { private: true });
    expect((await publisher().hostedZoneFor('h.corp.example'))?.id).toBe(pub);
    expect((await publisher({ visibility: 'private' }).hostedZoneFor('h.corp.example'))?.id).toBe(priv);
  });

  it('restricts to configured hosted zone ids and refuses an ambiguous name', async () => {
    const one = r53.addHostedZone('dup.example');
    r53.addHostedZone('dup.example');
    await expect(publisher().hostedZoneFor('h.dup.example')).rejects.toBeInstanceOf(PublishError);
    expect((await publisher({ hostedZoneIds: [`/hostedzone/${one}`] }).hostedZoneFor('h.dup.example'))?.id).toBe(one);
  });
});

describe('applying plans', () => {
  let zone: string;
  beforeEach(() => {
    zone = r53.addHostedZone('dyn.example.com');
  });

  it('creates, updates and deletes in one ChangeResourceRecordSets per zone, and reads back what it wrote', async () => {
    const p = publisher();
    const v1 = [...hostRecordSets({ name: 'h.dyn.example.com', addresses: { v4: '192.0.2.1', v6: '2001:db8::1' }, ttl: 60 }), a('g.dyn.example.com', '192.0.2.5')];
    await p.applyChanges('dyn.example.com', plan([], v1));
    expect(r53.count('changeResourceRecordSets')).toBe(1);
    expect(await p.records('dyn.example.com')).toEqual(expect.arrayContaining(v1));
    const v2 = [...hostRecordSets({ name: 'h.dyn.example.com', addresses: { v4: '192.0.2.2' }, ttl: 60 }), a('k.dyn.example.com', '192.0.2.6')];
    await p.applyChanges('dyn.example.com', plan(await p.records('dyn.example.com'), v2));
    expect(r53.count('changeResourceRecordSets')).toBe(2);
    expect(r53.dump(zone)).toEqual(['h.dyn.example.com. A 60 192.0.2.2', 'k.dyn.example.com. A 60 192.0.2.6']);
    const actions = (r53.calls.at(-1)?.input as { ChangeBatch: { Changes: { Action: string }[] } }).ChangeBatch.Changes.map((c) => c.Action);
    expect(actions.sort()).toEqual(['CREATE', 'CREATE', 'DELETE', 'DELETE', 'DELETE']);
  });

  it("stores a host's wildcard as *.host and its MX, reads them back from Route 53's \\052 listing, and plans nothing the second time", async () => {
    const p = publisher();
    const desired = hostRecordSets({ name: 'h.dyn.example.com', addresses: { v4: '192.0.2.1' }, ttl: 60, wildcard: true, mx: 'mail.example.net', backmx: true });
    await p.applyChanges('dyn.example.com', plan(await p.records('dyn.example.com'), desired));
    expect(r53.dump(zone)).toEqual([
      '*.h.dyn.example.com. A 60 192.0.2.1',
      'h.dyn.example.com. A 60 192.0.2.1',
      'h.dyn.example.com. MX 60 10 h.dyn.example.com.,20 mail.example.net.',
    ]);
    const listed = await r53.listResourceRecordSets({ HostedZoneId: zone });
    expect(listed.ResourceRecordSets.map((s) => s.Name)).toContain('\\052.h.dyn.example.com.');
    expect(await p.records('dyn.example.com')).toEqual(expect.arrayContaining(desired));
    expect(plan(await p.records('dyn.example.com'), desired)).toEqual({ create: [], update: [], delete: [] });
    const off = hostRecordSets({ name: 'h.dyn.example.com', addresses: { v4: '192.0.2.2' }, ttl: 60 });
    await p.applyChanges('dyn.example.com', plan(await p.records('dyn.example.com'), off));
    expect(r53.dump(zone)).toEqual(['h.dyn.example.com. A 60 192.0.2.2']);
  });

  it('is idempotent: the same desired state twice gives an empty plan and no call', async () => {
    const p = publisher();
    const desired = hostRecordSets({ name: 'h.dyn.example.com', addresses: { v4: '192.0.2.1' }, ttl: 60 });
    await p.applyChanges('dyn.example.com', plan(await p.records('dyn.example.com'), desired));
    const second = plan(await p.records('dyn.example.com'), desired);
    expect(second).toEqual({ create: [], update: [], delete: [] });
  });

  it('refuses to clobber a record whose value is not what Signpost last wrote (nothing applied)', async () => {
    const p = publisher();
    await p.applyChanges('dyn.example.com', plan([], [a('h.dyn.example.com', '192.0.2.1'), a('j.dyn.example.com', '192.0.2.1')]));
    const stale = plan([a('h.dyn.example.com', '192.0.2.99'), a('j.dyn.example.com', '192.0.2.1')], [a('h.dyn.example.com', '192.0.2.2'), a('j.dyn.example.com', '192.0.2.3')]);
    await expect(p.applyChanges('dyn.example.com', stale)).rejects.toBeInstanceOf(PublishError);
    await expect(p.applyChanges('dyn.example.com', plan([], [a('h.dyn.example.com', '192.0.2.5')]))).rejects.toBeInstanceOf(PublishError);
    expect(r53.dump(zone)).toEqual(['h.dyn.example.com. A 60 192.0.2.1', 'j.dyn.example.com. A 60 192.0.2.1']);
  });

  it('answers a name in no writable hosted zone with a PublishError and calls nothing', async () => {
    await expect(publisher().applyChanges('other.example', plan([], [a('h.other.example', '192.0.2.1')]))).rejects.toThrow(/no public hosted zone/);
    expect(r53.count('changeResourceRecordSets')).toBe(0);
  });

  it('sends one batch per hosted zone when a plan spans two', async () => {
    const sub = r53.addHostedZone('sub.dyn.example.com');
    await publisher().applyChanges('dyn.example.com', plan([], [a('h.dyn.example.com', '192.0.2.1'), a('x.sub.dyn.example.com', '192.0.2.2')]));
    expect(r53.count('changeResourceRecordSets')).toBe(2);
    expect(r53.dump(sub)).toEqual(['x.sub.dyn.example.com. A 60 192.0.2.2']);
  });

  it('splits plans beyond 1000 changes, keeping update pairs together', async () => {
    const p = publisher();
    const initial = Array.from({ length: 1500 }, (_, i) => a(`h${i}.dyn.example.com`, '192.0.2.1'));
    await p.applyChanges('dyn.example.com', plan([], initial));
    const batches = r53.calls.filter((c) => c.method === 'changeResourceRecordSets').map((c) => (c.input as { ChangeBatch: { Changes: unknown[] } }).ChangeBatch.Changes.length);
    expect(batches).toEqual([1000, 500]);
    const moved = initial.map((r) => ({ ...r, values: ['192.0.2.2'] }));
    await p.applyChanges('dyn.example.com', plan(initial, moved));
    const more = r53.calls.filter((c) => c.method === 'changeResourceRecordSets').slice(2).map((c) => (c.input as { ChangeBatch: { Changes: unknown[] } }).ChangeBatch.Changes.length);
    expect(more).toEqual([1000, 1000, 1000]);
    expect(r53.dump(zone).every((l) => l.endsWith('192.0.2.2'))).toBe(true);
  });

  it('reverts earlier batches when a later batch of a split plan fails', async () => {
    const p = publisher({ batchLimits: { changes: 2, records: 1000 } });
    await p.applyChanges('dyn.example.com', plan([], [a('taken.dyn.example.com', '192.0.2.9')]));
    const desired = [a('h1.dyn.example.com', '192.0.2.1'), a('h2.dyn.example.com', '192.0.2.1'), a('taken.dyn.example.com', '192.0.2.1')];
    await expect(p.applyChanges('dyn.example.com', { create: desired, update: [], delete: [] })).rejects.toBeInstanceOf(PublishError);
    expect(r53.dump(zone)).toEqual(['taken.dyn.example.com. A 60 192.0.2.9']);
  });

  it('retries Throttling and PriorRequestNotComplete with jittered exponential backoff', async () => {
    const p = publisher({ retry: { baseDelayMs: 100, maxDelayMs: 250 } });
    r53.inject('changeResourceRecordSets', { name: 'ThrottlingException', message: 'Rate exceeded' }, { name: 'PriorRequestNotComplete' }, { name: 'Throttling' });
    await p.applyChanges('dyn.example.com', plan([], [a('h.dyn.example.com', '192.0.2.1')]));
    expect(sleeps).toEqual([50, 100, 125]); // random()=0.5 × min(250, 100·2^n)
    expect(r53.dump(zone)).toEqual(['h.dyn.example.com. A 60 192.0.2.1']);
  });

  it('gives up after the last attempt, and never retries a refused batch', async () => {
    const p = publisher({ retry: { maxAttempts: 3 } });
    r53.inject('changeResourceRecordSets', ...Array.from({ length: 3 }, () => ({ name: 'ThrottlingException' })));
    await expect(p.applyChanges('dyn.example.com', plan([], [a('h.dyn.example.com', '192.0.2.1')]))).rejects.toBeInstanceOf(PublishError);
    expect(r53.count('changeResourceRecordSets')).toBe(3);
    await expect(p.applyChanges('dyn.example.com', { create: [], update: [], delete: [a('nope.dyn.example.com', '192.0.2.1')] })).rejects.toThrow(/InvalidChangeBatch/);
    expect(r53.count('changeResourceRecordSets')).toBe(4);
  });

  it('optionally waits for INSYNC', async () => {
    r53.pendingPolls = 2;
    let now = 0;
    const p = publisher({ waitForSync: { timeoutMs: 60_000, intervalMs: 1000 }, now: () => now, sleep: async (ms) => void (now += ms) });
    await p.applyChanges('dyn.example.com', plan([], [a('h.dyn.example.com', '192.0.2.1')]));
    expect(r53.count('getChange')).toBe(3);
    await publisher().applyChanges('dyn.example.com', plan([], [a('i.dyn.example.com', '192.0.2.1')]));
    expect(r53.count('getChange')).toBe(3);
  });

  it('inverts cleanly (the use case compensates a failed store write this way)', async () => {
    const p = publisher();
    const changes = plan([], hostRecordSets({ name: 'h.dyn.example.com', addresses: { v4: '192.0.2.1', v6: '2001:db8::1' }, ttl: 60 }));
    await p.applyChanges('dyn.example.com', changes);
    await p.applyChanges('dyn.example.com', invert(changes));
    expect(r53.dump(zone)).toEqual([]);
  });
});

it('decodes Route 53 names', () => {
  expect(fromRoute53Name('\\052.Dyn.Example.COM.')).toBe('*.dyn.example.com');
});
