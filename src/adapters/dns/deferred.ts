/**
 * The DNS side of a process that does not publish itself: the CLI beside a
 * running built-in server. `apply` accepts every plan and writes nothing;
 * the server, which watches the store's change counter, reconciles its
 * zones with the store within a second. Nothing is ever read back from it.
 */
import type { Changes } from '../../domain/plan.js';
import type { RRSet } from '../../domain/records.js';
import type { DnsProvider, ZoneRef } from '../../ports/dns-provider.js';

export class DeferredDnsProvider implements DnsProvider {
  /** Like the server it stands in for: it holds nothing but what Signpost writes. */
  readonly exclusive = true;
  private readonly refs: readonly ZoneRef[];

  /** The served zones by apex (their ids on the built-in server). */
  constructor(zones: readonly string[]) {
    this.refs = zones.map((apex) => ({ id: apex, name: apex, private: false }));
  }

  async zones(): Promise<readonly ZoneRef[]> {
    return this.refs;
  }

  async records(_zone: ZoneRef): Promise<RRSet[]> {
    return [];
  }

  async apply(_zone: ZoneRef, _changes: Changes): Promise<void> {}
}
