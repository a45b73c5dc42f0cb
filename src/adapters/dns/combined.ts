/**
 * Several providers as one: their zones side by side, each plan sent to the
 * provider that holds its zone. A deployment that wants split horizon on
 * built-in servers runs two (a private and a public view, with distinct zone
 * id prefixes) and publishes to both through this.
 */
import type { Changes } from '../../domain/plan.js';
import type { RRSet } from '../../domain/records.js';
import { PublishError, type DnsProvider, type ZoneRef } from '../../ports/dns-provider.js';

export class CombinedDnsProvider implements DnsProvider {
  readonly exclusive: boolean;

  constructor(private readonly providers: readonly DnsProvider[]) {
    this.exclusive = providers.every((p) => p.exclusive);
  }

  async zones(): Promise<readonly ZoneRef[]> {
    const all = (await Promise.all(this.providers.map((p) => p.zones()))).flat();
    const ids = new Set(all.map((z) => z.id));
    if (ids.size !== all.length) throw new PublishError('refused', 'two combined providers have zones with the same id; give the views id prefixes');
    return all;
  }

  async records(zone: ZoneRef): Promise<RRSet[]> {
    return (await this.holder(zone)).records(zone);
  }

  async recordsAt(zone: ZoneRef, name: string): Promise<RRSet[]> {
    const holder = await this.holder(zone);
    if (holder.recordsAt) return holder.recordsAt(zone, name);
    return (await holder.records(zone)).filter((r) => r.name === name);
  }

  async apply(zone: ZoneRef, changes: Changes): Promise<void> {
    await (await this.holder(zone)).apply(zone, changes);
  }

  private async holder(zone: ZoneRef): Promise<DnsProvider> {
    for (const provider of this.providers) if ((await provider.zones()).some((z) => z.id === zone.id)) return provider;
    throw new PublishError('refused', `zone ${zone.id} is held by none of the combined providers`);
  }
}
