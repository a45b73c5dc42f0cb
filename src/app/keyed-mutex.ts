import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Serialises async work per key (one host's updates never interleave within
 * a process). Re-entrant: work that already holds a key (found through the
 * async context it runs in) runs at once when it asks for the key again, so
 * a use case holding a name's lock can call the registry's per-name sync,
 * which takes the same lock, without waiting on itself.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly held = new AsyncLocalStorage<ReadonlySet<string>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const holding = this.held.getStore();
    if (holding?.has(key)) return work();
    const inside = () => this.held.run(new Set([...(holding ?? []), key]), work);
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(inside, inside);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
