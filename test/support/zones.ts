import type { Changes } from '../../src/domain/plan.js';
import type { RRSet } from '../../src/domain/records.js';
import type { DnsProvider, ZoneRef } from '../../src/ports/dns-provider.js';

/** The provider's zone of that name (tests name zones; providers address them by reference). */
export async function zoneNamed(provider: DnsProvider, name: string): Promise<ZoneRef> {
  const found = (await provider.zones()).find((z) => z.name === name);
  if (!found) throw new Error(`test bug: the provider has no zone ${name}`);
  return found;
}

export async function recordsIn(provider: DnsProvider, zone: string): Promise<RRSet[]> {
  return provider.records(await zoneNamed(provider, zone));
}

export async function applyIn(provider: DnsProvider, zone: string, changes: Changes): Promise<void> {
  await provider.apply(await zoneNamed(provider, zone), changes);
}
