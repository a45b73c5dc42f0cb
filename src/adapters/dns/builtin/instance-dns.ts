/**
 * Instance registration on the built-in DNS server. A server has one view,
 * so which served zones count as private (private addresses) is
 * configuration; a deployment that wants split horizon runs two servers
 * (two views), each given here with an id prefix.
 */
import type { DnsZone } from '../../../domain/instances/types.js';
import type { Changes } from '../../../domain/plan.js';
import { rrsetKey } from '../../../domain/records.js';
import type { InstanceDns } from '../../../ports/instance-dns.js';
import type { InstanceRegistry } from '../../../ports/instance-registry.js';
import { PublishError } from '../../../ports/publisher.js';
import type { BuiltinDnsPublisher } from './publisher.js';

export interface BuiltinView {
  readonly publisher: BuiltinDnsPublisher;
  readonly private: boolean;
  readonly zones: readonly string[];
  /** Needed only when two views serve a zone of the same name. */
  readonly idPrefix?: string;
}

export class BuiltinInstanceDns implements InstanceDns {
  constructor(private readonly views: readonly BuiltinView[]) {}

  async zones(): Promise<DnsZone[]> {
    return this.views.flatMap((v) => v.zones.map((apex) => ({ id: idOf(v, apex), name: apex, private: v.private })));
  }

  async apply(zone: DnsZone, changes: Changes): Promise<void> {
    const view = this.views.find((v) => v.zones.some((apex) => idOf(v, apex) === zone.id));
    if (!view) throw new PublishError('refused', `zone ${zone.id} is not served here`);
    await view.publisher.applyChanges(zone.name, changes);
  }

  /**
   * Startup: the server loads dyndns2 hosts from the store; this puts the
   * registered instance records back beside them (skipping any already there).
   */
  async restore(registry: InstanceRegistry): Promise<number> {
    let restored = 0;
    const zones = await this.zones();
    for (const reg of await registry.list()) {
      for (const record of reg.records) {
        const zone = zones.find((z) => z.id === record.zoneId);
        if (!zone) continue;
        const view = this.views.find((v) => v.zones.some((apex) => idOf(v, apex) === zone.id))!;
        const present = (await view.publisher.records(zone.name)).some((r) => rrsetKey(r) === rrsetKey(record));
        if (present) continue;
        const { zoneId: _z, zoneName: _n, ...rrset } = record;
        await view.publisher.applyChanges(zone.name, { create: [rrset], update: [], delete: [] });
        restored++;
      }
    }
    return restored;
  }
}

const idOf = (view: BuiltinView, apex: string) => (view.idPrefix ? `${view.idPrefix}/${apex}` : apex);
