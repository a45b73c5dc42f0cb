/**
 * The owner sources Signpost has today: dyndns2 hosts (the Store) and
 * registered instances (the InstanceRegistry). Each claims exactly the
 * record sets it wants, from Signpost's own data.
 */
import type { Host } from '../domain/model.js';
import { isWithin } from '../domain/names.js';
import { hostNameOf, hostRecordSets, type RecordType, type RRSet } from '../domain/records.js';
import { zoneForName } from '../domain/zone-for-name.js';
import type { ZoneRef } from '../ports/dns-provider.js';
import type { InstanceRegistry } from '../ports/instance-registry.js';
import type { Store } from '../ports/store.js';
import type { OwnerSource } from './dns-registry.js';

/** dyndns2 hosts: a host's address sets, in the provider zone that holds its name (owner id: the host name). */
export class HostOwners implements OwnerSource {
  readonly name = 'host';

  constructor(
    private readonly store: Store,
    /** The served zones hosts are stored under (SIGNPOST_ZONES). */
    private readonly servedZones: readonly string[],
    private readonly providerZones: () => Promise<readonly ZoneRef[]>,
  ) {}

  async desired(zone: ZoneRef): Promise<RRSet[]> {
    const zones = await this.providerZones();
    const out: RRSet[] = [];
    for (const served of this.servedZones) {
      if (!isWithin(served, zone.name) && !isWithin(zone.name, served)) continue;
      for (const host of await this.store.listHosts({ zone: served })) {
        if (holds(zone, host.name, zones)) out.push(...setsOf(host));
      }
    }
    return out;
  }

  async desiredAt(zone: ZoneRef, name: string): Promise<RRSet[]> {
    // `*.name` belongs to the host `name` (its wildcard): the sets wanted at one owner name only.
    const host = await this.store.getHost(hostNameOf(name));
    if (!host || !holds(zone, host.name, await this.providerZones())) return [];
    return setsOf(host).filter((r) => r.name === name);
  }

  async ownerOf(zone: ZoneRef, name: string, type: RecordType): Promise<string | undefined> {
    const wanted = await this.desiredAt(zone, name);
    return wanted.some((r) => r.type === type) ? name : undefined;
  }
}

/** Registered instances: the records each registration holds (owner id: the instance id; the last writer wins). */
export class InstanceOwners implements OwnerSource {
  readonly name = 'instance';

  constructor(private readonly registry: InstanceRegistry) {}

  async desired(zone: ZoneRef): Promise<RRSet[]> {
    const out: RRSet[] = [];
    for (const registration of await this.registry.list()) {
      for (const record of registration.records) {
        if (record.zoneId !== zone.id) continue;
        // A record a replacement instance took over is wanted as the newer registration holds it.
        if ((await this.registry.ownerOf(record)) !== registration.instanceId) continue;
        const { zoneId: _id, zoneName: _name, ...rrset } = record;
        out.push(rrset);
      }
    }
    return out;
  }

  async desiredAt(zone: ZoneRef, name: string): Promise<RRSet[]> {
    return (await this.desired(zone)).filter((r) => r.name === name);
  }

  ownerOf(zone: ZoneRef, name: string, type: RecordType): Promise<string | undefined> {
    return this.registry.ownerOf({ zoneId: zone.id, name, type });
  }
}

function setsOf(host: Host): RRSet[] {
  return hostRecordSets(host);
}

/** Whether `zone` is the provider zone that holds `name` (an ambiguous name belongs to none). */
export function holds(zone: ZoneRef, name: string, zones: readonly ZoneRef[]): boolean {
  try {
    return zoneForName(name, zones)?.id === zone.id;
  } catch {
    return false;
  }
}
