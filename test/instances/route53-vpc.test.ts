/**
 * Route 53 specifics of instance registration: VPC association and reverse
 * zone creation only when configured, and the calls made are exactly those
 * the CDK role allows.
 */
import { describe, expect, it } from 'vitest';
import { INSTANCE_RECORD_TYPES } from '../../src/domain/instances/types.js';
import { EC2_ACTIONS } from '../../src/adapters/ec2/ec2-api.js';
import { stateEvent, tagEvent } from './events.js';
import { REGION, route53World } from './route53-world.js';
import { instance, instanceScenarios, VPC } from './scenarios.js';

const tags = { 'signpost:zone': 'corp.example', 'signpost:name': 'web' };
const CREATE = { SIGNPOST_INSTANCE_CREATE_REVERSE_ZONES: 'true' };

describe('private zones the VPC is not associated with', () => {
  it('are skipped with an alert by default, never associated', async () => {
    const w = await route53World({ associate: ['corp.example'] });
    w.ec2.launch(instance({ tags }));
    expect(await w.send(stateEvent(instance().id, 'running', 1))).toEqual({ ok: true });
    expect(await w.records('private', 'corp.example')).toEqual([]);
    expect(w.alerts).toEqual([expect.objectContaining({ cause: expect.stringContaining('not associated with vpc-0a1') })]);
    expect(w.r53.count('associateVPCWithHostedZone' as never)).toBe(0);
  });

  it('are associated first when configured', async () => {
    const w = await route53World({ associate: ['corp.example'], env: { SIGNPOST_INSTANCE_ASSOCIATE_VPC: 'true' } });
    w.ec2.launch(instance({ tags }));
    await w.send(stateEvent(instance().id, 'running', 1));
    expect(w.r53.associations(w.zoneIds['private:corp.example']!)).toEqual([`${REGION}/${VPC}`]);
    expect(await w.records('private', 'corp.example')).toEqual(['web.corp.example A 10.0.1.5']);
    expect(w.alerts).toEqual([]);
  });
});

describe('reverse zones', () => {
  it('a missing reverse zone means no PTR by default', async () => {
    const w = await route53World();
    w.ec2.addSubnet('subnet-0c3', VPC, '10.2.0.0/16');
    w.ec2.launch(instance({ subnetId: 'subnet-0c3', privateIp: '10.2.3.4', tags }));
    await w.send(stateEvent(instance().id, 'running', 1));
    expect(await w.records('private', 'corp.example')).toEqual(['web.corp.example A 10.2.3.4']);
    expect(w.r53.count('createHostedZone')).toBe(0);
  });

  it('is created (per the /16 mask: two labels) as a private zone of the VPC when configured, once', async () => {
    const w = await route53World({ env: CREATE });
    w.ec2.addSubnet('subnet-0c3', VPC, '10.2.0.0/16');
    w.ec2.launch(instance({ subnetId: 'subnet-0c3', privateIp: '10.2.3.4', tags }));
    await w.send(stateEvent(instance().id, 'running', 1));
    const created = w.r53.calls.find((c) => c.method === ('createHostedZone'))!.input as any;
    expect(created).toMatchObject({ Name: '2.10.in-addr.arpa', VPC: { VPCId: VPC, VPCRegion: REGION }, HostedZoneConfig: { PrivateZone: true } });
    const zone = (await w.r53.listHostedZones({})).HostedZones.find((z) => z.Name === '2.10.in-addr.arpa.')!;
    expect(w.r53.dump(zone.Id)).toEqual(['4.3.2.10.in-addr.arpa. PTR 60 web.corp.example.']);
    w.ec2.launch(instance({ id: 'i-0fedcba9876543210', subnetId: 'subnet-0c3', privateIp: '10.2.3.5', tags: { 'signpost:zone': 'corp.example' } }));
    await w.send(stateEvent('i-0fedcba9876543210', 'running', 2));
    expect(w.r53.count('createHostedZone')).toBe(1);
    expect(w.r53.dump(zone.Id)).toHaveLength(2);
  });

  it('a created zone stays writable although its id is not in the configured list: later events and cleanup use it, never create it again', async () => {
    const w = await route53World({ env: CREATE });
    w.ec2.addSubnet('subnet-0c3', VPC, '10.2.0.0/16');
    const second = 'i-0fedcba9876543210';
    w.ec2.launch(instance({ subnetId: 'subnet-0c3', privateIp: '10.2.3.4', tags }));
    w.ec2.launch(instance({ id: second, subnetId: 'subnet-0c3', privateIp: '10.2.3.5', tags: { 'signpost:zone': 'corp.example' } }));
    expect(await w.send(stateEvent(instance().id, 'running', 1))).toEqual({ ok: true });
    expect(await w.send(stateEvent(second, 'running', 2))).toEqual({ ok: true });
    const zone = (await w.r53.listHostedZones({})).HostedZones.find((z) => z.Name === '2.10.in-addr.arpa.')!;
    expect(Object.values(w.zoneIds)).not.toContain(zone.Id.replace('/hostedzone/', ''));
    expect(w.r53.dump(zone.Id)).toEqual(['4.3.2.10.in-addr.arpa. PTR 60 web.corp.example.', '5.3.2.10.in-addr.arpa. PTR 60 ip-10-2-3-5.corp.example.']);
    expect(await w.records('private', 'corp.example')).toEqual(['ip-10-2-3-5.corp.example A 10.2.3.5', 'web.corp.example A 10.2.3.4']);
    expect(w.r53.count('createHostedZone')).toBe(1);
    // every write went to the zone it names, none was attempted elsewhere
    const written = new Set(w.r53.calls.filter((c) => c.method === 'changeResourceRecordSets').map((c) => (c.input as any).HostedZoneId));
    expect(written).toEqual(new Set([w.zoneIds['private:corp.example'], zone.Id.replace('/hostedzone/', '')]));
    w.ec2.forget(instance().id);
    await w.send(stateEvent(instance().id, 'terminated', 3));
    expect(w.r53.dump(zone.Id)).toEqual(['5.3.2.10.in-addr.arpa. PTR 60 ip-10-2-3-5.corp.example.']);
    expect(w.alerts).toEqual([]);
  });

  it('a zone created by a concurrent event (HostedZoneAlreadyExists) is found and used, not created twice', async () => {
    const w = await route53World({ env: CREATE });
    w.ec2.addSubnet('subnet-0c3', VPC, '10.2.0.0/16');
    w.ec2.launch(instance({ subnetId: 'subnet-0c3', privateIp: '10.2.3.4', tags }));
    await w.send(stateEvent(instance().id, 'stopped', 0)); // lists the zones now, before the other container creates one
    // another container made the zone in between, with the same caller reference
    await w.r53.createHostedZone({ Name: '2.10.in-addr.arpa', CallerReference: `signpost-2.10.in-addr.arpa-${VPC}`, VPC: { VPCId: VPC, VPCRegion: REGION }, HostedZoneConfig: { PrivateZone: true } });
    expect(await w.send(stateEvent(instance().id, 'running', 1))).toEqual({ ok: true });
    const zone = (await w.r53.listHostedZones({})).HostedZones.find((z) => z.Name === '2.10.in-addr.arpa.')!;
    expect(w.r53.dump(zone.Id)).toEqual(['4.3.2.10.in-addr.arpa. PTR 60 web.corp.example.']);
    expect(w.alerts).toEqual([]);
  });

  it('a created zone deleted since cannot be made again under its caller reference: an alert, the other records are made', async () => {
    const w = await route53World({ env: CREATE });
    w.ec2.addSubnet('subnet-0c3', VPC, '10.2.0.0/16');
    // created by Signpost once, emptied and deleted by an operator since
    const made = await w.r53.createHostedZone({ Name: '2.10.in-addr.arpa', CallerReference: `signpost-2.10.in-addr.arpa-${VPC}`, VPC: { VPCId: VPC, VPCRegion: REGION }, HostedZoneConfig: { PrivateZone: true } });
    await w.r53.deleteHostedZone({ Id: made.HostedZone.Id });
    w.ec2.launch(instance({ subnetId: 'subnet-0c3', privateIp: '10.2.3.4', tags }));
    expect(await w.send(stateEvent(instance().id, 'running', 3))).toEqual({ ok: true });
    expect(await w.records('private', 'corp.example')).toEqual(['web.corp.example A 10.2.3.4']);
    expect(w.alerts).toEqual([expect.objectContaining({ instanceId: instance().id, zone: '2.10.in-addr.arpa', cause: expect.stringContaining('create it by hand') })]);
  });
});

it('makes only the calls the CDK role allows, and only record types it may change', async () => {
  const w = await route53World();
  w.ec2.launch(instance({ publicIp: '203.0.113.10', ipv6: ['2001:db8::5'], tags: { ...tags, 'signpost:cname': 'www' } }));
  await w.send(stateEvent(instance().id, 'running', 1));
  w.ec2.set(instance().id, { tags: { 'signpost:zone': 'split.example' } });
  await w.send(tagEvent(instance().id, { 'signpost:zone': 'split.example' }, 2));
  w.ec2.forget(instance().id);
  await w.send(stateEvent(instance().id, 'terminated', 3));
  const ec2Calls = new Set(w.ec2.calls.map((c) => `ec2:${c.method[0]!.toUpperCase()}${c.method.slice(1)}`));
  expect([...ec2Calls].every((a) => (EC2_ACTIONS as readonly string[]).includes(a))).toBe(true);
  const r53Calls = new Set(w.r53.calls.map((c) => c.method));
  expect([...r53Calls].sort()).toEqual(['changeResourceRecordSets', 'listHostedZones', 'listHostedZonesByVPC']);
  const types = new Set(w.r53.calls.filter((c) => c.method === 'changeResourceRecordSets').flatMap((c) => (c.input as any).ChangeBatch.Changes.map((ch: any) => ch.ResourceRecordSet.Type)));
  expect([...types].every((t) => (INSTANCE_RECORD_TYPES as readonly string[]).includes(t))).toBe(true);
  expect(types).toEqual(new Set(['A', 'AAAA', 'CNAME', 'PTR']));
});

// The whole table once more with Route 53 retrying throttled calls, as it does in production.
instanceScenarios('Route 53 with throttling on every first call', async () => {
  const w = await route53World();
  const change = w.r53.changeResourceRecordSets.bind(w.r53);
  let n = 0;
  w.r53.changeResourceRecordSets = async (input) => {
    // only Signpost's own batches (comment 'signpost'), not the test's foreign records
    if (input.ChangeBatch.Comment === 'signpost' && n++ % 2 === 0) {
      w.r53.calls.push({ method: 'changeResourceRecordSets', input });
      throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    }
    return change(input);
  };
  return { ...w, writes: () => n };
});
