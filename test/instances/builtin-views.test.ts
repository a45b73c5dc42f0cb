/**
 * Split horizon with the built-in server: one server is one view, so a
 * deployment runs two (a private and a public one) and the DNS side writes
 * each address to its view.
 */
import { expect, it } from 'vitest';
import { MemoryAlertSink } from '../../src/adapters/alerts/log.js';
import { BuiltinDnsPublisher } from '../../src/adapters/dns/builtin/publisher.js';
import { CombinedDnsProvider } from '../../src/adapters/dns/combined.js';
import { Ec2ApiReader } from '../../src/adapters/ec2/reader.js';
import { MemoryInstanceRegistry } from '../../src/adapters/store/instance-registry-memory.js';
import { InstanceOwners } from '../../src/app/dns-owners.js';
import { DnsRegistry } from '../../src/app/dns-registry.js';
import { InstanceEvents } from '../../src/app/instance-events.js';
import { loadConfig } from '../../src/config/env.js';
import { parseInstanceEvent } from '../../src/app/instance-event-schema.js';
import { DEFAULT_TAG_KEYS } from '../../src/domain/instances/types.js';
import { stateEvent } from './events.js';
import { FakeEc2 } from './fake-ec2.js';
import { instance, setUpEc2, show } from './scenarios.js';

it('private address in the private view, public address in the public view, both removed on stop', async () => {
  const zones = loadConfig({ SIGNPOST_ZONES: 'split.example,1.0.10.in-addr.arpa' }).dns.zones;
  const inside = new BuiltinDnsPublisher(zones, { initialSerial: 1, idPrefix: 'inside', privateZones: ['split.example', '1.0.10.in-addr.arpa'] });
  const outside = new BuiltinDnsPublisher(zones.filter((z) => z.apex === 'split.example'), { initialSerial: 1, idPrefix: 'outside' });
  const ec2 = new FakeEc2();
  setUpEc2(ec2);
  const registry = new MemoryInstanceRegistry();
  const dns = new DnsRegistry(new CombinedDnsProvider([inside, outside]), { onError: () => undefined });
  dns.addSource(new InstanceOwners(registry));
  const instances = new InstanceEvents({
    registry,
    ec2: new Ec2ApiReader(ec2),
    dns,
    alerts: new MemoryAlertSink(),
    settings: { ttl: 60, tagKeys: DEFAULT_TAG_KEYS, associateVpc: false, createReverseZones: false },
    now: Date.now,
  });
  const send = (e: Record<string, unknown>) => {
    const parsed = parseInstanceEvent(e);
    if (!parsed.ok) throw new Error(parsed.reason);
    return instances.handle(parsed.event);
  };
  ec2.launch(instance({ publicIp: '203.0.113.10', tags: { 'signpost:zone': 'split.example', 'signpost:name': 'app' } }));
  await send(stateEvent(instance().id, 'running', 1));
  expect(show(await inside.records('inside/split.example'))).toEqual(['app.split.example A 10.0.1.5']);
  expect(show(await outside.records('outside/split.example'))).toEqual(['app.split.example A 203.0.113.10']);
  expect(show(await inside.records('inside/1.0.10.in-addr.arpa'))).toEqual(['5.1.0.10.in-addr.arpa PTR app.split.example']);
  ec2.set(instance().id, { state: 'stopped' });
  await send(stateEvent(instance().id, 'stopped', 5));
  expect([...(await inside.records('inside/split.example')), ...(await outside.records('outside/split.example')), ...(await inside.records('inside/1.0.10.in-addr.arpa'))]).toEqual([]);
});
