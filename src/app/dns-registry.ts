/**
 * The one place that knows which record sets Signpost owns, wrapped around
 * the DNS provider as ExternalDNS's registry wraps its providers. Owner
 * sources (dyndns2 hosts, instance registrations, and whatever later
 * features write) say what they want and what they claim; every change is
 * planned as plan(owned, desired) and applied through the provider, whose
 * never-clobber rule keeps foreign records untouched.
 */
import { isEmpty, plan, type Changes } from '../domain/plan.js';
import { hostNameOf, rrsetKey, type RecordType, type RRSet } from '../domain/records.js';
import { AmbiguousZoneError, zoneForName, type Visibility } from '../domain/zone-for-name.js';
import { PublishError, type DnsProvider, type ZoneRef } from '../ports/dns-provider.js';
import { KeyedMutex } from './keyed-mutex.js';

/** Who holds a record set: a source (`host`, `instance`, …) and the owner's id in it. */
export interface Owner {
  readonly source: string;
  readonly id: string;
}

/**
 * One kind of owner of record sets, backed by Signpost's own store. A source
 * claims exactly the sets it wants: what it no longer wants, it no longer
 * claims (so a shared backend's sets are never removed on a guess).
 */
export interface OwnerSource {
  /** Short name reported as Owner.source. */
  readonly name: string;
  /** Every set the source wants in the zone. */
  desired(zone: ZoneRef): Promise<readonly RRSet[]>;
  /** The sets it wants at one name (re-read under the name's lock). */
  desiredAt(zone: ZoneRef, name: string): Promise<readonly RRSet[]>;
  /** The id of the owner that holds (name, type) in the zone, if any. */
  ownerOf(zone: ZoneRef, name: string, type: RecordType): Promise<string | undefined>;
  /** Its sets change with time alone (values that expire): a published set that differs is expected, not reported. */
  readonly changesWithTime?: boolean;
}

/** No writable zone holds the name (a configuration problem, not a foreign record). */
export class NoZoneError extends Error {
  constructor(name: string) {
    super(`${name} is in no zone this deployment may write`);
    this.name = 'NoZoneError';
  }
}

/** Plans syncAt makes before a `refused` stands: enough for a few racing writers, bounded for a foreign record. */
const SYNC_ATTEMPTS = 4;

export interface DnsRegistryDeps {
  /** Per-name locks shared with the use cases, so reconciling never undoes a concurrent update. */
  readonly locks?: KeyedMutex;
  readonly onError: (message: string, error: unknown, context: Record<string, unknown>) => void;
}

export class DnsRegistry {
  readonly locks: KeyedMutex;
  private readonly sources: OwnerSource[] = [];

  constructor(
    readonly provider: DnsProvider,
    private readonly deps: DnsRegistryDeps,
  ) {
    this.locks = deps.locks ?? new KeyedMutex();
  }

  /** Later features register what they own (instance registrations, challenge records, devices). */
  addSource(source: OwnerSource): void {
    this.sources.push(source);
  }

  zones(): Promise<readonly ZoneRef[]> {
    return this.provider.zones();
  }

  /**
   * The zone that holds `name`: the longest label-aligned suffix among the
   * provider's zones of the wanted visibility (any when not given). Two zones
   * of that name is a `refused` PublishError asking for configured ids.
   */
  async zoneFor(name: string, visibility?: Visibility): Promise<ZoneRef | undefined> {
    try {
      return zoneForName(name, await this.provider.zones(), visibility);
    } catch (error) {
      if (error instanceof AmbiguousZoneError) throw new PublishError('refused', error.message, { cause: error });
      throw error;
    }
  }

  /** The sets the provider holds at one name (its per-name read, else the zone's records filtered). */
  async recordsAt(zone: ZoneRef, name: string): Promise<RRSet[]> {
    if (this.provider.recordsAt) return this.provider.recordsAt(zone, name);
    return (await this.provider.records(zone)).filter((r) => r.name === name);
  }

  /** Who owns (name, type) in the zone; the first source that claims it wins. */
  async ownerOf(zone: ZoneRef, name: string, type: RecordType): Promise<Owner | undefined> {
    for (const source of this.sources) {
      const id = await source.ownerOf(zone, name, type);
      if (id !== undefined) return { source: source.name, id };
    }
    return undefined;
  }

  /** Applies a plan (computed as plan(owned, desired)) to one zone. */
  async apply(zone: ZoneRef, changes: Changes): Promise<void> {
    if (!isEmpty(changes)) await this.provider.apply(zone, changes);
  }

  /** Applies a plan for sets at `name` to the zone that holds it; NoZoneError when none does. */
  async applyAt(name: string, changes: Changes): Promise<void> {
    if (isEmpty(changes)) return;
    const zone = await this.zoneFor(name);
    if (!zone) throw new NoZoneError(name);
    await this.provider.apply(zone, changes);
  }

  /** Every set Signpost's owners want in the zone (one per name and type; the first source wins). */
  async desiredIn(zone: ZoneRef): Promise<RRSet[]> {
    return dedupe((await Promise.all(this.sources.map((s) => s.desired(zone)))).flat());
  }

  private async desiredAt(zone: ZoneRef, name: string): Promise<RRSet[]> {
    return dedupe((await Promise.all(this.sources.map((s) => s.desiredAt(zone, name)))).flat());
  }

  /**
   * Brings the sets at one name in line with what the owners want there now,
   * whatever this process wrote last: the provider's sets at the name that an
   * owner claims (every set, on an exclusive backend) are planned against the
   * store's wishes and applied. A `refused` plan means another writer (another
   * process, a Lambda) changed the name meanwhile: re-read and plan again, so
   * racing writers converge on the store's state, and a crash between a store
   * write and its publishing is repaired by the next sync. Takes the name's
   * lock (re-entrant: a caller holding it may call this). True when the
   * records changed; NoZoneError when no zone holds the name.
   */
  async syncAt(name: string): Promise<boolean> {
    const zone = await this.zoneFor(name);
    if (!zone) throw new NoZoneError(name);
    return this.locks.run(hostNameOf(name), async () => {
      for (let attempt = 1; ; attempt++) {
        const current = await this.recordsAt(zone, name);
        const owned = this.provider.exclusive ? current : await this.claimed(zone, current);
        const changes = plan(owned, await this.desiredAt(zone, name));
        if (isEmpty(changes)) return false;
        try {
          await this.provider.apply(zone, changes);
          return true;
        } catch (error) {
          if (!(error instanceof PublishError && error.kind === 'refused') || attempt >= SYNC_ATTEMPTS) throw error;
        }
      }
    });
  }

  /** Reconciles every zone; returns the number of names whose records changed. */
  async reconcile(): Promise<number> {
    let changed = 0;
    for (const zone of await this.provider.zones()) changed += await this.reconcileZone(zone);
    return changed;
  }

  /**
   * Brings a zone in line with what the owners want. On an exclusive
   * backend every set is Signpost's (a leftover no one claims is removed);
   * on a shared one only claimed sets count: lost ones are put back and
   * changed ones restored (reported), while sets no owner claims are never
   * touched. Each differing name is re-read under its lock, so a
   * concurrent update is never undone; a plan made stale meanwhile is
   * refused by the provider and retried on the next pass.
   */
  async reconcileZone(zone: ZoneRef): Promise<number> {
    const { provider } = this;
    const current = await provider.records(zone);
    const owned = provider.exclusive ? current : await this.claimed(zone, current);
    const drift = plan(owned, await this.desiredIn(zone));
    const names = new Set([...drift.create, ...drift.delete, ...drift.update.map((u) => u.to)].map((r) => r.name));
    let changed = 0;
    for (const name of names) {
      // A wildcard `*.name` is changed together with `name` (a host's extras): same lock as the use cases take.
      await this.locks.run(hostNameOf(name), async () => {
        const changes = plan(
          owned.filter((r) => r.name === name),
          await this.desiredAt(zone, name),
        );
        // A set Signpost owns that holds other values (an UPDATE the server applied after Signpost
        // gave up on it during an outage, a restore from an old backup, a hand edit) goes back to
        // what the store says; the provider's guard makes it exact, so a concurrent edit is refused.
        if (!provider.exclusive) {
          for (const { from } of changes.update) {
            if (!(await this.changesWithTime(zone, from))) this.deps.onError('a record Signpost owns held other values; restored from the store', undefined, { zone: zone.name, host: name, type: from.type });
          }
        }
        if (isEmpty(changes)) return;
        try {
          await provider.apply(zone, changes);
          changed++;
        } catch (error) {
          const refused = error instanceof PublishError && error.kind === 'refused';
          this.deps.onError(refused ? 'reconcile left a record alone: the backend holds something else there' : 'reconcile could not apply; retrying on the next pass', error, { zone: zone.name, host: name });
        }
      });
    }
    return changed;
  }

  private async changesWithTime(zone: ZoneRef, set: RRSet): Promise<boolean> {
    const owner = await this.ownerOf(zone, set.name, set.type);
    return this.sources.some((s) => s.name === owner?.source && s.changesWithTime === true);
  }

  private async claimed(zone: ZoneRef, current: readonly RRSet[]): Promise<RRSet[]> {
    const out: RRSet[] = [];
    for (const set of current) if (await this.ownerOf(zone, set.name, set.type)) out.push(set);
    return out;
  }
}

function dedupe(sets: readonly RRSet[]): RRSet[] {
  const byKey = new Map<string, RRSet>();
  for (const set of sets) if (!byKey.has(rrsetKey(set))) byKey.set(rrsetKey(set), set);
  return [...byKey.values()];
}
