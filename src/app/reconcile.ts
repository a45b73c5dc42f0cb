import { plan } from '../domain/plan.js';
import { hostRecordSets } from '../domain/records.js';
import type { Store } from '../ports/store.js';
import type { DnsRegistry } from './dns-registry.js';
import { publishThenPersist } from './publish-host.js';

export interface ReconcileDeps {
  readonly store: Store;
  readonly dns: DnsRegistry;
  /** The served zones hosts are stored under (SIGNPOST_ZONES). */
  readonly zones: readonly string[];
  readonly onError: (message: string, error: unknown, context: Record<string, unknown>) => void;
}

/**
 * Brings published records in line with the store, the source of truth. The
 * server runs it at start and when another process (the CLI) changed the
 * store, so a user or grant removed from the command line disappears from
 * DNS at once. What is Signpost's, and how a zone is reconciled, is the DNS
 * registry's business (DnsRegistry.reconcileZone).
 */
export class Reconciler {
  constructor(private readonly deps: ReconcileDeps) {}

  /** Returns the number of names whose records changed. */
  reconcile(): Promise<number> {
    return this.deps.dns.reconcile();
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
    const { store, dns } = this.deps;
    return dns.locks.run(name, async () => {
      const host = await store.getHost(name);
      if (!host || host.zone !== zone || host.ttl === ttl) return false;
      const changes = plan(hostRecordSets(host), hostRecordSets({ ...host, ttl }));
      // On failure publishThenPersist has logged why; the host keeps its old TTL until the next pass.
      const outcome = await publishThenPersist(this.deps, host, { ...host, ttl, version: host.version + 1 }, changes);
      return outcome.result === 'good';
    });
  }
}
