import { beforeEach, describe, expect, it } from 'vitest';
import type { R53Change } from '../../src/adapters/dns/route53-api.js';
import { FakeRoute53 } from './fake-route53.js';

const a = (name: string, value: string | string[], ttl = 60) => ({
  Name: name,
  Type: 'A',
  TTL: ttl,
  ResourceRecords: (Array.isArray(value) ? value : [value]).map((Value) => ({ Value })),
});
const change = (Action: R53Change['Action'], set: R53Change['ResourceRecordSet']): R53Change => ({ Action, ResourceRecordSet: set });

let r53: FakeRoute53;
let zone: string;
const apply = (...changes: R53Change[]) => r53.changeResourceRecordSets({ HostedZoneId: zone, ChangeBatch: { Changes: changes } });

beforeEach(() => {
  r53 = new FakeRoute53();
  zone = r53.addHostedZone('example.com');
});

describe('FakeRoute53 rejects what Route 53 rejects', () => {
  it('creates, then refuses to create the same set again', async () => {
    await apply(change('CREATE', a('h.example.com.', '192.0.2.1')));
    await expect(apply(change('CREATE', a('h.example.com.', '192.0.2.2')))).rejects.toMatchObject({ name: 'InvalidChangeBatch', message: /already exists/ });
    expect(r53.dump(zone)).toEqual(['h.example.com. A 60 192.0.2.1']);
  });

  it('refuses to delete a set that is not there or has other values or TTL', async () => {
    await expect(apply(change('DELETE', a('h.example.com.', '192.0.2.1')))).rejects.toMatchObject({ message: /not found/ });
    await apply(change('CREATE', a('h.example.com.', '192.0.2.1')));
    await expect(apply(change('DELETE', a('h.example.com.', '192.0.2.9')))).rejects.toMatchObject({ message: /do not match/ });
    await expect(apply(change('DELETE', a('h.example.com.', '192.0.2.1', 300)))).rejects.toMatchObject({ message: /do not match/ });
    await apply(change('DELETE', a('h.example.com.', '192.0.2.1')));
    expect(r53.dump(zone)).toEqual([]);
  });

  it('refuses a CNAME beside other data, and at the apex', async () => {
    await apply(change('CREATE', a('h.example.com.', '192.0.2.1')));
    const cname = { Name: 'h.example.com.', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'target.example.net' }] };
    await expect(apply(change('CREATE', cname))).rejects.toMatchObject({ name: 'InvalidChangeBatch', message: /CNAME/ });
    await expect(apply(change('CREATE', { ...cname, Name: 'example.com.' }))).rejects.toMatchObject({ message: /CNAME/ });
    await apply(change('CREATE', { ...cname, Name: 'c.example.com.' }));
    await expect(apply(change('CREATE', a('c.example.com.', '192.0.2.1')))).rejects.toMatchObject({ message: /CNAME/ });
  });

  it('applies a batch all-or-nothing', async () => {
    await expect(apply(change('CREATE', a('x.example.com.', '192.0.2.1')), change('DELETE', a('missing.example.com.', '192.0.2.1')))).rejects.toBeDefined();
    expect(r53.dump(zone)).toEqual([]);
  });

  it('refuses repeated sets in one batch except DELETE followed by CREATE', async () => {
    await expect(apply(change('CREATE', a('x.example.com.', '192.0.2.1')), change('UPSERT', a('x.example.com.', '192.0.2.2')))).rejects.toMatchObject({
      message: /invalid set of changes/,
    });
    await apply(change('CREATE', a('x.example.com.', '192.0.2.1')));
    await apply(change('DELETE', a('x.example.com.', '192.0.2.1')), change('CREATE', a('x.example.com.', '192.0.2.2')));
    expect(r53.dump(zone)).toEqual(['x.example.com. A 60 192.0.2.2']);
  });

  it('refuses invalid batches: empty, >1000 changes, >1000 records, outside the zone, bad values, bad TTL', async () => {
    await expect(apply()).rejects.toMatchObject({ name: 'InvalidInput' });
    const many = Array.from({ length: 1001 }, (_, i) => change('CREATE', a(`h${i}.example.com.`, '192.0.2.1')));
    await expect(apply(...many)).rejects.toMatchObject({ message: /too many changes/ });
    const wide = Array.from({ length: 5 }, (_, i) => change('CREATE', a(`w${i}.example.com.`, Array.from({ length: 400 }, (_, j) => `10.0.${i}.${j % 250}`).filter((v, k, all) => all.indexOf(v) === k))));
    await expect(apply(...wide)).rejects.toMatchObject({ message: /too many resource records/ });
    await expect(apply(change('CREATE', a('h.notexample.com.', '192.0.2.1')))).rejects.toMatchObject({ message: /not permitted in zone/ });
    await expect(apply(change('CREATE', a('h.example.com.', '2001:db8::1')))).rejects.toMatchObject({ message: /IPv4/ });
    await expect(apply(change('CREATE', { ...a('h.example.com.', '192.0.2.1'), Type: 'AAAA' }))).rejects.toMatchObject({ message: /IPv6/ });
    await expect(apply(change('CREATE', a('h.example.com.', ['192.0.2.1', '192.0.2.1'])))).rejects.toMatchObject({ message: /Duplicate/ });
    await expect(apply(change('CREATE', a('h.example.com.', '192.0.2.1', -1)))).rejects.toMatchObject({ message: /TTL/ });
    await expect(apply(change('DELETE', { Name: 'example.com.', Type: 'SOA', TTL: 900, ResourceRecords: [{ Value: 'x' }] }))).rejects.toBeDefined();
    await expect(r53.changeResourceRecordSets({ HostedZoneId: 'ZNOPE', ChangeBatch: { Changes: [change('CREATE', a('h.example.com.', '192.0.2.1'))] } })).rejects.toMatchObject({
      name: 'NoSuchHostedZone',
    });
    expect(r53.dump(zone)).toEqual([]);
  });

  it('answers HostedZoneAlreadyExists for a caller reference used before, even after its zone was deleted, and lists the reference', async () => {
    const create = () => r53.createHostedZone({ Name: '1.0.10.in-addr.arpa', CallerReference: 'ref-1', HostedZoneConfig: { PrivateZone: true, Comment: 'made here' } });
    const { HostedZone } = await create();
    await expect(create()).rejects.toMatchObject({ name: 'HostedZoneAlreadyExists' });
    const listed = (await r53.listHostedZones({})).HostedZones.find((z) => z.Id === HostedZone.Id);
    expect(listed).toEqual({ Id: HostedZone.Id, Name: '1.0.10.in-addr.arpa.', CallerReference: 'ref-1', Config: { PrivateZone: true, Comment: 'made here' } });
    await r53.deleteHostedZone({ Id: HostedZone.Id });
    await expect(create()).rejects.toMatchObject({ name: 'HostedZoneAlreadyExists' });
    expect((await r53.listHostedZones({})).HostedZones.map((z) => z.Id)).toEqual([`/hostedzone/${zone}`]);
  });

  it('pages hosted zones and record sets', async () => {
    r53.addHostedZone('b.example');
    r53.addHostedZone('c.example');
    const first = await r53.listHostedZones({ MaxItems: 2 });
    expect(first.HostedZones).toHaveLength(2);
    expect(first.IsTruncated).toBe(true);
    const second = await r53.listHostedZones({ MaxItems: 2, Marker: first.NextMarker ?? '' });
    expect(second).toMatchObject({ IsTruncated: false });
    expect(second.HostedZones).toHaveLength(1);
    for (let i = 0; i < 5; i++) await apply(change('CREATE', a(`h${i}.example.com.`, '192.0.2.1')));
    const page = await r53.listResourceRecordSets({ HostedZoneId: zone, MaxItems: 3 });
    expect(page.IsTruncated).toBe(true);
    const rest = await r53.listResourceRecordSets({ HostedZoneId: zone, StartRecordName: page.NextRecordName ?? '', StartRecordType: page.NextRecordType ?? '' });
    expect(page.ResourceRecordSets.length + rest.ResourceRecordSets.length).toBe(7);
  });

  it('lists record sets as Route 53 does: by name with labels reversed, then by type, from StartRecordName/StartRecordType', async () => {
    const txt = (name: string) => ({ Name: name, Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"x"' }] });
    await apply(
      change('CREATE', a('h.example.com.', '192.0.2.1')),
      change('CREATE', { ...a('h.example.com.', '2001:db8::1'), Type: 'AAAA' }),
      change('CREATE', txt('h.example.com.')),
      change('CREATE', a('a.h.example.com.', '192.0.2.2')),
      change('CREATE', a('h-x.example.com.', '192.0.2.3')),
      change('CREATE', a('*.example.com.', '192.0.2.4')),
      change('CREATE', a('b.example.com.', '192.0.2.5')),
      change('CREATE', txt('_acme-challenge.h.example.com.')),
    );
    const names = async (input: Omit<Parameters<FakeRoute53['listResourceRecordSets']>[0], 'HostedZoneId'> = {}) =>
      (await r53.listResourceRecordSets({ HostedZoneId: zone, ...input })).ResourceRecordSets.map((s) => `${s.Name} ${s.Type}`);
    // com.example. < com.example.*. < com.example.b. < com.example.h-x. < com.example.h. < com.example.h._acme-challenge. < com.example.h.a.
    expect(await names()).toEqual([
      'example.com. NS',
      'example.com. SOA',
      '\\052.example.com. A',
      'b.example.com. A',
      'h-x.example.com. A',
      'h.example.com. A',
      'h.example.com. AAAA',
      'h.example.com. TXT',
      '_acme-challenge.h.example.com. TXT',
      'a.h.example.com. A',
    ]);
    expect(await names({ StartRecordName: 'h.example.com.', MaxItems: 2 })).toEqual(['h.example.com. A', 'h.example.com. AAAA']);
    expect(await names({ StartRecordName: 'H.Example.com', StartRecordType: 'MX', MaxItems: 2 })).toEqual(['h.example.com. TXT', '_acme-challenge.h.example.com. TXT']);
    // a name with no sets starts at the next name in that order; `*` and its escape are one name
    expect(await names({ StartRecordName: 'c.example.com.', MaxItems: 1 })).toEqual(['h-x.example.com. A']);
    expect(await names({ StartRecordName: '*.example.com.', MaxItems: 1 })).toEqual(['\\052.example.com. A']);
    expect(await names({ StartRecordName: '\\052.example.com.', MaxItems: 1 })).toEqual(['\\052.example.com. A']);
    expect(await names({ StartRecordName: 'zzz.example.com.' })).toEqual([]);
    const page = await r53.listResourceRecordSets({ HostedZoneId: zone, StartRecordName: 'example.com.', MaxItems: 2 });
    expect(page).toMatchObject({ IsTruncated: true, NextRecordName: '\\052.example.com.', NextRecordType: 'A' });
  });

  it('refuses a start type without a name, an unknown type and a MaxItems below 1; serves at most 300 sets a page', async () => {
    await expect(r53.listResourceRecordSets({ HostedZoneId: zone, StartRecordType: 'A' })).rejects.toMatchObject({ name: 'InvalidInput' });
    await expect(r53.listResourceRecordSets({ HostedZoneId: zone, StartRecordName: 'example.com.', StartRecordType: 'BOGUS' })).rejects.toMatchObject({ name: 'InvalidInput' });
    await expect(r53.listResourceRecordSets({ HostedZoneId: zone, MaxItems: 0 })).rejects.toMatchObject({ name: 'InvalidInput' });
    await expect(r53.listResourceRecordSets({ HostedZoneId: 'ZNOPE' })).rejects.toMatchObject({ name: 'NoSuchHostedZone' });
    for (let i = 0; i < 4; i++) await apply(...Array.from({ length: 100 }, (_, j) => change('CREATE', a(`h${i}-${j}.example.com.`, '192.0.2.1'))));
    const page = await r53.listResourceRecordSets({ HostedZoneId: zone, MaxItems: 1000 });
    expect(page.ResourceRecordSets).toHaveLength(300);
    expect(page.IsTruncated).toBe(true);
  });
});
