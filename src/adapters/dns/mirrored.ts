import type { Logger } from 'pino';
import type { Changes } from '../../domain/plan.js';
import type { RRSet } from '../../domain/records.js';
import type { DnsProvider, ZoneRef } from '../../ports/dns-provider.js';

/**
 * The primary decides; the built-in server (which holds only Signpost's
 * records) repeats what the primary accepted, so both answer alike.
 */
export class MirroredDnsProvider implements DnsProvider {
  readonly exclusive: boolean;

  constructor(
    private readonly primary: DnsProvider,
    private readonly mirror: DnsProvider,
    private readonly logger: Logger,
  ) {
    this.exclusive = primary.exclusive;
  }

  zones(): Promise<readonly ZoneRef[]> {
    return this.primary.zones();
  }

  records(zone: ZoneRef): Promise<RRSet[]> {
    return this.primary.records(zone);
  }

  /** The primary's per-name read when it has one (the mirror only repeats it). */
  async recordsAt(zone: ZoneRef, name: string): Promise<RRSet[]> {
    if (this.primary.recordsAt) return this.primary.recordsAt(zone, name);
    return (await this.primary.records(zone)).filter((r) => r.name === name);
  }

  async apply(zone: ZoneRef, changes: Changes): Promise<void> {
    await this.primary.apply(zone, changes);
    await this.mirror.apply(zone, changes).catch((error: unknown) => this.logger.error({ err: error, zone: zone.name }, 'built-in DNS server could not mirror an update'));
  }
}
