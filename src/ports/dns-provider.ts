import type { Changes } from '../domain/plan.js';
import type { RRSet } from '../domain/records.js';

/** A zone a provider can write, as the provider names it. */
export interface ZoneRef {
  /** Stable reference inside the provider (Route 53 hosted zone id; the apex for the built-in and RFC 2136 servers). */
  readonly id: string;
  /** Canonical apex: lower case, no trailing dot. */
  readonly name: string;
  /** A private (VPC-only, or private-address view) zone. */
  readonly private: boolean;
}

export interface VpcRef {
  readonly vpcId: string;
  readonly region: string;
}

/**
 * What only some backends can do with private zones (Route 53): which zones a
 * VPC sees, associating one, creating one for a VPC.
 */
export interface PrivateZoneCapability {
  /** Ids of the private zones associated with the VPC. */
  associatedZoneIds(vpc: VpcRef): Promise<ReadonlySet<string>>;
  associate(zone: ZoneRef, vpc: VpcRef): Promise<void>;
  /**
   * Creates a private zone associated with the VPC; idempotent per name and
   * VPC (a retried or concurrent call gets the zone made first). Rejects with
   * a `refused` PublishError when that can never succeed.
   */
  createPrivateZone(name: string, vpc: VpcRef): Promise<ZoneRef>;
}

/**
 * One DNS backend (built-in server, Route 53, an RFC 2136 primary, the
 * in-memory fake), in the spirit of ExternalDNS's Provider. Every adapter
 * passes the contract suite in test/contract/dns-provider.contract.ts.
 *
 * Contract:
 * - `apply` is all-or-nothing: when it rejects, nothing of the plan is visible.
 * - Never clobber: creating a set that exists, or updating/deleting one whose
 *   current values differ from `from` / the deleted set, rejects with a
 *   `refused` PublishError and changes nothing.
 * - Applying a plan computed from the current state twice is harmless: the
 *   second plan (recomputed) is empty.
 * - Outages, timeouts and server failures reject with `unavailable`.
 */
export interface DnsProvider {
  /** Writable zones. */
  zones(): Promise<readonly ZoneRef[]>;
  /**
   * Record sets in the zone of the types Signpost models (never the apex SOA
   * or NS, nor sets the backend manages itself).
   */
  records(zone: ZoneRef): Promise<RRSet[]>;
  /**
   * The sets at one name (same types as `records`), without reading the whole
   * zone: what writers racing from several processes (Lambda) read before a
   * change. Optional; DnsRegistry falls back to `records(zone)` filtered.
   */
  recordsAt?(zone: ZoneRef, name: string): Promise<RRSet[]>;
  /** Applies one zone's plan atomically. */
  apply(zone: ZoneRef, changes: Changes): Promise<void>;
  /**
   * True when the backend holds nothing but what Signpost wrote (the built-in
   * server, the fake): a set found there and claimed by no one is Signpost's
   * leftover and may be removed. False for shared backends (Route 53, RFC 2136).
   */
  readonly exclusive: boolean;
  readonly privateZones?: PrivateZoneCapability;
}

/**
 * `refused`: the backend holds something else there (a prerequisite failed, the
 * set exists or differs, the change is invalid); retrying will not help.
 * `unavailable`: the backend could not be reached or failed; try again later.
 */
export type PublishErrorKind = 'refused' | 'unavailable';

export class PublishError extends Error {
  readonly kind: PublishErrorKind;

  constructor(kind: PublishErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PublishError';
    this.kind = kind;
  }
}
