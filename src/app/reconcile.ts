import { plan, isEmpty } from '../domain/plan.js';
import { hostNameOf, hostRecordSets, rrsetKey, type RRSet } from '../domain/records.js';
import type { DnsPublisher } from '../ports/publisher.js';
import type { Store } from '../ports/store.js';
import type { KeyedMutex } from './keyed-mutex.js';
import { publishThenPersist } from './publish-host.js';

export interface ReconcileDeps {
  readonly store: Store;
  readonly publisher: DnsPublisher;
  readonly zones: readonly string[];
  readonly locks: KeyedMutex;
  readonly onError: (message: string, error: unknown, context: Record<string, unknown>) => void;
  /** Record sets another use case owns in a zone (instance registration): never treated as drift. */
  readonly managedElsewhere?: (zone: string) => Promise<readonly RRSet[]>;
}

/**
 * Brings published records in line with the store, the source of truth. The
 * server runs it when another process (the CLI) changed the store, so a user
 * or grant removed from the command line disappears from DNS at once. Each
 * differing name is re-read under its host lock, so a concurrent update is
 * never undone; a plan made stale meanwhile is rejected by the publisher and
 * retried on the next pass.
 */
export class Reconciler {
  constructor(private readonly deps: ReconcileDeps) {}

  /** Returns the number of names whose records changed. */
  async reconcile(): Promise<number> {
    let changed = 0;
    for (const zone of this.deps.zones) changed += await this.reconcileZone(zone);
    return changed;
  }

  /**
   * Moves every host stored with another TTL to `ttl` (SIGNPOST_TTL changed
   * since it was last written), as an update would: under the host's lock,
   * published first, then stored against the version just read, and undone
   * in DNS if the store write fails. Each host costs a durable store write,
   * so a large pass takes a while: `signal` stops it between hosts (the rest
   * move on the next pass). Returns the number of hosts moved.
   */
  async applyTtl(ttl: number, signal?: AbortSignal): Promise<number> {
    let moved = 0;
    for (const zone of this.deps.zones) {
      const stale = (await this.deps.store.listHosts({ zone })).filter((h) => h.ttl !== ttl);
      for (const { name } of stale) {
        if (signal?.aborted) return moved;
        if (await this.moveTtl(zone, name, ttl)) moved++;
      }
    }
    return moved;
  }

  private moveTtl(zone: string, name: string, ttl: number): Promise<boolean> {
    const { store, locks } = this.deps;
    return locks.run(name, async () => {
      const host = await store.getHost(name);
      if (!host || host.zone !== zone || host.ttl === ttl) return false;
      const changes = plan(hostRecordSets(host), hostRecordSets({ ...host, ttl }));
      // On failure publishThenPersist has logged why; the host keeps its old TTL until the next pass.
      const outcome = await publishThenPersist(this.deps, host, { ...host, ttl, version: host.version + 1 }, changes);
      return outcome.result === 'good';
    });
  }

  private async reconcileZone(zone: string): Promise<number> {
    const { store, publisher, locks } = this.deps;
    const desired = (await store.listHosts({ zone })).flatMap(hostRecordSets);
    const elsewhere = new Set((await this.deps.managedElsewhere?.(zone))?.map(rrsetKey) ?? []);
    const current = (await publisher.records(zone)).filter((r) => !elsewhere.has(rrsetKey(r)));
    const drift = plan(current, desired);
    // A host's sets include its `*.name` wildcard: each is handled under the host's name and lock.
    const names = new Set([...drift.create, ...drift.delete, ...drift.update.map((u) => u.to)].map((r) => hostNameOf(r.name)));
    let changed = 0;
    for (const name of names) {
      await locks.run(name, async () => {
        const host = await store.getHost(name);
        const want = host && host.zone === zone ? hostRecordSets(host) : [];
        // An MX at a name no host holds (a domain's own mail, say) is not Signpost's to remove.
        const changes = plan(byName(current, name).filter((r) => host || r.type !== 'MX'), want);
        if (isEmpty(changes)) return;
        try {
          await publisher.applyChanges(zone, changes);
          changed++;
        } catch (error) {
          this.deps.onError('reconcile could not apply; retrying on the next pass', error, { zone, host: name });
        }
      });
    }
    return changed;
  }
}

function byName(records: readonly RRSet[], name: string): RRSet[] {
  return records.filter((r) => hostNameOf(r.name) === name);
}
