/**
 * Instance registration on Route 53: public and private hosted zones side by
 * side, addressed by id. Writes go through the strict Route53Publisher (one
 * per visibility: retries, batches, never-clobber DELETE+CREATE updates).
 */
import type { DnsZone } from '../../domain/instances/types.js';
import type { Changes } from '../../domain/plan.js';
import type { InstanceDns } from '../../ports/instance-dns.js';
import { bareZoneId, fromRoute53Name, type Route53Publisher } from './route53.js';
import type { Route53VpcApi } from './route53-vpc-api.js';

export interface Route53InstanceDnsOptions {
  readonly public: Route53Publisher;
  readonly private: Route53Publisher;
  readonly vpcApi: Route53VpcApi;
  /** How long a VPC's zone associations are reused (ms). */
  readonly associationCacheMs?: number;
  readonly now?: () => number;
}

export class Route53InstanceDns implements InstanceDns {
  private readonly associations = new Map<string, { at: number; ids: Promise<Set<string>> }>();
  private readonly now: () => number;

  constructor(private readonly options: Route53InstanceDnsOptions) {
    this.now = options.now ?? Date.now;
  }

  async zones(vpc?: { vpcId: string; region?: string }): Promise<DnsZone[]> {
    const [pub, priv] = await Promise.all([this.options.public.hostedZones(), this.options.private.hostedZones()]);
    const associated = vpc?.region ? await this.associatedIds(vpc.vpcId, vpc.region) : undefined;
    return [
      ...pub.map((z) => ({ id: z.id, name: z.name, private: false })),
      ...priv.map((z) => ({ id: z.id, name: z.name, private: true, ...(associated ? { associated: associated.has(z.id) } : {}) })),
    ];
  }

  async apply(zone: DnsZone, changes: Changes): Promise<void> {
    const publisher = (await this.options.private.hostedZones()).some((z) => z.id === zone.id) ? this.options.private : this.options.public;
    await publisher.applyToHostedZone({ id: zone.id, name: zone.name, private: publisher === this.options.private }, changes);
  }

  async associate(zone: DnsZone, vpc: { vpcId: string; region: string }): Promise<void> {
    await this.options.vpcApi.associateVPCWithHostedZone({ HostedZoneId: zone.id, VPC: { VPCId: vpc.vpcId, VPCRegion: vpc.region } });
    this.associations.delete(`${vpc.region}/${vpc.vpcId}`);
  }

  async createPrivateZone(name: string, vpc: { vpcId: string; region: string }): Promise<DnsZone> {
    const out = await this.options.vpcApi.createHostedZone({
      Name: name,
      // Idempotent per (zone, VPC): a retried event gets the same zone, not a second one.
      CallerReference: `signpost-${name}-${vpc.vpcId}`,
      VPC: { VPCId: vpc.vpcId, VPCRegion: vpc.region },
      HostedZoneConfig: { PrivateZone: true, Comment: 'reverse zone created by Signpost' },
    });
    this.associations.delete(`${vpc.region}/${vpc.vpcId}`);
    this.options.private.forgetZones();
    return { id: bareZoneId(out.HostedZone.Id), name: fromRoute53Name(out.HostedZone.Name), private: true, associated: true };
  }

  private associatedIds(vpcId: string, region: string): Promise<Set<string>> {
    const key = `${region}/${vpcId}`;
    const cached = this.associations.get(key);
    if (cached && this.now() - cached.at < (this.options.associationCacheMs ?? 60_000)) return cached.ids;
    const ids = (async () => {
      const found = new Set<string>();
      let token: string | undefined;
      do {
        const page = await this.options.vpcApi.listHostedZonesByVPC({ VPCId: vpcId, VPCRegion: region, ...(token ? { NextToken: token } : {}) });
        for (const z of page.HostedZoneSummaries) found.add(bareZoneId(z.HostedZoneId));
        token = page.NextToken;
      } while (token);
      return found;
    })();
    ids.catch(() => this.associations.delete(key));
    this.associations.set(key, { at: this.now(), ids });
    return ids;
  }
}
