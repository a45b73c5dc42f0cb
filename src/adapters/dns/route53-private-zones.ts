/**
 * Route 53's private-zone capability (instance registration): which private
 * hosted zones a VPC sees, associating one, creating a reverse zone for a
 * VPC, and recognising the zones Signpost created itself.
 */
import { PublishError, type PrivateZoneCapability, type VpcRef, type ZoneRef } from '../../ports/dns-provider.js';
import type { R53HostedZone } from './route53-api.js';
import { bareZoneId, fromRoute53Name } from './route53-names.js';
import type { Route53VpcApi } from './route53-vpc-api.js';

const REVERSE_ZONE_COMMENT = 'reverse zone created by Signpost';

const reverseZoneReference = (name: string, vpcId: string) => `signpost-${name}-${vpcId}`;

/**
 * Whether Signpost created this hosted zone: a private reverse zone whose
 * caller reference is one `createPrivateZone` uses. The caller reference is
 * fixed at creation (a comment can be edited), and only someone allowed to
 * create hosted zones could forge it. The Route 53 provider writes
 * such zones beside the configured ids, as its IAM policy allows.
 */
export function createdBySignpost(zone: R53HostedZone): boolean {
  if (!zone.Config?.PrivateZone || !zone.CallerReference) return false;
  const name = fromRoute53Name(zone.Name);
  if (!name.endsWith('.in-addr.arpa')) return false;
  const prefix = `signpost-${name}-`;
  return zone.CallerReference.startsWith(prefix) && /^vpc-[0-9a-f]+$/.test(zone.CallerReference.slice(prefix.length));
}

export interface Route53PrivateZonesOptions {
  readonly vpcApi: Route53VpcApi;
  /** The provider's writable zones (cached there), and how to make it list them again. */
  readonly zones: () => Promise<readonly ZoneRef[]>;
  readonly forgetZones: () => void;
  /** How long a VPC's zone associations are reused (ms). */
  readonly associationCacheMs?: number;
  readonly now?: () => number;
}

/** The private-zone capability of the Route 53 provider: VPC associations and reverse zones for instance registration. */
export class Route53PrivateZones implements PrivateZoneCapability {
  private readonly associations = new Map<string, { at: number; ids: Promise<Set<string>> }>();
  private readonly now: () => number;

  constructor(private readonly options: Route53PrivateZonesOptions) {
    this.now = options.now ?? Date.now;
  }

  associatedZoneIds(vpc: VpcRef): Promise<ReadonlySet<string>> {
    return this.associatedIds(vpc.vpcId, vpc.region);
  }

  async associate(zone: ZoneRef, vpc: VpcRef): Promise<void> {
    await this.options.vpcApi.associateVPCWithHostedZone({ HostedZoneId: zone.id, VPC: { VPCId: vpc.vpcId, VPCRegion: vpc.region } });
    this.associations.delete(`${vpc.region}/${vpc.vpcId}`);
  }
  /**
   * Creates a private (reverse) zone associated with the VPC. The caller
   * reference is derived from zone and VPC, so a retried or concurrent event
   * gets the same zone, not a second one: Route 53 answers
   * HostedZoneAlreadyExists for a reused reference, and the zone made under
   * it is then taken from the (re-read) list of writable zones.
   */
  async createPrivateZone(name: string, vpc: VpcRef): Promise<ZoneRef> {
    const reference = reverseZoneReference(name, vpc.vpcId);
    try {
      const out = await this.options.vpcApi.createHostedZone({
        Name: name,
        CallerReference: reference,
        VPC: { VPCId: vpc.vpcId, VPCRegion: vpc.region },
        HostedZoneConfig: { PrivateZone: true, Comment: REVERSE_ZONE_COMMENT },
      });
      this.forget(vpc);
      return { id: bareZoneId(out.HostedZone.Id), name: fromRoute53Name(out.HostedZone.Name), private: true };
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'HostedZoneAlreadyExists') throw error;
      this.forget(vpc);
      const made = (await this.options.zones()).find((z) => z.private && z.name === name);
      if (made) return made;
      // Route 53 never accepts a caller reference twice, even after its zone was deleted: a refusal, retrying changes nothing.
      throw new PublishError('refused', `the reverse zone ${name} was created by Signpost before (caller reference ${reference}) and is gone or not writable; create it by hand`);
    }
  }

  private forget(vpc: VpcRef): void {
    this.associations.delete(`${vpc.region}/${vpc.vpcId}`);
    this.options.forgetZones();
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
