/**
 * Names Signpost publishes itself — a zone's apex (SOA and NS owner) and the
 * name servers inside its zones (with or without glue) — are never granted
 * to a user nor changed by an update: a user holding `ns1.<zone>` would
 * choose the address resolvers use to reach the zone. The set is built from
 * DNS configuration by the composition root; an entry may reserve a whole
 * subtree, for names delegated to another part of Signpost (an acme-dns
 * zone inside a served zone, say).
 */
import { findZone, isWithin } from './names.js';

export interface ReservedName {
  readonly name: string;
  /** Every name below `name` is reserved too. */
  readonly subtree?: boolean;
  /** Why, for messages: "the apex of dyn.example.com". */
  readonly reason: string;
}

/** The reservation that keeps `name` out of users' hands, if any. */
export function reservationOf(name: string, reserved: readonly ReservedName[]): ReservedName | undefined {
  return reserved.find((r) => r.name === name || (r.subtree === true && isWithin(name, r.name)));
}

/**
 * The reservation that makes a grant pattern useless, if any: an exact
 * reserved name, or a `*.suffix` that lies wholly inside a reserved subtree.
 * A wildcard that merely covers some reserved names is a valid grant; those
 * names stay out of its reach at update time.
 */
export function grantReservationOf(pattern: string, reserved: readonly ReservedName[]): ReservedName | undefined {
  if (!pattern.startsWith('*.')) return reservationOf(pattern, reserved);
  const suffix = pattern.slice(2);
  return reserved.find((r) => r.subtree === true && isWithin(suffix, r.name));
}

/**
 * What one served zone's own records occupy: its apex, and each of its NS
 * targets that lies inside any served zone (an NS name elsewhere belongs to
 * someone else's zone and is not ours to protect).
 */
export function zoneReservedNames(zone: { readonly apex: string; readonly nameservers: readonly string[] }, servedZones: readonly string[]): ReservedName[] {
  const names: ReservedName[] = [{ name: zone.apex, reason: `the apex of ${zone.apex}` }];
  for (const ns of zone.nameservers) {
    if (findZone(ns, servedZones) !== undefined && !names.some((r) => r.name === ns)) names.push({ name: ns, reason: `a name server of ${zone.apex}` });
  }
  return names;
}

/**
 * The acme-dns zone (SIGNPOST_ACME_DNS_ZONE) and everything below it: its
 * names are acme-dns accounts' subdomains, written only through the
 * acme-dns API, never a host a user could be granted or update.
 */
export function acmeDnsReservedName(zone: string): ReservedName {
  return { name: zone, subtree: true, reason: `the acme-dns zone ${zone}` };
}
