import { applyTo, type Changes } from '../../domain/plan.js';
import { rrsetKey, sameRRSet, type RRSet } from '../../domain/records.js';
import { PublishError, type DnsPublisher } from '../../ports/publisher.js';

/**
 * A strict in-memory publisher: it rejects what a real backend rejects
 * (creating a record set that exists, updating or deleting one whose value
 * differs) and applies a plan all-or-nothing. `failNext` lets tests simulate
 * a backend outage.
 */
export class MemoryPublisher implements DnsPublisher {
  private readonly zones = new Map<string, RRSet[]>();
  private failures = 0;

  async records(zone: string): Promise<RRSet[]> {
    return [...(this.zones.get(zone) ?? [])];
  }

  async applyChanges(zone: string, changes: Changes): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new PublishError('unavailable', 'simulated backend failure');
    }
    const current = new Map((this.zones.get(zone) ?? []).map((r) => [rrsetKey(r), r]));
    for (const r of changes.create) if (current.has(rrsetKey(r))) throw new PublishError('refused', `${rrsetKey(r)} already exists`);
    for (const { from } of changes.update) assertCurrent(current, from);
    for (const r of changes.delete) assertCurrent(current, r);
    this.zones.set(zone, applyTo([...current.values()], changes));
  }

  /** Replaces a zone's content (startup load from the store). */
  seed(zone: string, records: readonly RRSet[]): void {
    this.zones.set(zone, [...records]);
  }

  /** Makes the next `count` applyChanges calls fail. */
  failNext(count = 1): void {
    this.failures = count;
  }
}

function assertCurrent(current: Map<string, RRSet>, expected: RRSet): void {
  const found = current.get(rrsetKey(expected));
  if (!found || !sameRRSet(found, expected)) throw new PublishError('refused', `${rrsetKey(expected)} is not as expected`);
}
