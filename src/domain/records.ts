/** Record types Signpost models. TXT/CNAME/NS/SOA/PTR are for the DNS and instance features. */
export type RecordType = 'A' | 'AAAA' | 'TXT' | 'CNAME' | 'NS' | 'SOA' | 'PTR' | 'MX';

/** A resource record set: every value of one (name, type). Values are in presentation form. */
export interface RRSet {
  readonly name: string;
  readonly type: RecordType;
  readonly ttl: number;
  readonly values: readonly string[];
}

export function rrsetKey(r: { name: string; type: RecordType }): string {
  return `${r.name}|${r.type}`;
}

export function sameRRSet(a: RRSet, b: RRSet): boolean {
  if (a.ttl !== b.ttl || a.values.length !== b.values.length) return false;
  const av = [...a.values].sort();
  const bv = [...b.values].sort();
  return av.every((v, i) => v === bv[i]);
}

/** The addresses a dyndns2 host holds, one per family. */
export interface HostAddresses {
  readonly v4?: string;
  readonly v6?: string;
}

/** Desired record sets for a host's addresses. */
export function hostRRSets(name: string, addresses: HostAddresses, ttl: number): RRSet[] {
  const sets: RRSet[] = [];
  if (addresses.v4) sets.push({ name, type: 'A', ttl, values: [addresses.v4] });
  if (addresses.v6) sets.push({ name, type: 'AAAA', ttl, values: [addresses.v6] });
  return sets;
}
