/**
 * What the store holds, counted for `/metrics`: users, hosts, hosts under a
 * block, live challenge values. Scrapes come every few seconds from each
 * Prometheus (and a gauge per number asks at once), so one count is shared
 * for a few seconds; a store with a counting query of its own (SQLite) uses
 * it, any other one is listed.
 */
import { activeBlock } from '../domain/abuse.js';
import type { Inventory as Counts } from '../ports/metrics.js';
import type { Store } from '../ports/store.js';

/** How long one count answers scrapes. */
export const INVENTORY_CACHE_MS = 5000;

export class Inventory {
  private last: { at: number; counts: Promise<Counts> } | undefined;
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    options: { now?: (() => number) | undefined } = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  counts(): Promise<Counts> {
    const now = this.now();
    if (this.last && now - this.last.at < INVENTORY_CACHE_MS) return this.last.counts;
    const counts = this.count(now);
    this.last = { at: now, counts };
    // A failed count is not kept: the next scrape asks again.
    counts.catch(() => {
      if (this.last?.counts === counts) this.last = undefined;
    });
    return counts;
  }

  private async count(now: number): Promise<Counts> {
    if (this.store.counts) return this.store.counts(now);
    const [users, hosts, challenges] = await Promise.all([this.store.listUsers(), this.store.listHosts(), this.store.listChallenges()]);
    return {
      users: users.length,
      hosts: hosts.length,
      blockedHosts: hosts.filter((h) => activeBlock(h, now) !== undefined).length,
      challengeValues: challenges.reduce((n, c) => n + c.values.filter((v) => v.expiresAt > now).length, 0),
    };
  }
}
