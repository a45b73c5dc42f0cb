/**
 * The MACs of signed UPDATEs already accepted, so a captured message sent
 * again inside its time window is refused (RFC 8945 §5.2.3 leaves replay
 * protection to the server). An entry lives until its message's window
 * closes; after that the time check refuses the message anyway. Memory is
 * bounded: when the table is full the oldest entry goes, and from then on
 * any message signed no later than the forgotten one is treated as a replay
 * (it can no longer be told from one).
 */
export class ReplayCache {
  /** MAC (base64) → when it was signed and when its window closes; Map order is insertion order. */
  private readonly seen = new Map<string, { readonly signed: number; readonly closes: number }>();
  /** Messages signed at or before this second are refused: the table had to forget one of them. */
  private forgottenUpTo = -Infinity;

  constructor(private readonly capacity = 50_000) {}

  /**
   * Records a verified message's MAC; false when it was seen before (or
   * cannot be ruled out). `timeSigned` and `window` in seconds; `now` too.
   */
  admit(mac: Uint8Array, timeSigned: number, window: number, now: number): boolean {
    this.expire(now);
    const id = Buffer.from(mac).toString('base64');
    if (this.seen.has(id) || timeSigned <= this.forgottenUpTo) return false;
    if (this.seen.size >= this.capacity) {
      const [oldest, entry] = this.seen.entries().next().value!;
      this.seen.delete(oldest);
      this.forgottenUpTo = Math.max(this.forgottenUpTo, entry.signed);
    }
    this.seen.set(id, { signed: timeSigned, closes: timeSigned + window });
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private expire(now: number): void {
    // Windows close in roughly insertion order; stop at the first open one.
    for (const [id, { closes }] of this.seen) {
      if (closes >= now) break;
      this.seen.delete(id);
    }
  }
}
