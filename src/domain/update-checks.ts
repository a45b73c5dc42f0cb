/**
 * The checks of an RFC 2136 UPDATE that need no permission and change
 * nothing: the zone (§3.1), the prerequisites against the zone's current
 * records (§3.2) and the prescan of the update section (§3.4.1). Each
 * returns the RCODE of the first record that fails, in message order, as
 * the RFC's pseudocode does, or undefined when all pass.
 */
import type { DnsUpdateRequest, UpdateRcode, UpdateRR } from './dns-update.js';
import { parseIPv4, parseIPv6 } from './ip.js';
import { canonicalName, findZone } from './names.js';
import type { RRSet } from './records.js';
import { txtStrings } from './txt.js';

/** Signpost serves class IN only: the zone section's class, the class of "add" records. */
export const ZONE_CLASS = 'IN';

/** The types that are not data (RFC 6895 §3.1): never added, never compared. ANY is handled apart. */
const META_TYPES = new Set(['OPT', 'TKEY', 'TSIG', 'IXFR', 'AXFR', 'MAILB', 'MAILA', 'TYPE41', 'TYPE249', 'TYPE250', 'TYPE251', 'TYPE252', 'TYPE253', 'TYPE254']);

export const isAnyType = (type: string): boolean => type === 'ANY' || type === 'TYPE255';
const isMetaType = (type: string): boolean => META_TYPES.has(type);

/** What the checks see of the zone. */
export interface ZoneView {
  /** The served zone the request names (SIGNPOST_ZONES). */
  readonly apex: string;
  /** Every served zone: a name in a served zone below `apex` belongs to that zone, not this one. */
  readonly served: readonly string[];
  /**
   * The record sets at a name, as the provider holds them (Signpost's and
   * foreign ones). The apex's SOA and NS are never among them: the apex
   * counts as in use and its SOA and NS as existing.
   */
  readonly setsAt: (name: string) => readonly RRSet[];
}

/** §3.1: a zone Signpost serves, of class IN; anything else is not ours to answer for. */
export function checkZone(request: Pick<DnsUpdateRequest, 'zone' | 'zoneClass'>, served: readonly string[]): UpdateRcode | undefined {
  return request.zoneClass === ZONE_CLASS && served.includes(request.zone) ? undefined : 'NOTAUTH';
}

/** zone_of(name) == ZNAME: the longest served zone holding `name` is the request's zone. */
export function inZone(name: string, zone: Pick<ZoneView, 'apex' | 'served'>): boolean {
  return findZone(name, zone.served) === zone.apex;
}

/** §3.2: every prerequisite holds, or the RCODE of the first that does not. */
export function checkPrerequisites(prerequisites: readonly UpdateRR[], zone: ZoneView): UpdateRcode | undefined {
  // Value-dependent prerequisites (§2.4.2) are gathered per (name, type) and compared as whole sets at the end.
  const wanted = new Map<string, { name: string; type: string; values: Set<string> }>();
  for (const rr of prerequisites) {
    if (rr.ttl !== 0) return 'FORMERR';
    if (!inZone(rr.name, zone)) return 'NOTZONE';
    if (rr.class === 'ANY' || rr.class === 'NONE') {
      if (rr.value !== undefined) return 'FORMERR';
      const anyType = isAnyType(rr.type);
      const present = anyType ? nameInUse(zone, rr.name) : rrsetExists(zone, rr.name, rr.type);
      if (rr.class === 'ANY' && !present) return anyType ? 'NXDOMAIN' : 'NXRRSET';
      if (rr.class === 'NONE' && present) return anyType ? 'YXDOMAIN' : 'YXRRSET';
    } else if (rr.class === ZONE_CLASS) {
      if (rr.value === undefined || isAnyType(rr.type) || isMetaType(rr.type)) return 'FORMERR';
      const key = `${rr.name}|${rr.type}`;
      const entry = wanted.get(key) ?? { name: rr.name, type: rr.type, values: new Set<string>() };
      entry.values.add(canonicalValue(rr.type, rr.value));
      wanted.set(key, entry);
    } else {
      return 'FORMERR';
    }
  }
  for (const { name, type, values } of wanted.values()) {
    // The apex SOA and NS values are the server's own and not in view: such a prerequisite never matches.
    const held = zone.setsAt(name).find((s) => s.type === type);
    const current = new Set(held?.values.map((v) => canonicalValue(type, v)) ?? []);
    if (current.size !== values.size || [...values].some((v) => !current.has(v))) return 'NXRRSET';
  }
  return undefined;
}

/** §3.4.1.3: the update section is well formed, or the RCODE of the first record that is not. */
export function prescanUpdates(updates: readonly UpdateRR[], zone: Pick<ZoneView, 'apex' | 'served'>): UpdateRcode | undefined {
  for (const rr of updates) {
    if (!inZone(rr.name, zone)) return 'NOTZONE';
    if (rr.class === ZONE_CLASS) {
      // Adding: data of a data type, well formed for the types Signpost reads.
      if (isAnyType(rr.type) || isMetaType(rr.type) || rr.value === undefined || !wellFormed(rr.type, rr.value)) return 'FORMERR';
    } else if (rr.class === 'ANY') {
      // Deleting a set (type) or every set at the name (ANY): no TTL, no data.
      if (rr.ttl !== 0 || rr.value !== undefined || isMetaType(rr.type)) return 'FORMERR';
    } else if (rr.class === 'NONE') {
      // Deleting one record: it names the data to delete.
      if (rr.ttl !== 0 || isAnyType(rr.type) || isMetaType(rr.type) || rr.value === undefined) return 'FORMERR';
    } else {
      return 'FORMERR';
    }
  }
  return undefined;
}

/**
 * A value in a form where two spellings of the same data compare equal
 * (`2001:DB8::0:1` and `2001:db8::1`, `"abc"` and `abc`, a name with or
 * without its final dot).
 */
export function canonicalValue(type: string, value: string): string {
  switch (type) {
    case 'A':
      return parseIPv4(value.trim()) ?? value;
    case 'AAAA':
      return parseIPv6(value.trim()) ?? value;
    case 'TXT': {
      const strings = txtStrings(value);
      return strings ? JSON.stringify(strings) : value;
    }
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return canonicalName(value);
    case 'MX': {
      const [preference, exchange] = value.trim().split(/\s+/);
      return exchange === undefined ? value : `${Number(preference)} ${canonicalName(exchange)}`;
    }
    default:
      return value.trim().replace(/\s+/g, ' ');
  }
}

function wellFormed(type: string, value: string): boolean {
  if (type === 'A') return parseIPv4(value.trim()) !== undefined;
  if (type === 'AAAA') return parseIPv6(value.trim()) !== undefined;
  if (type === 'TXT') return txtStrings(value) !== undefined;
  return true; // types Signpost does not read are refused later, not malformed
}

/** §2.4.4: at least one record has the name (an empty non-terminal does not count). */
function nameInUse(zone: ZoneView, name: string): boolean {
  return name === zone.apex || zone.setsAt(name).length > 0;
}

function rrsetExists(zone: ZoneView, name: string, type: string): boolean {
  if (name === zone.apex && (type === 'SOA' || type === 'NS')) return true;
  return zone.setsAt(name).some((s) => s.type === type);
}
