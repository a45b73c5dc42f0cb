import type { HostAddresses } from './records.js';

export interface User {
  readonly username: string;
  /** Argon2id PHC string. */
  readonly passwordHash: string;
  readonly createdAt: number;
}

/** A name (or `*.suffix` pattern) a user may update. */
export interface Grant {
  readonly username: string;
  readonly pattern: string;
}

/** A dyndns2 host: a name, its owner and the addresses it points at. */
export interface Host {
  readonly name: string;
  readonly zone: string;
  readonly owner: string;
  readonly addresses: HostAddresses;
  readonly ttl: number;
  readonly updatedAt: number;
  /** Optimistic-concurrency counter; each successful write increments it. */
  readonly version: number;
  /**
   * Set when the host was blocked for update abuse; cleared by an admin. A
   * block with `until` ends by itself then; without, only an admin lifts it.
   */
  readonly blocked?: { readonly at: number; readonly reason: string; readonly until?: number };
  /** When an admin last lifted a block: abuse counters count only what came after it. */
  readonly unblockedAt?: number;
}

/** A per-host update token. Only the SHA-256 of the secret is stored. */
export interface UpdateToken {
  readonly id: string;
  readonly username: string;
  readonly hostname: string;
  readonly secretHash: string;
  readonly createdAt: number;
}

export type HistoryResult = 'good' | 'nochg' | 'abuse' | 'dnserr' | '911';

export interface HistoryEntry {
  readonly hostname: string;
  readonly at: number;
  readonly sourceAddress: string;
  readonly userAgent: string;
  readonly before: HostAddresses;
  readonly after: HostAddresses;
  readonly result: HistoryResult;
}

/**
 * A signed-in browser. The cookie carries a random 128-bit id; the store
 * keeps only its SHA-256, so a leaked store cannot be replayed as cookies.
 */
export interface WebSession {
  readonly idHash: string;
  readonly username: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
}
