/**
 * Record sets as RFC 1035 master-file text (`signpost export --zone-file`):
 * one line per value, absolute owner names, and names inside CNAME, MX, NS
 * and PTR data made absolute too, so the file means the same thing under
 * any $ORIGIN and loads into BIND, Knot or PowerDNS as it is.
 */
import type { RRSet } from './records.js';

const absolute = (name: string) => (name.endsWith('.') ? name : `${name}.`);

function rdata(set: RRSet, value: string): string {
  switch (set.type) {
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return absolute(value);
    case 'MX': {
      const [preference, exchange = ''] = value.split(/\s+/, 2);
      return `${preference} ${absolute(exchange)}`;
    }
    default:
      return value;
  }
}

/** The lines of one zone, sorted by owner name and type, under a comment naming the zone. */
export function zoneFileText(zone: string, sets: readonly RRSet[]): string {
  const sorted = [...sets].sort((a, b) => (a.name === b.name ? a.type.localeCompare(b.type) : a.name < b.name ? -1 : 1));
  const lines = sorted.flatMap((set) => [...set.values].sort().map((value) => `${absolute(set.name)}\t${set.ttl}\tIN\t${set.type}\t${rdata(set, value)}`));
  return [`; zone ${zone}: the records Signpost publishes there`, ...lines, ''].join('\n');
}
