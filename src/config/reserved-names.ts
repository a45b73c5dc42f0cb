/**
 * The names Signpost keeps for itself (src/domain/reserved.ts), read from
 * the DNS configuration of each runtime. The composition roots hand the
 * result to the use cases.
 */
import { zoneReservedNames, type ReservedName } from '../domain/reserved.js';
import { forZone, type DnsConfig } from '../adapters/dns/builtin/settings.js';

/** Self-hosted: the built-in server's apexes and NS names (SIGNPOST_DNS_NS, zones file). */
export function builtinReservedNames(dns: DnsConfig, servedZones: readonly string[]): ReservedName[] {
  return dns.zones.flatMap((z) => zoneReservedNames({ apex: z.apex, nameservers: z.nameservers.map((ns) => ns.name) }, servedZones));
}

/**
 * Route 53: the apex of each zone, plus the NS names configured with
 * SIGNPOST_DNS_NS if any (`{zone}` expanded per zone). Route 53's own
 * awsdns name servers lie outside the zones and need no protection.
 */
export function route53ReservedNames(servedZones: readonly string[], nsTemplates: readonly string[]): ReservedName[] {
  return servedZones.flatMap((apex) => zoneReservedNames({ apex, nameservers: nsTemplates.map((t) => forZone(t, apex)) }, servedZones));
}
