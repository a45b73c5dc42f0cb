/** The pure decisions of instance registration, table-driven. */
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/domain/instances/ordering.js';
import { desiredRecords, nameInZone } from '../../src/domain/instances/records.js';
import { ptrName, reverseZoneName } from '../../src/domain/instances/reverse.js';
import { DEFAULT_TAG_KEYS, type DnsZone, type InstanceFacts, type InstanceRegistration } from '../../src/domain/instances/types.js';
import { chooseZones, tagValue } from '../../src/domain/instances/zones.js';

describe('reverse zones follow the mask on octet boundaries', () => {
  it.each([
    ['10.0.1.5', 24, '1.0.10.in-addr.arpa'],
    ['10.0.1.5', 16, '0.10.in-addr.arpa'],
    ['10.0.1.5', 20, '0.10.in-addr.arpa'],
    ['10.0.1.5', 28, '1.0.10.in-addr.arpa'],
    ['10.0.1.5', 8, '10.in-addr.arpa'],
    ['10.0.1.5', 7, undefined],
    ['2001:db8::1', 64, undefined],
    ['10.0.1', 24, undefined],
  ])('%s/%i → %s', (ip, mask, zone) => expect(reverseZoneName(ip, mask)).toBe(zone));
  it('names the PTR owner', () => expect(ptrName('192.168.20.7')).toBe('7.20.168.192.in-addr.arpa'));
});

describe('tags', () => {
  it('match keys exactly, in order, ignoring empty values', () => {
    expect(tagValue({ zone: 'a.example', MYZONE: 'b.example', ' ZONE': 'c.example' }, DEFAULT_TAG_KEYS.zone)).toBeUndefined();
    expect(tagValue({ ZONE: 'old.example', 'signpost:zone': 'new.example' }, DEFAULT_TAG_KEYS.zone)).toBe('new.example');
    expect(tagValue({ 'signpost:zone': '  ', ZONE: 'old.example' }, DEFAULT_TAG_KEYS.zone)).toBe('old.example');
  });
  it.each([
    ['web', 'corp.example', 'web.corp.example'],
    ['Web.Corp.Example.', 'corp.example', 'web.corp.example'],
    ['a.b', 'corp.example', 'a.b.corp.example'],
    ['corp.example', 'corp.example', undefined], // never the apex
    ['bad_label', 'corp.example', undefined],
    ['-x', 'corp.example', undefined],
  ])('name %s in %s → %s', (value, zone, name) => expect(nameInZone(value, zone)).toBe(name));
});

const facts = (over: Partial<InstanceFacts> = {}): InstanceFacts => ({
  instanceId: 'i-0123456789abcdef0',
  state: 'running',
  vpcId: 'vpc-1',
  privateIp: '10.0.1.5',
  privateDnsName: 'ip-10-0-1-5.ec2.internal',
  ipv6: [],
  subnetPrefixLength: 24,
  tags: {},
  ...over,
});

describe('zone choice', () => {
  const zones: DnsZone[] = [
    { id: 'Zother', name: 'corp.example', private: true, associated: false },
    { id: 'Zmine', name: 'corp.example', private: true, associated: true },
    { id: 'Zpub', name: 'example.com', private: false },
  ];
  it('prefers the private zone of the name that the VPC is associated with', () => {
    const d = chooseZones(facts({ tags: { ZONE: 'Corp.Example.' } }), undefined, zones, DEFAULT_TAG_KEYS);
    expect(d).toEqual({ ok: true, choice: { zoneName: 'corp.example', source: 'tag', private: zones[1] } });
  });
  it('uses the DHCP domain only when a private zone has that name', () => {
    expect(chooseZones(facts(), { vpcId: 'vpc-1', dnsSupport: true, dhcpDomainName: 'corp.example' }, zones, DEFAULT_TAG_KEYS)).toMatchObject({ ok: true, choice: { source: 'dhcp' } });
    expect(chooseZones(facts(), { vpcId: 'vpc-1', dnsSupport: true, dhcpDomainName: 'example.com' }, zones, DEFAULT_TAG_KEYS)).toMatchObject({ ok: false });
    expect(chooseZones(facts({ tags: { ZONE: 'nowhere.example' } }), undefined, zones, DEFAULT_TAG_KEYS)).toMatchObject({ ok: false, reason: expect.stringContaining('tag ZONE names the zone nowhere.example'), missingZone: 'nowhere.example' });
    // no tag and no zone for the DHCP domain is normal, not a missing zone
    expect(chooseZones(facts(), { vpcId: 'vpc-1', dnsSupport: true, dhcpDomainName: 'example.com' }, zones, DEFAULT_TAG_KEYS)).not.toHaveProperty('missingZone');
  });
  it('makes no PTR without a private A record (a public-only instance), and none without the reverse zone', () => {
    const rev: DnsZone = { id: 'Zrev', name: '1.0.10.in-addr.arpa', private: true };
    const pub = desiredRecords(facts({ publicIp: '203.0.113.1' }), { zoneName: 'example.com', source: 'tag', public: zones[2]! }, [rev], { ttl: 60, tagKeys: DEFAULT_TAG_KEYS });
    expect(pub.records.map((r) => r.type)).toEqual(['A']);
    const priv = desiredRecords(facts(), { zoneName: 'corp.example', source: 'tag', private: zones[1]! }, [], { ttl: 60, tagKeys: DEFAULT_TAG_KEYS });
    expect(priv).toMatchObject({ reverseZoneName: '1.0.10.in-addr.arpa', records: [{ type: 'A' }] });
  });
});

describe('event ordering', () => {
  const reg = (state: InstanceRegistration['state'], lastEventAt: number, records = 0): InstanceRegistration => ({
    instanceId: 'i-1',
    state,
    lastEventAt,
    version: 1,
    updatedAt: 0,
    records: Array.from({ length: records }, () => ({ zoneId: 'Z', zoneName: 'corp.example', name: 'a.corp.example', type: 'A' as const, ttl: 60, values: ['10.0.0.1'] })),
  });
  const state = (s: 'running' | 'stopped' | 'terminated' | 'pending', time: number) => ({ kind: 'state' as const, instanceId: 'i-1', state: s, time });
  it.each([
    ['first running', undefined, state('running', 5), 'register'],
    ['stop never seen', undefined, state('stopped', 5), 'deregister'],
    ['older than the last applied', reg('stopped', 10), state('running', 5), 'ignore'],
    ['same second (EventBridge time is in seconds): applied, EC2 decides', reg('stopped', 10), state('running', 10), 'register'],
    ['running after terminated', reg('terminated', 10), state('running', 20), 'ignore'],
    ['terminated again with records left (retry of a failed cleanup)', reg('terminated', 10, 1), state('terminated', 10), 'deregister'],
    ['terminated again, nothing left', reg('terminated', 10), state('terminated', 10), 'ignore'],
    ['pending', undefined, state('pending', 1), 'ignore'],
    ['tag change', reg('running', 10), { kind: 'tags' as const, instanceId: 'i-1', time: 12 }, 'reevaluate'],
    ['tag change older than a stop', reg('stopped', 10), { kind: 'tags' as const, instanceId: 'i-1', time: 8 }, 'ignore'],
  ])('%s → %s', (_label, current, event, action) => expect(decide(current, event).action).toBe(action));
});
