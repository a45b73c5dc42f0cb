/**
 * Immutable zone snapshots. A snapshot is never changed after it is built:
 * the publisher derives the next one (new serial, changed names) off to the
 * side and swaps it in, so a query or a zone transfer always sees one
 * consistent version of the zone.
 *
 * To keep an update O(changed names) even for zones with a million records,
 * a snapshot is a large shared `base` map plus a small copy-on-write
 * `overlay` of the names changed since the base was built. When the overlay
 * grows past a limit the publisher folds it into a fresh base in slices
 * between queries (`compact`), so no single step stalls the server; only
 * past a hard limit does `next` fold synchronously.
 */
import { isWithin } from '../../../domain/names.js';
import type { RecordType, RRSet } from '../../../domain/records.js';
import { parseRData, TYPE_CODE, type RData } from './rdata.js';
import { TYPE } from './wire.js';

/** Static zone configuration: everything except the host records and the live serial. */
export interface ZoneSettings {
  readonly apex: string;
  /** Apex NS targets; in-zone names with addresses get glue records. */
  readonly nameservers: readonly { readonly name: string; readonly addresses: readonly string[] }[];
  readonly soa: {
    readonly mname: string;
    readonly rname: string;
    readonly refresh: number;
    readonly retry: number;
    readonly expire: number;
    /** Negative-caching TTL (RFC 2308). */
    readonly minimum: number;
    readonly ttl: number;
  };
  readonly nsTtl: number;
}

/** One RRset in wire-ready form. `managed` marks sets the publisher owns (not SOA/NS/glue from config). */
export interface WireSet {
  readonly type: number;
  readonly ttl: number;
  readonly rdata: readonly RData[];
  readonly rrset: RRSet;
  readonly managed: boolean;
}

/**
 * The RRsets of one name, by type. An immutable array rather than a Map: a
 * name rarely has more than two types, and a Map per name costs ~150 bytes
 * in a million-name zone.
 */
export class TypeSets {
  static readonly EMPTY = new TypeSets([]);
  private constructor(private readonly list: readonly WireSet[]) {}

  get size(): number {
    return this.list.length;
  }
  get(type: number): WireSet | undefined {
    for (const s of this.list) if (s.type === type) return s;
    return undefined;
  }
  has(type: number): boolean {
    return this.get(type) !== undefined;
  }
  values(): IterableIterator<WireSet> {
    return this.list.values();
  }
  /** A copy with `set` added or replacing the set of its type. */
  with(set: WireSet): TypeSets {
    // Replaced in place so the order (and with it ANY/AXFR output) stays stable.
    return new TypeSets(this.has(set.type) ? this.list.map((s) => (s.type === set.type ? set : s)) : [...this.list, set]);
  }
  without(type: number): TypeSets {
    const rest = this.list.filter((s) => s.type !== type);
    return rest.length === 0 ? TypeSets.EMPTY : new TypeSets(rest);
  }
}

export interface ZoneNode {
  readonly name: string;
  /** Empty for an empty non-terminal. */
  readonly sets: TypeSets;
  /** Number of direct children that exist; keeps empty non-terminals alive. */
  readonly children: number;
}

export interface SetChange {
  readonly name: string;
  readonly type: RecordType;
  /** The new content, or null to remove the set. */
  readonly set: WireSet | null;
}

/** Overlay size at which the publisher starts folding it into the base in the background. */
export const OVERLAY_SOFT_LIMIT = 4096;
/** Overlay size at which `next` folds synchronously (copying the overlay on every update gets too dear). */
const OVERLAY_HARD_LIMIT = 65_536;
/** Base entries copied per slice of a background fold. */
const COMPACT_SLICE = 20_000;

export function wireSet(rrset: RRSet, managed: boolean): WireSet {
  return { type: TYPE_CODE[rrset.type], ttl: rrset.ttl, rdata: rrset.values.map((v) => parseRData(rrset.type, v)), rrset, managed };
}

export function soaValue(settings: ZoneSettings, serial: number): string {
  const s = settings.soa;
  return `${s.mname}. ${s.rname}. ${serial >>> 0} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`;
}

export class ZoneSnapshot {
  private constructor(
    readonly settings: ZoneSettings,
    readonly serial: number,
    private readonly base: ReadonlyMap<string, ZoneNode>,
    private readonly overlay: ReadonlyMap<string, ZoneNode | null>,
    /** Number of non-apex NS sets; when zero the lookup skips the delegation walk. */
    readonly delegations: number,
  ) {}

  get apex(): string {
    return this.settings.apex;
  }

  /** The SOA set at the apex. */
  get soa(): WireSet {
    return this.node(this.apex)!.sets.get(TYPE.SOA)!;
  }

  node(name: string): ZoneNode | undefined {
    const o = this.overlay.get(name);
    if (o !== undefined) return o ?? undefined;
    return this.base.get(name);
  }

  /** Every node, apex first (AXFR order does not matter otherwise). */
  *nodes(): Generator<ZoneNode> {
    const apex = this.node(this.apex)!;
    yield apex;
    for (const [name, node] of this.base) if (name !== this.apex && !this.overlay.has(name)) yield node;
    for (const [name, node] of this.overlay) if (node && name !== this.apex) yield node;
  }

  /** Builds a zone from configuration and the managed record sets. Throws on a bad record. */
  static build(settings: ZoneSettings, serial: number, records: readonly RRSet[]): ZoneSnapshot {
    const base = new Map<string, ZoneNode>();
    const draft = new Draft(settings.apex, (n) => base.get(n), (n, node) => (node ? base.set(n, node) : base.delete(n)));
    for (const change of configSets(settings, serial)) draft.apply(change);
    for (const r of records) draft.apply({ name: r.name, type: r.type, set: wireSet(r, true) });
    return new ZoneSnapshot(settings, serial, base, new Map(), draft.delegationDelta);
  }

  /** The next snapshot: `changes` applied and the SOA serial set to `serial`. */
  next(serial: number, changes: readonly SetChange[]): ZoneSnapshot {
    const overlay = new Map(this.overlay);
    const draft = new Draft(this.apex, (n) => (overlay.has(n) ? (overlay.get(n) ?? undefined) : this.base.get(n)), (n, node) => overlay.set(n, node));
    for (const c of changes) draft.apply(c);
    draft.apply({ name: this.apex, type: 'SOA', set: wireSet({ name: this.apex, type: 'SOA', ttl: this.settings.soa.ttl, values: [soaValue(this.settings, serial)] }, false) });
    const delegations = this.delegations + draft.delegationDelta;
    if (overlay.size <= OVERLAY_HARD_LIMIT) return new ZoneSnapshot(this.settings, serial, this.base, overlay, delegations);
    const base = new Map(this.base);
    for (const [n, node] of overlay) (node ? base.set(n, node) : base.delete(n));
    return new ZoneSnapshot(this.settings, serial, base, new Map(), delegations);
  }

  get overlaySize(): number {
    return this.overlay.size;
  }

  /**
   * Builds a new base from this snapshot, `COMPACT_SLICE` entries per turn
   * of the event loop (`pause` yields). Returns a function that rebases any
   * later snapshot of the same lineage onto it: the result has the same
   * content as `later` with only the changes made after this one in its overlay.
   */
  async compact(pause: () => Promise<void>): Promise<(later: ZoneSnapshot) => ZoneSnapshot> {
    const base = new Map<string, ZoneNode>();
    let i = 0;
    for (const [n, node] of this.base) {
      if (!this.overlay.has(n)) base.set(n, node);
      if (++i % COMPACT_SLICE === 0) await pause();
    }
    for (const [n, node] of this.overlay) if (node) base.set(n, node);
    const folded = this.overlay;
    return (later) => {
      if (later.base !== this.base) return later; // folded synchronously meanwhile: nothing to do
      const overlay = new Map<string, ZoneNode | null>();
      for (const [n, node] of later.overlay) if (folded.get(n) !== node || !folded.has(n)) overlay.set(n, node);
      return new ZoneSnapshot(later.settings, later.serial, base, overlay, later.delegations);
    };
  }
}

/** SOA, apex NS and glue from configuration. */
function configSets(settings: ZoneSettings, serial: number): SetChange[] {
  const apex = settings.apex;
  const changes: SetChange[] = [
    { name: apex, type: 'SOA', set: wireSet({ name: apex, type: 'SOA', ttl: settings.soa.ttl, values: [soaValue(settings, serial)] }, false) },
    { name: apex, type: 'NS', set: wireSet({ name: apex, type: 'NS', ttl: settings.nsTtl, values: settings.nameservers.map((n) => n.name) }, false) },
  ];
  for (const ns of settings.nameservers) {
    if (!isWithin(ns.name, apex)) continue;
    for (const type of ['A', 'AAAA'] as const) {
      const values = ns.addresses.filter((a) => a.includes(':') === (type === 'AAAA'));
      if (values.length > 0) changes.push({ name: ns.name, type, set: wireSet({ name: ns.name, type, ttl: settings.nsTtl, values }, false) });
    }
  }
  return changes;
}

/** Applies set changes through get/put callbacks, maintaining empty non-terminals. */
class Draft {
  delegationDelta = 0;
  constructor(
    private readonly apex: string,
    private readonly get: (name: string) => ZoneNode | undefined,
    private readonly put: (name: string, node: ZoneNode | null) => void,
  ) {}

  apply(change: SetChange): void {
    const code = TYPE_CODE[change.type];
    const existing = this.get(change.name);
    const before = existing?.sets ?? TypeSets.EMPTY;
    const had = before.has(code);
    const sets = change.set ? before.with(change.set) : before.without(code);
    if (code === TYPE.NS && change.name !== this.apex) this.delegationDelta += (change.set ? 1 : 0) - (had ? 1 : 0);
    const children = existing?.children ?? 0;
    if (sets.size === 0 && children === 0 && change.name !== this.apex) {
      if (existing) {
        this.put(change.name, null);
        this.detach(change.name);
      }
      return;
    }
    this.put(change.name, { name: change.name, sets, children });
    if (!existing) this.attach(change.name);
  }

  /** A new node exists: count it in its parent, creating empty non-terminals up to the apex. */
  private attach(name: string): void {
    if (name === this.apex) return;
    const parent = name.slice(name.indexOf('.') + 1);
    const node = this.get(parent);
    this.put(parent, { name: parent, sets: node?.sets ?? TypeSets.EMPTY, children: (node?.children ?? 0) + 1 });
    if (!node) this.attach(parent);
  }

  /** A node vanished: uncount it, removing empty non-terminals left without children. */
  private detach(name: string): void {
    if (name === this.apex) return;
    const parent = name.slice(name.indexOf('.') + 1);
    const node = this.get(parent);
    if (!node) return;
    const children = node.children - 1;
    if (children === 0 && node.sets.size === 0 && parent !== this.apex) {
      this.put(parent, null);
      this.detach(parent);
    } else {
      this.put(parent, { name: parent, sets: node.sets, children });
    }
  }
}
