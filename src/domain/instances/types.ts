/**
 * The vocabulary of instance registration: what EC2 tells us about an
 * instance, which hosted zones exist, and the typed records Signpost created
 * for an instance (kept per instance, so cleanup needs no EC2 call).
 */
import type { RecordType, RRSet } from '../records.js';

export const INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];

/** States in which an instance's records must not exist. */
export const GONE_STATES: ReadonlySet<InstanceState> = new Set(['stopping', 'stopped', 'shutting-down', 'terminated']);

/** One EventBridge event, reduced to what the use case needs. `time` is epoch ms (EventBridge gives seconds). */
export type InstanceEvent =
  | { readonly kind: 'state'; readonly instanceId: string; readonly state: InstanceState; readonly time: number; readonly region?: string }
  | { readonly kind: 'tags'; readonly instanceId: string; readonly time: number; readonly region?: string };

/** DescribeInstances (plus its subnet) reduced to the facts that decide records. */
export interface InstanceFacts {
  readonly instanceId: string;
  readonly state: InstanceState;
  readonly vpcId?: string;
  readonly privateIp?: string;
  /** e.g. ip-10-0-1-5.ec2.internal */
  readonly privateDnsName?: string;
  readonly publicIp?: string;
  readonly ipv6: readonly string[];
  /** Prefix length of the instance's subnet (IPv4), which decides its reverse zone. */
  readonly subnetPrefixLength?: number;
  readonly tags: Readonly<Record<string, string>>;
}

export interface VpcFacts {
  readonly vpcId: string;
  readonly dnsSupport: boolean;
  /** The first `domain-name` of the VPC's DHCP options, canonical. */
  readonly dhcpDomainName?: string;
}

/** A zone records can be written to: a Route 53 hosted zone or a built-in server zone. */
export interface DnsZone {
  readonly id: string;
  /** Canonical: lower case, no trailing dot. */
  readonly name: string;
  readonly private: boolean;
  /** Private zones: whether the instance's VPC is associated with it (resolvers there see it). */
  readonly associated?: boolean;
}

/** A record set Signpost created for an instance, with the zone it lives in. */
export interface InstanceRecord extends RRSet {
  readonly zoneId: string;
  readonly zoneName: string;
}

export interface RecordRef {
  readonly zoneId: string;
  readonly name: string;
  readonly type: RecordType;
}

export const recordRefKey = (r: RecordRef) => `${r.zoneId}|${r.name}|${r.type}`;

/**
 * What the registry keeps per instance: the last state seen (and the time of
 * the event that said so, for ordering) and exactly the records created.
 * Terminated instances stay as tombstones so a late `running` is ignored.
 */
export interface InstanceRegistration {
  readonly instanceId: string;
  readonly state: InstanceState;
  readonly lastEventAt: number;
  readonly records: readonly InstanceRecord[];
  readonly version: number;
  readonly updatedAt: number;
}

/** Which tags mean what; keys are matched exactly (case-sensitive), first key wins. */
export interface InstanceTagKeys {
  readonly zone: readonly string[];
  readonly name: readonly string[];
  readonly cname: readonly string[];
}

export const DEFAULT_TAG_KEYS: InstanceTagKeys = {
  zone: ['signpost:zone', 'ZONE'],
  name: ['signpost:name'],
  cname: ['signpost:cname', 'CNAME'],
};

/** Every record type instance registration writes (the IAM policy allows exactly these). */
export const INSTANCE_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'PTR'] as const;
