import type { DnsZone } from '../domain/instances/types.js';
import type { Changes } from '../domain/plan.js';

/**
 * The DNS side of instance registration: zones addressed by id, so a public
 * and a private zone of one name (split horizon) stay apart. Route 53
 * (hosted zones) and the built-in server implement it. `apply` has the
 * publisher's never-clobber semantics: creating an existing set, or
 * deleting/updating one whose values differ, rejects with PublishError.
 */
export interface InstanceDns {
  /** Writable zones; private ones say whether `vpc` is associated with them. */
  zones(vpc?: { readonly vpcId: string; readonly region?: string }): Promise<DnsZone[]>;
  apply(zone: DnsZone, changes: Changes): Promise<void>;
  /** Associates a private zone with a VPC; absent where that means nothing (built-in server). */
  associate?(zone: DnsZone, vpc: { readonly vpcId: string; readonly region: string }): Promise<void>;
  /**
   * Creates a private zone associated with a VPC (reverse zones, when configured); idempotent per
   * zone and VPC: the zone made earlier (a retried or concurrent event) is returned, not a second one.
   * Rejects with PublishError when that can never succeed.
   */
  createPrivateZone?(name: string, vpc: { readonly vpcId: string; readonly region: string }): Promise<DnsZone>;
}
