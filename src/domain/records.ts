/** Record types Signpost models. TXT/CNAME/NS/SOA/PTR are for the DNS and instance features. */
export type RecordType = 'A' | 'AAAA' | 'TXT' | 'CNAME' | 'NS' | 'SOA' | 'PTR' | 'MX';

/**
 * A resource record set: every value of one (name, type). Values are in
 * presentation form (an MX value is `preference exchange`, a TXT value one
 * quoted string list), so a TXT set with several values or a CNAME is just
 * another set.
 */
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

/** Dyn's dyndns2 extras of a host; absent means off / no mail exchanger / no backup MX. */
export interface HostExtras {
  readonly wildcard?: boolean;
  readonly mx?: string;
  readonly backmx?: boolean;
}

/** What decides a host's records. `Host` is one; so is a host about to be written. */
export interface HostRecordSource extends HostExtras {
  readonly name: string;
  readonly addresses: HostAddresses;
  readonly ttl: number;
}

/** MX preferences: the lower value is tried first. */
export const MX_PREFERENCE = { primary: 10, backup: 20 } as const;

/** The owner name of a host's wildcard sets. */
export function wildcardName(name: string): string {
  return `*.${name}`;
}

/**
 * The name of the host a published set belongs to: the set's own name, or
 * the host below a `*.` wildcard owner.
 */
export function hostNameOf(recordName: string): string {
  return recordName.startsWith('*.') ? recordName.slice(2) : recordName;
}

/**
 * Every record set a host owns:
 * - A / AAAA at the name, one per family it holds;
 * - with `wildcard`, the same A / AAAA at `*.name` (RFC 4592: they answer
 *   for every name below the host that does not exist itself);
 * - with `mx`, an MX at the name. With `backmx` the host itself is the
 *   preferred exchanger and `mx` the backup, as Dyn's specification has it
 *   ("listing the host itself as an MX with a lower preference value");
 *   `backmx` without `mx` publishes nothing.
 */
export function hostRecordSets(host: HostRecordSource): RRSet[] {
  const { name, addresses, ttl } = host;
  const sets = addressSets(name, addresses, ttl);
  if (host.wildcard) sets.push(...addressSets(wildcardName(name), addresses, ttl));
  if (host.mx) {
    const values = host.backmx ? [`${MX_PREFERENCE.primary} ${name}.`, `${MX_PREFERENCE.backup} ${host.mx}.`] : [`${MX_PREFERENCE.primary} ${host.mx}.`];
    sets.push({ name, type: 'MX', ttl, values });
  }
  return sets;
}

function addressSets(name: string, addresses: HostAddresses, ttl: number): RRSet[] {
  const sets: RRSet[] = [];
  if (addresses.v4) sets.push({ name, type: 'A', ttl, values: [addresses.v4] });
  if (addresses.v6) sets.push({ name, type: 'AAAA', ttl, values: [addresses.v6] });
  return sets;
}

/**
 * A change to a host's extras: `wildcard` and `backmx` on or off, `mx` an
 * exchanger name or null for none. Undefined means unchanged.
 */
export interface ExtrasChange {
  readonly wildcard?: boolean;
  readonly mx?: string | null;
  readonly backmx?: boolean;
}

/** The extras after `change`, from a host's current ones (none for a new host). */
export function changedExtras(current: HostExtras | undefined, change: ExtrasChange = {}): HostExtras {
  return normalExtras({
    wildcard: change.wildcard ?? current?.wildcard,
    mx: change.mx === undefined ? current?.mx : (change.mx ?? undefined),
    backmx: change.backmx ?? current?.backmx,
  });
}

export function sameExtras(a: HostExtras, b: HostExtras): boolean {
  return !!a.wildcard === !!b.wildcard && (a.mx ?? '') === (b.mx ?? '') && !!a.backmx === !!b.backmx;
}

/** The extras with every "off" left out, so a stored host and a fresh one compare equal. */
export function normalExtras(extras: HostExtras): HostExtras {
  return { ...(extras.wildcard ? { wildcard: true } : {}), ...(extras.mx ? { mx: extras.mx } : {}), ...(extras.backmx ? { backmx: true } : {}) };
}

/** A host with its extras replaced by `extras` (normalised). */
export function withExtras<H extends HostExtras>(host: H, extras: HostExtras): H {
  const { wildcard: _w, mx: _m, backmx: _b, ...rest } = host;
  return { ...rest, ...normalExtras(extras) } as H;
}
