/**
 * The scenario world on Route 53: strict fakes of EC2 and Route 53, the use
 * case wired as the Lambda entry point wires it (wireRoute53Instances) from
 * the environment the CDK app gives the function: the hosted zone ids listed
 * (every zone of the world), so a zone outside that list is not writable.
 */
import { MemoryAlertSink } from '../../src/adapters/alerts/log.js';
import { Ec2ApiReader } from '../../src/adapters/ec2/reader.js';
import { MemoryInstanceRegistry } from '../../src/adapters/store/instance-registry-memory.js';
import { loadInstanceSettings } from '../../src/config/instance-env.js';
import { wireRoute53Instances } from '../../src/config/instances-route53.js';
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

/** What the CDK app sets on the function (infra/lib/instance-registration.ts), plus the region Lambda sets. */
export const lambdaEnv = (zoneIds: readonly string[], extra: Record<string, string> = {}): Record<string, string> => ({
  SIGNPOST_INSTANCE_HOSTED_ZONE_IDS: zoneIds.join(','),
  SIGNPOST_INSTANCE_TTL: '60',
  SIGNPOST_INSTANCE_ASSOCIATE_VPC: 'false',
  SIGNPOST_INSTANCE_CREATE_REVERSE_ZONES: 'false',
  AWS_REGION: REGION,
  ...extra,
});

export interface Route53WorldOptions {
  /** Settings beside the CDK's defaults, e.g. `{ SIGNPOST_INSTANCE_ASSOCIATE_VPC: 'true' }`. */
  readonly env?: Record<string, string>;
  /** The whole function environment, given the world's zone ids (e.g. read from the synthesized template). */
  readonly functionEnv?: (zoneIds: readonly string[]) => Record<string, string>;
  readonly registry?: InstanceRegistry;
  /** Private zones the instances' VPC is not associated with. */
  readonly associate?: string[];
}

export async function route53World(options: Route53WorldOptions = {}): Promise<Route53World> {
  const ec2 = new FakeEc2();
  setUpEc2(ec2);
  const r53 = new FakeRoute53WithVpcs();
  const zoneIds: Record<string, string> = {};
  const unassociated = new Set(options.associate ?? []);
  for (const name of ZONES.private) {
    zoneIds[`private:${name}`] = r53.addZone(name, { private: true, vpcs: unassociated.has(name) ? [] : [{ VPCId: VPC, VPCRegion: REGION }] });
  }
  for (const name of ZONES.public) zoneIds[`public:${name}`] = r53.addZone(name);
  const alerts = new MemoryAlertSink();
  const registry = options.registry ?? new MemoryInstanceRegistry();
  const ids = Object.values(zoneIds);
  const env = options.functionEnv ? { AWS_REGION: REGION, ...options.functionEnv(ids) } : lambdaEnv(ids, options.env);
  const instances = wireRoute53Instances(loadInstanceSettings(env), { route53: r53, ec2: new Ec2ApiReader(ec2), registry, alerts, sleep: async () => undefined });
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
