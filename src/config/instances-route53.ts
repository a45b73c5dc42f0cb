/**
 * AWS wiring of instance registration: Route 53 on both sides (public and
 * private hosted zones), given the Route 53 API, the EC2 reader, the
 * registry and the alert sink. The Lambda entry point passes SDK-backed
 * adapters, the tests strict fakes, so both run the same composition with
 * the same settings (those the CDK app sets).
 */
import { Route53InstanceDns, createdBySignpost } from '../adapters/dns/route53-instance-dns.js';
import type { Route53Api } from '../adapters/dns/route53-api.js';
import type { Route53VpcApi } from '../adapters/dns/route53-vpc-api.js';
import { Route53Publisher, type Route53PublisherOptions } from '../adapters/dns/route53.js';
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
  /** Test seam: how the publishers wait between retries. */
  readonly sleep?: Route53PublisherOptions['sleep'];
}

export function wireRoute53Instances(settings: InstanceSettings, deps: Route53InstanceDeps): InstanceEvents {
  const publisher = (visibility: 'public' | 'private') =>
    new Route53Publisher({
      api: deps.route53,
      visibility,
      hostedZoneIds: settings.hostedZoneIds,
      // Reverse zones Signpost creates cannot be in the configured id list; they stay writable
      // (the CDK policy allows PTR records in *.in-addr.arpa zones when creation is on).
      ...(visibility === 'private' && settings.use.createReverseZones ? { alsoWritable: createdBySignpost } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
    });
  return new InstanceEvents({
    registry: deps.registry,
    ec2: deps.ec2,
    dns: new Route53InstanceDns({ public: publisher('public'), private: publisher('private'), vpcApi: deps.route53 }),
    alerts: deps.alerts,
    settings: settings.use,
    now: deps.now ?? Date.now,
  });
}
