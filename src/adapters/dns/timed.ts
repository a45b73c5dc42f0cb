/**
 * A DNS provider that reports how long each plan took to apply (the publish
 * latency a dashboard shows per backend), around any other provider. It
 * implements the interface it wraps and changes nothing else.
 */
import type { Changes } from '../../domain/plan.js';
import type { RRSet } from '../../domain/records.js';
import { PublishError, type DnsProvider, type ZoneRef } from '../../ports/dns-provider.js';

/** `outcome`: `ok`, the PublishError's kind, or `error` for anything else. */
export type PublishObserver = (outcome: string, seconds: number) => void;

export class TimedDnsProvider implements DnsProvider {
  readonly exclusive: boolean;
  readonly privateZones?: DnsProvider['privateZones'];
  readonly recordsAt?: (zone: ZoneRef, name: string) => Promise<RRSet[]>;

  constructor(
    private readonly inner: DnsProvider,
    private readonly observe: PublishObserver,
  ) {
    this.exclusive = inner.exclusive;
    if (inner.privateZones) this.privateZones = inner.privateZones;
    // Only when the inner one has it: callers fall back to records() otherwise.
    if (inner.recordsAt) this.recordsAt = (zone, name) => inner.recordsAt!(zone, name);
  }

  zones(): Promise<readonly ZoneRef[]> {
    return this.inner.zones();
  }

  records(zone: ZoneRef): Promise<RRSet[]> {
    return this.inner.records(zone);
  }

  async apply(zone: ZoneRef, changes: Changes): Promise<void> {
    const started = performance.now();
    let outcome = 'error';
    try {
      await this.inner.apply(zone, changes);
      outcome = 'ok';
    } catch (error) {
      if (error instanceof PublishError) outcome = error.kind;
      throw error;
    } finally {
      this.observe(outcome, (performance.now() - started) / 1000);
    }
  }
}
