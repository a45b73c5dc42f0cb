/**
 * The Route 53 provider's per-name read: the sets at one name, read with a
 * ListResourceRecordSets that starts at the name and stops where the next
 * name begins, exactly as `records()` reports them.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { R53Change } from '../../src/adapters/dns/route53-api.js';
import { Route53DnsProvider, type Route53ProviderOptions } from '../../src/adapters/dns/route53.js';
import { DnsRegistry } from '../../src/app/dns-registry.js';
import type { ZoneRef } from '../../src/ports/dns-provider.js';
import { FakeRoute53 } from './fake-route53.js';

let r53: FakeRoute53;
let zone: ZoneRef;
const provider = (over: Partial<Route53ProviderOptions> = {}) =>
  new Route53DnsProvider({ api: r53, visibility: 'public', sleep: async () => undefined, random: () => 0, ...over });
const set = (Name: string, Type: string, ...values: string[]) => ({ Name, Type, TTL: 60, ResourceRecords: values.map((Value) => ({ Value })) });
const create = (...sets: ReturnType<typeof set>[]) =>
  r53.changeResourceRecordSets({ HostedZoneId: zone.id, ChangeBatch: { Changes: sets.map((s): R53Change => ({ Action: 'CREATE', ResourceRecordSet: s })) } });
const listCalls = () => r53.calls.filter((c) => c.method === 'listResourceRecordSets').map((c) => c.input);

beforeEach(async () => {
  r53 = new FakeRoute53();
  const id = r53.addHostedZone('example.com');
  zone = { id, name: 'example.com', private: false };
  await create(
    set('example.com.', 'MX', '10 mail.example.com.'),
    set('h.example.com.', 'A', '192.0.2.1'),
    set('h.example.com.', 'AAAA', '2001:db8::1'),
    set('h.example.com.', 'MX', '10 mail.example.net.'),
    set('h.example.com.', 'TXT', '"v=spf1 -all"'),
    set('h.example.com.', 'CAA', '0 issue "letsencrypt.org"'), // a type Signpost does not model
    set('_acme-challenge.h.example.com.', 'TXT', '"token-1"', '"token-2"'),
    set('a.h.example.com.', 'A', '192.0.2.2'),
    set('h-x.example.com.', 'A', '192.0.2.3'),
    set('*.h.example.com.', 'A', '192.0.2.4'),
    set('*.example.com.', 'CNAME', 'target.example.net.'),
    set('_acme-challenge.c.example.com.', 'CNAME', 'uuid.acme.example.com.'),
  );
});

describe('Route 53 recordsAt', () => {
  it('reports at every name exactly what records() reports there, and nothing at a name without sets', async () => {
    const p = provider();
    const all = await p.records(zone);
    const names = [...new Set(all.map((s) => s.name)), 'nothing.example.com', 'c.example.com', 'example.com'];
    for (const name of names) {
      expect({ name, sets: await p.recordsAt(zone, name) }).toEqual({ name, sets: all.filter((s) => s.name === name) });
    }
    expect(await p.recordsAt(zone, 'h.example.com')).toEqual([
      { name: 'h.example.com', type: 'A', ttl: 60, values: ['192.0.2.1'] },
      { name: 'h.example.com', type: 'AAAA', ttl: 60, values: ['2001:db8::1'] },
      { name: 'h.example.com', type: 'MX', ttl: 60, values: ['10 mail.example.net.'] },
      { name: 'h.example.com', type: 'TXT', ttl: 60, values: ['"v=spf1 -all"'] },
    ]);
    expect(await p.recordsAt(zone, '_acme-challenge.h.example.com')).toEqual([
      { name: '_acme-challenge.h.example.com', type: 'TXT', ttl: 60, values: ['"token-1"', '"token-2"'] },
    ]);
    expect(await p.recordsAt(zone, '*.example.com')).toEqual([{ name: '*.example.com', type: 'CNAME', ttl: 60, values: ['target.example.net.'] }]);
    expect(await p.recordsAt(zone, 'H.Example.COM.')).toEqual(await p.recordsAt(zone, 'h.example.com'));
  });

  it('reads one page that starts at the name, spelling a wildcard as Route 53 lists it', async () => {
    const p = provider();
    r53.calls.length = 0;
    await p.recordsAt(zone, '_acme-challenge.h.example.com');
    await p.recordsAt(zone, '*.h.example.com');
    expect(listCalls()).toEqual([
      { HostedZoneId: zone.id, StartRecordName: '_acme-challenge.h.example.com.', MaxItems: 10 },
      { HostedZoneId: zone.id, StartRecordName: '\\052.h.example.com.', MaxItems: 10 },
    ]);
  });

  it('pages while the name goes on, and stops at the first set of the next name', async () => {
    const p = provider({ atNamePageSize: 2 });
    r53.calls.length = 0;
    // h.example.com holds five sets (A, AAAA, CAA, MX, TXT): pages of 2, 2, then 1 plus the next name's first
    expect((await p.recordsAt(zone, 'h.example.com')).map((s) => s.type)).toEqual(['A', 'AAAA', 'MX', 'TXT']);
    expect(listCalls()).toEqual([
      { HostedZoneId: zone.id, StartRecordName: 'h.example.com.', MaxItems: 2 },
      { HostedZoneId: zone.id, StartRecordName: 'h.example.com.', StartRecordType: 'CAA', MaxItems: 2 },
      { HostedZoneId: zone.id, StartRecordName: 'h.example.com.', StartRecordType: 'TXT', MaxItems: 2 },
    ]);
  });

  it("turns Route 53's answers into the port's errors, retrying throttling", async () => {
    const p = provider({ retry: { maxAttempts: 3 } });
    r53.inject('listResourceRecordSets', { name: 'Throttling', message: 'Rate exceeded' });
    expect(await p.recordsAt(zone, 'a.h.example.com')).toEqual([{ name: 'a.h.example.com', type: 'A', ttl: 60, values: ['192.0.2.2'] }]);
    r53.inject('listResourceRecordSets', { name: 'ServiceUnavailable' });
    await expect(p.recordsAt(zone, 'a.h.example.com')).rejects.toMatchObject({ name: 'PublishError', kind: 'unavailable' });
    await expect(p.recordsAt({ ...zone, id: 'ZGONE' }, 'a.h.example.com')).rejects.toMatchObject({ name: 'PublishError', kind: 'refused' });
  });

  it('is what the DNS registry reads at a name, without listing the zone', async () => {
    for (let i = 0; i < 400; i++) await create(set(`bulk${i}.example.com.`, 'A', '192.0.2.9'));
    const registry = new DnsRegistry(provider(), { onError: () => undefined });
    r53.calls.length = 0;
    expect(await registry.recordsAt(zone, '_acme-challenge.c.example.com')).toEqual([
      { name: '_acme-challenge.c.example.com', type: 'CNAME', ttl: 60, values: ['uuid.acme.example.com.'] },
    ]);
    expect(listCalls()).toHaveLength(1);
  });
});
