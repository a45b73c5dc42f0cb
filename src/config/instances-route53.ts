/**
 * AWS wiring of instance registration: one Route 53 provider over the public
 * and private hosted zones (with the private-zone capability), given the
 * Route 53 API, the EC2 reader, the registry and the alert sink. The Lambda
 * entry point passes SDK-backed adapters, the tests strict fakes, so both run
 * the same composition with the same settings (those the CDK app sets).
 */
import { createdBySignpost } from '../adapters/dns/route53-private-zones.js';
import type { Route53Api } from '../adapters/dns/route53-api.js';
import type { Route53VpcApi } from '../adapters/dns/route53-vpc-api.js';
import { Route53DnsProvider, type Route53ProviderOptions } from '../adapters/dns/route53.js';
import { InstanceOwners } from '../app/dns-owners.js';
import { DnsRegistry } from '../app/dns-registry.js';
import { InstanceEvents } from '../app/instance-events.js';
import type { AlertSink } from '../ports/alerts.js';
import type { Ec2Reader } from '../ports/ec2-reader.js';
import type { InstanceRegistry } from '../ports/instance-registry.js';
import type { InstanceSettings } from './instance-env.js';

export interface Route53InstanceDeps {
  readonly route53: Route53Api & Route53VpcApi;
  readonly ec2: Ec2Reader;
  readonly registry: InstanceRegistry;
  readonly alerts: AlertSink;
  readonly now?: () => number;
  /** Test seam: how the provider waits between retries. */
  readonly sleep?: Route53ProviderOptions['sleep'];
}

export function wireRoute53Instances(settings: InstanceSettings, deps: Route53InstanceDeps): InstanceEvents {
  const provider = new Route53DnsProvider({
    api: deps.route53,
    vpcApi: deps.route53,
    visibility: 'both',
    hostedZoneIds: settings.hostedZoneIds,
    // Reverse zones Signpost creates cannot be in the configured id list; they stay writable
    // (the CDK policy allows PTR records in *.in-addr.arpa zones when creation is on).
    ...(settings.use.createReverseZones ? { alsoWritable: createdBySignpost } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
  const dns = new DnsRegistry(provider, { onError: () => undefined }); // instance events alert on failures themselves
  dns.addSource(new InstanceOwners(deps.registry));
  return new InstanceEvents({
    registry: deps.registry,
    ec2: deps.ec2,
    dns,
    alerts: deps.alerts,
    settings: settings.use,
    now: deps.now ?? Date.now,
  });
}
