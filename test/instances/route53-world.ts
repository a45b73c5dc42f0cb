/** The scenario world on Route 53: strict fakes of EC2 and Route 53, the use case behind the Lambda event handler. */
import { MemoryAlertSink } from '../../src/adapters/alerts/log.js';
import { Route53InstanceDns } from '../../src/adapters/dns/route53-instance-dns.js';
import { Route53Publisher } from '../../src/adapters/dns/route53.js';
import { Ec2ApiReader } from '../../src/adapters/ec2/reader.js';
import { MemoryInstanceRegistry } from '../../src/adapters/store/instance-registry-memory.js';
import { InstanceEvents, type InstanceEventSettings } from '../../src/app/instance-events.js';
import { DEFAULT_TAG_KEYS } from '../../src/domain/instances/types.js';
import type { InstanceRegistry } from '../../src/ports/instance-registry.js';
import { createEc2EventHandler } from '../../src/entrypoints/lambda/ec2-event-handler.js';
import { FakeEc2 } from './fake-ec2.js';
import { FakeRoute53WithVpcs } from './fake-route53-vpc.js';
import { setUpEc2, VPC, ZONES, type View, type World } from './scenarios.js';

export const REGION = 'us-east-1';
const silent = { info: () => undefined, warn: () => undefined };

export interface Route53World extends World {
  readonly r53: FakeRoute53WithVpcs;
  readonly zoneIds: Record<string, string>;
  readonly registry: InstanceRegistry;
}

export async function route53World(
  options: { settings?: Partial<InstanceEventSettings>; registry?: InstanceRegistry; associate?: string[] } = {},
): Promise<Route53World> {
  const ec2 = new FakeEc2();
  setUpEc2(ec2);
  const r53 = new FakeRoute53WithVpcs();
  const zoneIds: Record<string, string> = {};
  const unassociated = new Set(options.associate ?? []);
  for (const name of ZONES.private) {
    zoneIds[`private:${name}`] = r53.addZone(name, { private: true, vpcs: unassociated.has(name) ? [] : [{ VPCId: VPC, VPCRegion: REGION }] });
  }
  for (const name of ZONES.public) zoneIds[`public:${name}`] = r53.addZone(name);
  const publisher = (visibility: 'public' | 'private') => new Route53Publisher({ api: r53, visibility, sleep: async () => undefined });
  const alerts = new MemoryAlertSink();
  const registry = options.registry ?? new MemoryInstanceRegistry();
  const instances = new InstanceEvents({
    registry,
    ec2: new Ec2ApiReader(ec2),
    dns: new Route53InstanceDns({ public: publisher('public'), private: publisher('private'), vpcApi: r53 }),
    alerts,
    settings: { ttl: 60, tagKeys: DEFAULT_TAG_KEYS, associateVpc: false, createReverseZones: false, ...options.settings },
    now: Date.now,
  });
  const handler = createEc2EventHandler({ instances: () => instances, log: silent });
  const id = (view: View, zone: string) => {
    const found = zoneIds[`${view}:${zone}`];
    if (!found) throw new Error(`test bug: no ${view} zone ${zone}`);
    return found;
  };
  return {
    ec2,
    r53,
    zoneIds,
    registry,
    alerts: alerts.alerts,
    async send(event) {
      try {
        await handler(event);
        return { ok: true };
      } catch {
        return { ok: false };
      }
    },
    async records(view, zone) {
      return r53
        .dump(id(view, zone))
        .map((line) => {
          const [name, type, , values] = line.split(' ');
          return `${name!.replace(/\.$/, '')} ${type} ${values!.split(',').map((v) => v.replace(/\.$/, '')).join(',')}`;
        })
        .sort();
    },
    async addForeign(view, zone, rrset) {
      await r53.changeResourceRecordSets({
        HostedZoneId: id(view, zone),
        ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: `${rrset.name}.`, Type: rrset.type, TTL: rrset.ttl, ResourceRecords: rrset.values.map((Value) => ({ Value })) } }] },
      });
    },
    writes: () => r53.count('changeResourceRecordSets'),
    failNextWrite: () => r53.inject('changeResourceRecordSets', { name: 'ServiceUnavailable', message: 'simulated outage' }),
  };
}
