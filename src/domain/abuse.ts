/**
 * Update-abuse detection, pure. Two rules per host:
 *
 * - **rate**: more than `maxUpdates` attempts to change the addresses
 *   within a sliding window of `windowMs`.
 * - **nochg**: a token bucket. `nochg` answers cost one token each; the
 *   bucket holds `maxNochg` tokens and gains one every `nochgIntervalMs`. A
 *   client that repeats itself on a timer no faster than the interval (a
 *   cron job every 5 minutes, a router's periodic re-send) never runs dry;
 *   a flood empties the bucket after `maxNochg` answers.
 *
 * The caller persists blocks in the host (see {@link Block}). Counters live
 * in memory of one process (or one Lambda container) and count only what
 * happened after the host's last unblock, which the host record carries:
 * so an unblock by another process, another container or an expiry starts
 * every counter afresh without any message between processes.
 */
import type { Host } from './model.js';

export interface AbusePolicy {
  readonly windowMs: number;
  /** Address-changing attempts for one host within the window before it is blocked (0 = no limit). */
  readonly maxUpdates: number;
  /** `nochg` answers one host may send in a burst before it is blocked (0 = no limit). */
  readonly maxNochg: number;
  /** One `nochg` per this interval is free: the bucket regains a token this often. */
  readonly nochgIntervalMs: number;
  /** How long a block lasts (0 = until an admin unblocks the host). */
  readonly blockMs: number;
}

export type AbuseReason = 'rate' | 'nochg';

/** A host's block as stored: `until` absent means "until an admin lifts it". */
export type Block = NonNullable<Host['blocked']>;

/** The block a host is under at `now`, if any: an expired block no longer counts. */
export function activeBlock(host: Pick<Host, 'blocked'> | undefined, now: number): Block | undefined {
  const block = host?.blocked;
  if (!block) return undefined;
  return block.until === undefined || now < block.until ? block : undefined;
}

/** A new block starting at `now` for `reason`, ending after `blockMs` (never when 0). */
export function newBlock(now: number, reason: string, blockMs: number): Block {
  return blockMs > 0 ? { at: now, reason, until: now + blockMs } : { at: now, reason };
}

/**
 * The time the host's counters start from: its last unblock, by an admin
 * (`unblockedAt`) or by the expiry of its last block, whichever is later.
 */
export function countingSince(host: Pick<Host, 'blocked' | 'unblockedAt'> | undefined, now: number): number {
  let since = host?.unblockedAt ?? Number.NEGATIVE_INFINITY;
  const block = host?.blocked;
  if (block?.until !== undefined && block.until <= now) since = Math.max(since, block.until);
  return since;
}

interface Counters {
  /** Events at or before this time are forgotten (the host's last unblock). */
  since: number;
  changes: number[];
  tokens: number;
  tokensAt: number;
}

const MAX_TRACKED_HOSTS = 100_000;

export class AbuseTracker {
  private readonly hosts = new Map<string, Counters>();

  constructor(private readonly policy: AbusePolicy) {}

  /** Records an attempt to change a host's addresses; 'rate' when it exceeds the limit. */
  attempt(host: string, now: number, since = Number.NEGATIVE_INFINITY): AbuseReason | undefined {
    const { maxUpdates, windowMs } = this.policy;
    if (maxUpdates <= 0) return undefined;
    const c = this.counters(host, now, since);
    c.changes = c.changes.filter((t) => t > now - windowMs);
    c.changes.push(now);
    // Only the newest maxUpdates + 1 times matter: a host never blocked must not grow its list without bound.
    if (c.changes.length > maxUpdates + 1) c.changes.splice(0, c.changes.length - (maxUpdates + 1));
    return c.changes.length > maxUpdates ? 'rate' : undefined;
  }

  /** Records a `nochg` answer; 'nochg' when the host's bucket is empty. */
  nochg(host: string, now: number, since = Number.NEGATIVE_INFINITY): AbuseReason | undefined {
    const { maxNochg, nochgIntervalMs } = this.policy;
    if (maxNochg <= 0) return undefined;
    const c = this.counters(host, now, since);
    c.tokens = Math.min(maxNochg, c.tokens + Math.max(0, now - c.tokensAt) / nochgIntervalMs);
    c.tokensAt = now;
    if (c.tokens < 1) return 'nochg';
    c.tokens -= 1;
    return undefined;
  }

  /**
   * Takes back the attempt made at `at` when it failed on the service's side
   * (`dnserr`, `911`): a client retrying after our failure is not abusing us.
   */
  forgive(host: string, at: number): void {
    const changes = this.hosts.get(host)?.changes;
    const i = changes ? changes.lastIndexOf(at) : -1;
    if (changes && i >= 0) changes.splice(i, 1);
  }

  /** A new block starting at `now`, lasting as long as the policy says. */
  block(now: number, reason: string): Block {
    return newBlock(now, reason, this.policy.blockMs);
  }

  /** Forgets a host's counters (an unblock in this process; others learn it from the host's `since`). */
  reset(host: string): void {
    this.hosts.delete(host);
  }

  private counters(host: string, now: number, since: number): Counters {
    let c = this.hosts.get(host);
    if (c && c.since < since) c = undefined; // unblocked since these were counted
    if (!c) {
      if (!this.hosts.has(host) && this.hosts.size >= MAX_TRACKED_HOSTS) {
        const oldest = this.hosts.keys().next().value;
        if (oldest !== undefined) this.hosts.delete(oldest);
      }
      c = { since, changes: [], tokens: this.policy.maxNochg, tokensAt: now };
      this.hosts.set(host, c);
    }
    return c;
  }
}
