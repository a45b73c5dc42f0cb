import { AsyncLocalStorage } from 'node:async_hooks';

/** One holding of a key; inactive once the work that took it has finished. */
interface Hold {
  readonly key: string;
  active: boolean;
}

/**
 * Serialises async work per key (one host's updates never interleave within
 * a process). Re-entrant: work that holds a key (found through the async
 * context it runs in) runs at once when it asks for the key again, so a use
 * case holding a name's lock can call the registry's per-name sync, which
 * takes the same lock, without waiting on itself. Only while the hold lasts:
 * a timer or background task started inside it (a resync after an outage)
 * that asks for the key after the holder finished waits like anyone else.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly held = new AsyncLocalStorage<readonly Hold[]>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const holding = (this.held.getStore() ?? []).filter((h) => h.active);
    if (holding.some((h) => h.key === key)) return work();
    const hold: Hold = { key, active: true };
    const inside = async () => {
      try {
        return await this.held.run([...holding, hold], work);
      } finally {
        hold.active = false;
      }
    };
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
