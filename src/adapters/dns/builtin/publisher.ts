/**
 * The built-in server as a DNS provider. Each plan is validated against the
 * live snapshot (strict, like the in-memory fake), then a new snapshot with
 * the SOA serial incremented is built off to the side and swapped in with
 * one assignment: queries never see half a plan. The server holds nothing
 * but what Signpost wrote beside its configuration (exclusive); a zone's id
 * is its apex (prefixed when several servers act as views of one name).
 */
import { findZone, isWithin } from '../../../domain/names.js';
import type { Changes } from '../../../domain/plan.js';
import { rrsetKey, sameRRSet, type RRSet } from '../../../domain/records.js';
import { PublishError, type DnsProvider, type ZoneRef } from '../../../ports/dns-provider.js';
import { TYPE_CODE } from './rdata.js';
import type { ZoneSource } from './responder.js';
import { serialAdd } from './serial.js';
import { OVERLAY_SOFT_LIMIT, wireSet, ZoneSnapshot, type SetChange, type ZoneSettings } from './zone.js';

export interface BuiltinPublisherOptions {
  /** Starting serial for every zone; by default the current Unix time, so a restart moves serials forward. */
  readonly initialSerial?: number;
  /** Called after a snapshot is swapped in (NOTIFY, metrics). Errors are the listener's business. */
  readonly onChange?: (zone: ZoneSnapshot) => void;
  /** Served zones that count as private (instance registration's private-address zones; from the instance settings). */
  readonly privateZones?: readonly string[];
  /**
   * Zone ids become `<idPrefix>/<apex>`: needed only when two servers (a
   * private and a public view) serve zones of the same name side by side.
   */
  readonly idPrefix?: string;
}

export class BuiltinDnsPublisher implements DnsProvider, ZoneSource {
  readonly exclusive = true;
  private readonly snapshots = new Map<string, ZoneSnapshot>();
  private readonly apexes: string[];
  private readonly compacting = new Set<string>();
  version = 0;

  constructor(
    settings: readonly ZoneSettings[],
    private readonly options: BuiltinPublisherOptions = {},
  ) {
    const serial = (options.initialSerial ?? Math.floor(Date.now() / 1000)) >>> 0;
    for (const s of settings) this.snapshots.set(s.apex, ZoneSnapshot.build(s, serial, []));
    this.apexes = settings.map((s) => s.apex);
  }

  /** The live snapshot of the zone containing `qname` (longest match), if served. */
  find(qname: string): ZoneSnapshot | undefined {
    if (this.apexes.length === 1) {
      const apex = this.apexes[0]!;
      return isWithin(qname, apex) ? this.snapshots.get(apex) : undefined;
    }
    const apex = findZone(qname, this.apexes);
    return apex === undefined ? undefined : this.snapshots.get(apex);
  }

  snapshot(zone: string): ZoneSnapshot | undefined {
    return this.snapshots.get(zone);
  }

  /** Startup: replaces a zone's managed records wholesale (serial unchanged). */
  load(zone: string, records: readonly RRSet[]): void {
    const current = this.require(zone);
    this.swap(ZoneSnapshot.build(current.settings, current.serial, records), false);
  }

  /** Moves a zone's serial (startup: continue from a persisted serial). Not a content change: no NOTIFY. */
  setSerial(zone: string, serial: number): void {
    const current = this.require(zone);
    if (current.serial !== serial >>> 0) this.swap(current.next(serial >>> 0, []), false);
  }

  async zones(): Promise<readonly ZoneRef[]> {
    const privateZones = new Set(this.options.privateZones ?? []);
    return this.apexes.map((apex) => ({ id: this.idOf(apex), name: apex, private: privateZones.has(apex) }));
  }

  /** Accepts the zone's id alone too (startup, tests). */
  async records(zone: ZoneRef | string): Promise<RRSet[]> {
    const snapshot = this.require(this.apexOf(zone));
    const out: RRSet[] = [];
    for (const node of snapshot.nodes()) for (const set of node.sets.values()) if (set.managed) out.push(set.rrset);
    return out;
  }

  /** The managed sets of one node of the live snapshot: O(1), never a walk of the zone. */
  async recordsAt(zone: ZoneRef | string, name: string): Promise<RRSet[]> {
    const node = this.require(this.apexOf(zone)).node(name);
    const out: RRSet[] = [];
    for (const set of node?.sets.values() ?? []) if (set.managed) out.push(set.rrset);
    return out;
  }

  async apply(zone: ZoneRef | string, changes: Changes): Promise<void> {
    const current = this.require(this.apexOf(zone));
    const sets: SetChange[] = [];
    try {
      for (const r of changes.delete) {
        this.assertCurrent(current, r);
        sets.push({ name: r.name, type: r.type, set: null });
      }
      for (const { from, to } of changes.update) {
        this.assertCurrent(current, from);
        if (rrsetKey(from) !== rrsetKey(to)) throw new PublishError('refused', `update must keep name and type: ${rrsetKey(from)} → ${rrsetKey(to)}`);
        sets.push({ name: to.name, type: to.type, set: wireSet(to, true) });
      }
      for (const r of changes.create) {
        this.assertInZone(current, r);
        if (current.node(r.name)?.sets.has(TYPE_CODE[r.type])) throw new PublishError('refused', `${rrsetKey(r)} already exists`);
        sets.push({ name: r.name, type: r.type, set: wireSet(r, true) });
      }
    } catch (error) {
      if (error instanceof PublishError) throw error;
      throw new PublishError('refused', `invalid record: ${(error as Error).message}`, { cause: error });
    }
    if (sets.length === 0) return;
    assertNoCnameConflict(current, sets);
    this.swap(current.next(serialAdd(current.serial), sets), true);
  }

  private swap(next: ZoneSnapshot, changed: boolean): void {
    this.snapshots.set(next.apex, next);
    this.version++;
    if (changed) this.options.onChange?.(next);
    if (next.overlaySize > OVERLAY_SOFT_LIMIT && !this.compacting.has(next.apex)) void this.compact(next);
  }

  /** Folds a grown overlay into a new base between queries, then swaps in the rebased snapshot. */
  private async compact(from: ZoneSnapshot): Promise<void> {
    this.compacting.add(from.apex);
    try {
      const rebase = await from.compact(() => new Promise((resolve) => setImmediate(resolve)));
      const current = this.snapshots.get(from.apex);
      if (current) {
        this.snapshots.set(from.apex, rebase(current));
        this.version++;
      }
    } finally {
      this.compacting.delete(from.apex);
    }
  }

  private idOf(apex: string): string {
    return this.options.idPrefix ? `${this.options.idPrefix}/${apex}` : apex;
  }

  private apexOf(zone: ZoneRef | string): string {
    const id = typeof zone === 'string' ? zone : zone.id;
    const prefix = this.options.idPrefix ? `${this.options.idPrefix}/` : '';
    if (!id.startsWith(prefix)) throw new PublishError('refused', `zone ${id} is not served here`);
    return id.slice(prefix.length);
  }

  private require(zone: string): ZoneSnapshot {
    const snapshot = this.snapshots.get(zone);
    if (!snapshot) throw new PublishError('refused', `zone ${zone} is not served here`);
    return snapshot;
  }

  private assertInZone(zone: ZoneSnapshot, r: RRSet): void {
    if (!isWithin(r.name, zone.apex)) throw new PublishError('refused', `${r.name} is outside zone ${zone.apex}`);
  }

  /** Never touch a set that is not exactly what the caller believes, nor one from configuration. */
  private assertCurrent(zone: ZoneSnapshot, expected: RRSet): void {
    this.assertInZone(zone, expected);
    const found = zone.node(expected.name)?.sets.get(TYPE_CODE[expected.type]);
    if (!found || !found.managed || !sameRRSet(found.rrset, expected)) throw new PublishError('refused', `${rrsetKey(expected)} is not as expected`);
  }
}

/**
 * A CNAME cannot share its name with other data (RFC 1034 §3.6.2); checked on
 * the result of the plan, as Route 53 does, so replacing an A by a CNAME in
 * one plan is fine.
 */
function assertNoCnameConflict(zone: ZoneSnapshot, sets: readonly SetChange[]): void {
  const names = new Set(sets.map((s) => s.name));
  for (const name of names) {
    const existing = zone.node(name)?.sets;
    const types = new Set(Object.values(TYPE_CODE).filter((code) => existing?.has(code)));
    for (const s of sets) {
      if (s.name !== name) continue;
      if (s.set) types.add(TYPE_CODE[s.type]);
      else types.delete(TYPE_CODE[s.type]);
    }
    if (types.has(TYPE_CODE.CNAME) && types.size > 1) throw new PublishError('refused', `${name}: a CNAME cannot coexist with other records of the same name`);
  }
}
