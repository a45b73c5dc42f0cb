import { plan, isEmpty } from '../domain/plan.js';
import { hostRRSets, rrsetKey, type RRSet } from '../domain/records.js';
import type { DnsPublisher } from '../ports/publisher.js';
import type { Store } from '../ports/store.js';
import type { KeyedMutex } from './keyed-mutex.js';

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

  private async reconcileZone(zone: string): Promise<number> {
    const { store, publisher, locks } = this.deps;
    const desired = (await store.listHosts({ zone })).flatMap((h) => hostRRSets(h.name, h.addresses, h.ttl));
    const elsewhere = new Set((await this.deps.managedElsewhere?.(zone))?.map(rrsetKey) ?? []);
    const current = (await publisher.records(zone)).filter((r) => !elsewhere.has(rrsetKey(r)));
    const drift = plan(current, desired);
    const names = new Set([...drift.create, ...drift.delete, ...drift.update.map((u) => u.to)].map((r) => r.name));
    let changed = 0;
    for (const name of names) {
      await locks.run(name, async () => {
        const host = await store.getHost(name);
        const want = host && host.zone === zone ? hostRRSets(name, host.addresses, host.ttl) : [];
        const changes = plan(byName(current, name), want);
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
  return records.filter((r) => r.name === name);
}
