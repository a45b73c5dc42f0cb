/** The provider contract for the built-in server, the memory fake and Route 53 (its strict fake). */
import { BuiltinDnsPublisher } from '../../src/adapters/dns/builtin/publisher.js';
import { MemoryDnsProvider } from '../../src/adapters/dns/memory.js';
import { Route53DnsProvider } from '../../src/adapters/dns/route53.js';
import { loadConfig } from '../../src/config/env.js';
import { FakeRoute53 } from '../route53/fake-route53.js';
import { zoneNamed } from '../support/zones.js';
import { describeDnsProviderContract } from './dns-provider.contract.js';

const ZONE = 'contract.example';

describeDnsProviderContract('memory', async () => {
  const provider = new MemoryDnsProvider([ZONE]);
  return {
    provider,
    zone: await zoneNamed(provider, ZONE),
    addForeign: async (set) => provider.seed(ZONE, [set]),
    failNext: () => provider.failNext(),
    cleanup: async () => undefined,
  };
});

describeDnsProviderContract('built-in server', async () => {
  const provider = new BuiltinDnsPublisher(loadConfig({ SIGNPOST_ZONES: ZONE }).dns.zones, { initialSerial: 1 });
  const zone = await zoneNamed(provider, ZONE);
  return {
    provider,
    zone,
    // Exclusive: what is in the server is written straight into its zone, as a load from elsewhere would.
    addForeign: async (set) => provider.load(ZONE, [...(await provider.records(zone)), set]),
    cleanup: async () => undefined,
  };
});

describeDnsProviderContract('Route 53 (strict fake)', async () => {
  const r53 = new FakeRoute53();
  const id = r53.addHostedZone(ZONE);
  const provider = new Route53DnsProvider({ api: r53, visibility: 'public', retry: { maxAttempts: 1 }, sleep: async () => undefined });
  return {
    provider,
    zone: await zoneNamed(provider, ZONE),
    addForeign: async (set) => {
      await r53.changeResourceRecordSets({
        HostedZoneId: id,
        ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: `${set.name}.`, Type: set.type, TTL: set.ttl, ResourceRecords: set.values.map((Value) => ({ Value })) } }] },
      });
    },
    failNext: () => r53.inject('changeResourceRecordSets', { name: 'ServiceUnavailable', message: 'simulated outage' }),
    cleanup: async () => undefined,
  };
});
