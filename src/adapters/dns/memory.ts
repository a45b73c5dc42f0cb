import { applyTo, type Changes } from '../../domain/plan.js';
import { isWithin } from '../../domain/names.js';
import { rrsetKey, sameRRSet, type RRSet } from '../../domain/records.js';
import { PublishError, type DnsProvider, type ZoneRef } from '../../ports/dns-provider.js';

/**
 * A strict in-memory DNS provider: it rejects what a real backend rejects
 * (creating a record set that exists, updating or deleting one whose value
 * differs, a zone it does not hold) and applies a plan all-or-nothing. It
 * holds nothing but what Signpost wrote (exclusive), unless a test asks it
 * to stand in for a shared backend. `failNext` lets tests simulate an outage.
 */
export class MemoryDnsProvider implements DnsProvider {
  readonly exclusive: boolean;
  private readonly refs: ZoneRef[];
  private readonly content = new Map<string, RRSet[]>();
  private failures = 0;

  /** Zones by apex (id = apex, public) or as full references. */
  constructor(zones: readonly (string | ZoneRef)[], options: { readonly shared?: boolean } = {}) {
    this.exclusive = !options.shared;
    this.refs = zones.map((z) => (typeof z === 'string' ? { id: z, name: z, private: false } : z));
  }

  async zones(): Promise<readonly ZoneRef[]> {
    return this.refs;
  }

  /** Accepts the zone id alone too (tests). */
  async records(zone: ZoneRef | string): Promise<RRSet[]> {
    return [...(this.content.get(this.require(zone).id) ?? [])];
  }

  async recordsAt(zone: ZoneRef | string, name: string): Promise<RRSet[]> {
    return (this.content.get(this.require(zone).id) ?? []).filter((r) => r.name === name);
  }

  async apply(zone: ZoneRef | string, changes: Changes): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new PublishError('unavailable', 'simulated backend failure');
    }
    const ref = this.require(zone);
    const current = new Map((this.content.get(ref.id) ?? []).map((r) => [rrsetKey(r), r]));
    for (const r of [...changes.create, ...changes.delete, ...changes.update.flatMap((u) => [u.from, u.to])]) {
      if (!isWithin(r.name, ref.name)) throw new PublishError('refused', `${r.name} is outside zone ${ref.name}`);
    }
    for (const r of changes.create) if (current.has(rrsetKey(r))) throw new PublishError('refused', `${rrsetKey(r)} already exists`);
    for (const { from } of changes.update) assertCurrent(current, from);
    for (const r of changes.delete) assertCurrent(current, r);
    this.content.set(ref.id, applyTo([...current.values()], changes));
  }

  /** Writes sets straight into a zone, behind Signpost's back (tests: foreign records, startup state). */
  seed(zone: string, records: readonly RRSet[]): void {
    const ref = this.require(zone);
    const byKey = new Map((this.content.get(ref.id) ?? []).map((r) => [rrsetKey(r), r]));
    for (const r of records) byKey.set(rrsetKey(r), r);
    this.content.set(ref.id, [...byKey.values()]);
  }

  /** Makes the next `count` apply calls fail as unavailable. */
  failNext(count = 1): void {
    this.failures = count;
  }

  private require(zone: ZoneRef | string): ZoneRef {
    const id = typeof zone === 'string' ? zone : zone.id;
    const ref = this.refs.find((z) => z.id === id);
    if (!ref) throw new PublishError('refused', `zone ${id} is not held here`);
    return ref;
  }
}

function assertCurrent(current: Map<string, RRSet>, expected: RRSet): void {
  const found = current.get(rrsetKey(expected));
  if (!found || !sameRRSet(found, expected)) throw new PublishError('refused', `${rrsetKey(expected)} is not as expected`);
}
