/**
 * The records an instance should have, from its facts and the chosen zones:
 * A for the private address in the private zone and for the public address
 * in the public zone, AAAA for its IPv6 addresses, an optional CNAME that
 * points at Signpost's own name (never the AWS name), and a PTR in the
 * reverse zone pointing at that name.
 */
import { canonicalName, isFqdn, isWithin } from '../names.js';
import { ptrName, reverseZoneName } from './reverse.js';
import { tagValue, type ZoneChoice } from './zones.js';
import type { DnsZone, InstanceFacts, InstanceRecord, InstanceTagKeys } from './types.js';

export interface RecordOptions {
  readonly ttl: number;
  readonly tagKeys: InstanceTagKeys;
}

/** A tag value as a name in `zone`: an FQDN inside it is kept, anything else is a label under it. */
export function nameInZone(value: string, zone: string): string | undefined {
  const v = canonicalName(value);
  const name = v.includes('.') && isWithin(v, zone) ? v : `${v}.${zone}`;
  return isFqdn(name) && isWithin(name, zone) && name !== zone ? name : undefined;
}

/** The instance's own name: the name tag (a vanity name) or the first label of its private DNS name. */
export function instanceName(facts: InstanceFacts, zone: string, keys: InstanceTagKeys): string | undefined {
  const vanity = tagValue(facts.tags, keys.name);
  if (vanity) return nameInZone(vanity, zone);
  const label = facts.privateDnsName?.split('.')[0];
  return label ? nameInZone(label, zone) : undefined;
}

export interface DesiredRecords {
  readonly records: InstanceRecord[];
  /** The name the A/AAAA records carry (what CNAME and PTR point at). */
  readonly name?: string;
  /** The reverse zone the PTR needs (exists or not); undefined when no PTR applies. */
  readonly reverseZoneName?: string;
}

/**
 * `reverseZones` are the zones available for PTRs (private ones of the
 * exact reverse name). A PTR is made only alongside a private A record, so
 * CNAME-only instances never touch reverse zones.
 */
export function desiredRecords(facts: InstanceFacts, choice: ZoneChoice, reverseZones: readonly DnsZone[], options: RecordOptions): DesiredRecords {
  const name = instanceName(facts, choice.zoneName, options.tagKeys);
  if (!name) return { records: [] };
  const { ttl } = options;
  const records: InstanceRecord[] = [];
  const at = (zone: DnsZone) => ({ zoneId: zone.id, zoneName: zone.name, ttl });
  const cnameTag = tagValue(facts.tags, options.tagKeys.cname);
  const cname = cnameTag ? nameInZone(cnameTag, choice.zoneName) : undefined;

  const addNamed = (zone: DnsZone, v4: string | undefined) => {
    const before = records.length;
    if (v4) records.push({ ...at(zone), name, type: 'A', values: [v4] });
    if (facts.ipv6.length > 0) records.push({ ...at(zone), name, type: 'AAAA', values: [...facts.ipv6].sort() });
    if (records.length > before && cname && cname !== name) records.push({ ...at(zone), name: cname, type: 'CNAME', values: [`${name}.`] });
  };
  if (choice.private) addNamed(choice.private, facts.privateIp);
  // Without a private zone, a public-only zone gets the public address (a public instance).
  if (choice.public) addNamed(choice.public, facts.publicIp);

  let reverse: string | undefined;
  const hasPrivateA = records.some((r) => r.type === 'A' && r.zoneId === choice.private?.id);
  if (hasPrivateA && facts.privateIp && facts.subnetPrefixLength !== undefined) {
    reverse = reverseZoneName(facts.privateIp, facts.subnetPrefixLength);
    const zone = reverse ? reverseZones.find((z) => z.private && z.name === reverse) : undefined;
    const ptr = ptrName(facts.privateIp);
    if (zone && ptr) records.push({ ...at(zone), name: ptr, type: 'PTR', values: [`${name}.`] });
  }
  return { records, name, ...(reverse ? { reverseZoneName: reverse } : {}) };
}
