/**
 * Which zone an instance's records go to. A tag names the zone; without one,
 * the VPC's DHCP options domain-name is used if a private zone of that name
 * exists. A name with both a public and a private zone is split horizon:
 * private addresses go to the private zone, public ones to the public zone.
 */
import { canonicalName } from '../names.js';
import type { DnsZone, InstanceFacts, InstanceTagKeys, VpcFacts } from './types.js';

export interface ZoneChoice {
  readonly zoneName: string;
  readonly source: 'tag' | 'dhcp';
  readonly private?: DnsZone;
  readonly public?: DnsZone;
}

/** Not ok: `missingZone` when a tag names a zone that does not exist (an operator mistake worth an alert), absent when the instance simply has no zone. */
export type ZoneDecision = { readonly ok: true; readonly choice: ZoneChoice } | { readonly ok: false; readonly reason: string; readonly missingZone?: string };

/** The value of the first of `keys` present (exact key match, never a substring), trimmed; empty counts as absent. */
export function tagValue(tags: Readonly<Record<string, string>>, keys: readonly string[]): string | undefined {
  return tagEntry(tags, keys)?.[1];
}

/** Like tagValue, with the key that matched. */
function tagEntry(tags: Readonly<Record<string, string>>, keys: readonly string[]): [key: string, value: string] | undefined {
  for (const key of keys) {
    const value = Object.hasOwn(tags, key) ? tags[key]?.trim() : undefined;
    if (value) return [key, value];
  }
  return undefined;
}

/** Prefer a private zone associated with the instance's VPC (several private zones may share a name). */
function pickPrivate(zones: readonly DnsZone[], name: string): DnsZone | undefined {
  const named = zones.filter((z) => z.private && z.name === name);
  return named.find((z) => z.associated) ?? named[0];
}

export function chooseZones(facts: InstanceFacts, vpc: VpcFacts | undefined, zones: readonly DnsZone[], keys: InstanceTagKeys): ZoneDecision {
  const tagged = tagEntry(facts.tags, keys.zone);
  if (tagged) {
    const zoneName = canonicalName(tagged[1]);
    const priv = pickPrivate(zones, zoneName);
    const pub = zones.find((z) => !z.private && z.name === zoneName);
    if (!priv && !pub) return { ok: false, reason: `tag ${tagged[0]} names the zone ${zoneName}, but no writable zone has that name: no records made`, missingZone: zoneName };
    return { ok: true, choice: { zoneName, source: 'tag', ...(priv ? { private: priv } : {}), ...(pub ? { public: pub } : {}) } };
  }
  const dhcp = vpc?.dhcpDomainName;
  if (dhcp) {
    const priv = pickPrivate(zones, dhcp);
    if (priv) return { ok: true, choice: { zoneName: dhcp, source: 'dhcp', private: priv } };
  }
  return { ok: false, reason: `no zone tag (${keys.zone.join(', ')}) and no private zone for the DHCP domain${dhcp ? ` ${dhcp}` : ''}` };
}
