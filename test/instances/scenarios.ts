/**
 * The instance-registration scenarios of issue 5, written once and run
 * against each DNS side: Route 53 (strict fake, use case called as the
 * Lambda does) and the built-in server (through POST /events/ec2).
 *
 * The world: VPC vpc-0a1 (DNS support on, DHCP domain dhcp.internal,
 * subnet 10.0.1.0/24), VPC vpc-0b2 (DNS support off). Zones: corp.example
 * (private), example.com (public), split.example (public and private),
 * dhcp.internal (private), 1.0.10.in-addr.arpa (private reverse zone).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/ports/alerts.js';
import type { RRSet } from '../../src/domain/records.js';
import { stateEvent, tagEvent } from './events.js';
import { FakeEc2, type FakeInstance } from './fake-ec2.js';

export type View = 'private' | 'public';

export interface World {
  readonly ec2: FakeEc2;
  readonly alerts: Alert[];
  /** Delivers one EventBridge event; `ok` false when the delivery failed (and would be retried). */
  send(event: Record<string, unknown>): Promise<{ ok: boolean }>;
  /** Every managed record of a zone as `name TYPE value[,value]` (no trailing dots), sorted. */
  records(view: View, zone: string): Promise<string[]>;
  /** A record made by a person or another tool, outside Signpost. */
  addForeign(view: View, zone: string, rrset: RRSet): Promise<void>;
  /** Number of DNS writes so far (to show duplicates write nothing). */
  writes(): number;
  /** Makes the next DNS write fail as an outage would. */
  failNextWrite(): void;
}

export const VPC = 'vpc-0a1';
export const VPC_NO_DNS = 'vpc-0b2';
export const ZONES = { private: ['corp.example', 'split.example', 'dhcp.internal', '1.0.10.in-addr.arpa'], public: ['example.com', 'split.example'] } as const;

export function setUpEc2(ec2: FakeEc2): void {
  ec2.addVpc(VPC, { domainName: 'dhcp.internal' });
  ec2.addVpc(VPC_NO_DNS, { dnsSupport: false, domainName: 'dhcp.internal' });
  ec2.addSubnet('subnet-0a1', VPC, '10.0.1.0/24');
  ec2.addSubnet('subnet-0b2', VPC_NO_DNS, '10.1.0.0/16');
}

const I1 = 'i-0123456789abcdef0';
const I2 = 'i-0fedcba9876543210';

export function instance(over: Partial<FakeInstance> = {}): FakeInstance {
  return { id: I1, state: 'running', vpcId: VPC, subnetId: 'subnet-0a1', privateIp: '10.0.1.5', tags: {}, ...over };
}

export function instanceScenarios(label: string, makeWorld: () => Promise<World>, options: { splitHorizon: boolean } = { splitHorizon: true }): void {
  describe(`instance registration scenarios (${label})`, () => {
    let w: World;
    beforeEach(async () => {
      w = await makeWorld();
    });
    const run = async (i: FakeInstance, seconds = 1) => {
      w.ec2.launch(i);
      return w.send(stateEvent(i.id, 'running', seconds));
    };
    const everything = async () => [
      ...(await w.records('private', 'corp.example')),
      ...(await w.records('private', '1.0.10.in-addr.arpa')),
      ...(await w.records('public', 'example.com')),
      ...(await w.records('private', 'dhcp.internal')),
    ];

    it('private zone by tag: A for the private address, PTR in the reverse zone', async () => {
      expect(await run(instance({ tags: { 'signpost:zone': 'corp.example' } }))).toEqual({ ok: true });
      expect(await w.records('private', 'corp.example')).toEqual(['ip-10-0-1-5.corp.example A 10.0.1.5']);
      expect(await w.records('private', '1.0.10.in-addr.arpa')).toEqual(['5.1.0.10.in-addr.arpa PTR ip-10-0-1-5.corp.example']);
      expect(w.alerts).toEqual([]);
    });

    it('accepts the older ZONE tag key, matched exactly (not zone, not MYZONE)', async () => {
      await run(instance({ tags: { ZONE: 'corp.example' } }));
      expect(await w.records('private', 'corp.example')).toEqual(['ip-10-0-1-5.corp.example A 10.0.1.5']);
      await run(instance({ id: I2, privateIp: '10.0.1.6', tags: { zone: 'corp.example', MYZONE: 'corp.example' } }), 2);
      expect(await w.records('private', 'corp.example')).toEqual(['ip-10-0-1-5.corp.example A 10.0.1.5']);
      expect(await w.records('private', 'dhcp.internal')).toEqual(['ip-10-0-1-6.dhcp.internal A 10.0.1.6']); // fell back to the DHCP domain
    });

    it('CNAME by tag points at our A record name, not the AWS name', async () => {
      await run(instance({ tags: { 'signpost:zone': 'corp.example', 'signpost:name': 'web', 'signpost:cname': 'www' } }));
      expect(await w.records('private', 'corp.example')).toEqual(['web.corp.example A 10.0.1.5', 'www.corp.example CNAME web.corp.example']);
    });

    it('refuses a CNAME beside an A record of the same name that someone else made, and keeps going', async () => {
      await w.addForeign('private', 'corp.example', { name: 'www.corp.example', type: 'A', ttl: 300, values: ['10.9.9.9'] });
      await run(instance({ tags: { 'signpost:zone': 'corp.example', 'signpost:name': 'web', CNAME: 'www' } }));
      expect(await w.records('private', 'corp.example')).toEqual(['web.corp.example A 10.0.1.5', 'www.corp.example A 10.9.9.9']);
      expect(w.alerts.map((a) => a.record)).toEqual([expect.stringContaining('www.corp.example CNAME')]);
      await w.send(stateEvent(I1, 'stopped', 5));
      expect(await w.records('private', 'corp.example')).toEqual(['www.corp.example A 10.9.9.9']); // theirs survives
    });

    it('DHCP-options zone: without a tag, the VPC domain-name zone', async () => {
      await run(instance());
      expect(await w.records('private', 'dhcp.internal')).toEqual(['ip-10-0-1-5.dhcp.internal A 10.0.1.5']);
      expect(await w.records('private', '1.0.10.in-addr.arpa')).toEqual(['5.1.0.10.in-addr.arpa PTR ip-10-0-1-5.dhcp.internal']);
    });

    it('DNS support disabled: no records, an alert', async () => {
      const result = await run(instance({ vpcId: VPC_NO_DNS, subnetId: 'subnet-0b2', privateIp: '10.1.2.3', tags: { 'signpost:zone': 'corp.example' } }));
      expect(result).toEqual({ ok: true });
      expect(await everything()).toEqual([]);
      expect(w.alerts).toEqual([expect.objectContaining({ instanceId: I1, cause: expect.stringContaining('enableDnsSupport') })]);
    });

    it('a zone tag naming no zone: no records, an alert with instance, zone and cause; fixing the tag registers it', async () => {
      expect(await run(instance({ tags: { 'signpost:zone': 'corp.exmaple' } }))).toEqual({ ok: true });
      expect(await everything()).toEqual([]);
      expect(w.alerts).toEqual([
        expect.objectContaining({ instanceId: I1, zone: 'corp.exmaple', cause: expect.stringMatching(/tag signpost:zone names the zone corp\.exmaple, but no writable zone/) }),
      ]);
      const tags = { 'signpost:zone': 'corp.example' };
      w.ec2.set(I1, { tags });
      await w.send(tagEvent(I1, tags, 2));
      expect(await w.records('private', 'corp.example')).toEqual(['ip-10-0-1-5.corp.example A 10.0.1.5']);
      expect(w.alerts).toHaveLength(1);
    });

    it('public instance: the public address in the public zone', async () => {
      await run(instance({ publicIp: '203.0.113.10', tags: { 'signpost:zone': 'example.com', 'signpost:name': 'app' } }));
      expect(await w.records('public', 'example.com')).toEqual(['app.example.com A 203.0.113.10']);
      expect(await w.records('private', '1.0.10.in-addr.arpa')).toEqual([]); // no private A, no PTR
    });

    // Registered only where the world has two views (one built-in server is one view).
    if (options.splitHorizon) it('split horizon: private address in the private zone, public in the public one', async () => {
      await run(instance({ publicIp: '203.0.113.10', tags: { 'signpost:zone': 'split.example', 'signpost:name': 'app' } }));
      expect(await w.records('private', 'split.example')).toEqual(['app.split.example A 10.0.1.5']);
      expect(await w.records('public', 'split.example')).toEqual(['app.split.example A 203.0.113.10']);
      await w.send(stateEvent(I1, 'stopping', 9));
      expect([...(await w.records('private', 'split.example')), ...(await w.records('public', 'split.example'))]).toEqual([]);
    });

    it('IPv6: AAAA beside the A record', async () => {
      await run(instance({ ipv6: ['2001:db8:0:1::5'], tags: { 'signpost:zone': 'corp.example', 'signpost:name': 'v6' } }));
      expect(await w.records('private', 'corp.example')).toEqual(['v6.corp.example A 10.0.1.5', 'v6.corp.example AAAA 2001:db8:0:1::5']);
    });

    it('stop removes exactly what was created; start brings it back', async () => {
      await run(instance({ tags: { 'signpost:zone': 'corp.example' } }));
      w.ec2.set(I1, { state: 'stopped' });
      await w.send(stateEvent(I1, 'stopped', 10));
      expect(await everything()).toEqual([]);
      w.ec2.set(I1, { state: 'running' });
      await w.send(stateEvent(I1, 'running', 20));
      expect(await w.records('private', 'corp.example')).toEqual(['ip-10-0-1-5.corp.example A 10.0.1.5']);
    });

    it('terminate removes the records even when EC2 has forgotten the instance; a late running does not resurrect them', async () => {
      await run(instance({ tags: { 'signpost:zone': 'corp.example' } }));
      w.ec2.forget(I1);
      await w.send(stateEvent(I1, 'terminated', 10));
      expect(await everything()).toEqual([]);
      w.ec2.launch(instance({ tags: { 'signpost:zone': 'corp.example' } })); // even if EC2 still said running
      expect(await w.send(stateEvent(I1, 'running', 30))).toEqual({ ok: true });
      expect(await everything()).toEqual([]);
    });

    it('duplicate events are harmless and write nothing the second time', async () => {
      await run(instance({ tags: { 'signpost:zone': 'corp.example' } }));
      const writes = w.writes();
      await w.send(stateEvent(I1, 'running', 1));
      await w.send(stateEvent(I1, 'running', 1));
      expect(w.writes()).toBe(writes);
      w.ec2.set(I1, { state: 'stopped' });
      await w.send(stateEvent(I1, 'stopped', 5));
      await w.send(stateEvent(I1, 'stopped', 5));
      expect(await everything()).toEqual([]);
      expect(w.alerts).toEqual([]);
    });

    it('out of order: a stop delivered before its earlier running leaves nothing behind', async () => {
      w.ec2.launch(instance({ state: 'stopped', tags: { 'signpost:zone': 'corp.example' } }));
      await w.send(stateEvent(I1, 'stopped', 20));
      await w.send(stateEvent(I1, 'running', 10));
      expect(await everything()).toEqual([]);
      w.ec2.set(I1, { state: 'running' });
      await w.send(stateEvent(I1, 'running', 30)); // a real, later start still works
      expect(await w.records('private', 'corp.example')).toEqual(['ip-10-0-1-5.corp.example A 10.0.1.5']);
    });

    it('an instance never seen running: stop and terminate are no-ops', async () => {
      w.ec2.launch(instance({ state: 'stopped', tags: { 'signpost:zone': 'corp.example' } }));
      const writes = w.writes();
      expect(await w.send(stateEvent(I1, 'stopped', 5))).toEqual({ ok: true });
      expect(await w.send(stateEvent(I1, 'terminated', 6))).toEqual({ ok: true });
      expect(w.writes()).toBe(writes);
      expect(w.alerts).toEqual([]);
    });

    it('tags that arrive after running are picked up from the tag-change event', async () => {
      await run(instance({ vpcId: VPC, tags: {} }));
      // untagged, the DHCP domain applies; the tag then moves it to its own zone and name
      expect(await w.records('private', 'dhcp.internal')).toEqual(['ip-10-0-1-5.dhcp.internal A 10.0.1.5']);
      const tags = { 'signpost:zone': 'corp.example', 'signpost:name': 'late' };
      w.ec2.set(I1, { tags });
      await w.send(tagEvent(I1, tags, 4));
      expect(await w.records('private', 'corp.example')).toEqual(['late.corp.example A 10.0.1.5']);
      expect(await w.records('private', 'dhcp.internal')).toEqual([]);
      expect(await w.records('private', '1.0.10.in-addr.arpa')).toEqual(['5.1.0.10.in-addr.arpa PTR late.corp.example']);
    });

    it('a replacement instance reusing a name takes it over; the old one leaves no stale record (terminate after start)', async () => {
      const tags = { 'signpost:zone': 'corp.example', 'signpost:name': 'web' };
      await run(instance({ tags }));
      await run(instance({ id: I2, privateIp: '10.0.1.6', tags }), 50);
      w.ec2.forget(I1);
      await w.send(stateEvent(I1, 'terminated', 60));
      expect(await w.records('private', 'corp.example')).toEqual(['web.corp.example A 10.0.1.6']);
      expect(await w.records('private', '1.0.10.in-addr.arpa')).toEqual(['6.1.0.10.in-addr.arpa PTR web.corp.example']);
      w.ec2.set(I2, { state: 'terminated' });
      await w.send(stateEvent(I2, 'terminated', 90));
      expect(await everything()).toEqual([]);
    });

    it('a replacement instance reusing a name (terminate before start)', async () => {
      const tags = { 'signpost:zone': 'corp.example', 'signpost:name': 'web' };
      await run(instance({ tags }));
      w.ec2.forget(I1);
      await w.send(stateEvent(I1, 'terminated', 40));
      await run(instance({ id: I2, privateIp: '10.0.1.6', tags }), 50);
      expect(await w.records('private', 'corp.example')).toEqual(['web.corp.example A 10.0.1.6']);
      expect(await w.records('private', '1.0.10.in-addr.arpa')).toEqual(['6.1.0.10.in-addr.arpa PTR web.corp.example']);
    });

    it('PTR points at the vanity name', async () => {
      await run(instance({ privateIp: '10.0.1.77', tags: { 'signpost:zone': 'corp.example', 'signpost:name': 'db' } }));
      expect(await w.records('private', '1.0.10.in-addr.arpa')).toEqual(['77.1.0.10.in-addr.arpa PTR db.corp.example']);
    });

    it('never overwrites or deletes a record it did not create', async () => {
      await w.addForeign('private', 'corp.example', { name: 'web.corp.example', type: 'A', ttl: 300, values: ['10.9.9.9'] });
      await run(instance({ tags: { 'signpost:zone': 'corp.example', 'signpost:name': 'web' } }));
      expect(await w.records('private', 'corp.example')).toEqual(['web.corp.example A 10.9.9.9']);
      expect(w.alerts).toEqual([expect.objectContaining({ instanceId: I1, record: expect.stringContaining('web.corp.example A'), cause: expect.stringContaining('not created by Signpost') })]);
      w.ec2.set(I1, { state: 'stopped' });
      await w.send(stateEvent(I1, 'stopped', 5));
      expect(await w.records('private', 'corp.example')).toEqual(['web.corp.example A 10.9.9.9']);
    });

    it('a failed DNS write fails the delivery (so it is retried) and alerts; the retry completes it', async () => {
      w.ec2.launch(instance({ tags: { 'signpost:zone': 'corp.example' } }));
      w.failNextWrite();
      expect(await w.send(stateEvent(I1, 'running', 1))).toEqual({ ok: false });
      expect(w.alerts).toEqual([expect.objectContaining({ instanceId: I1, cause: expect.stringContaining('will retry') })]);
      expect(await w.send(stateEvent(I1, 'running', 1))).toEqual({ ok: true });
      expect(await w.records('private', 'corp.example')).toEqual(['ip-10-0-1-5.corp.example A 10.0.1.5']);
      expect(await w.records('private', '1.0.10.in-addr.arpa')).toEqual(['5.1.0.10.in-addr.arpa PTR ip-10-0-1-5.corp.example']);
    });
  });
}

/** `name TYPE value,value` without trailing dots, sorted. */
export const show = (sets: readonly RRSet[]) => sets.map((s) => `${s.name.replace(/\.$/, '')} ${s.type} ${[...s.values].map((v) => v.replace(/\.$/, '')).join(',')}`).sort();
