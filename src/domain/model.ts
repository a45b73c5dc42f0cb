import type { HostAddresses } from './records.js';

export interface User {
  readonly username: string;
  /** Argon2id PHC string. */
  readonly passwordHash: string;
  readonly createdAt: number;
  /** Holds the admin role: may use the admin pages (the admin API and CLI need no account). */
  readonly admin: boolean;
}

/** A user as created: the admin role is off unless asked for. */
export type NewUser = Omit<User, 'admin'> & { readonly admin?: boolean };

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
  /**
   * Dyn's dyndns2 extras. Absent means off: `wildcard` publishes `*.name`
   * with the host's addresses; `mx` is the mail exchanger; `backmx` makes the
   * host itself the preferred MX and `mx` its backup. See `hostRecordSets`.
   */
  readonly wildcard?: boolean;
  readonly mx?: string;
  readonly backmx?: boolean;
}

/** A per-host update token. Only the SHA-256 of the secret is stored. */
export interface UpdateToken {
  readonly id: string;
  readonly username: string;
  readonly hostname: string;
  readonly secretHash: string;
  readonly createdAt: number;
}

/** `nohost`: a record Signpost did not write was at the name; nothing changed. */
export const HISTORY_RESULTS = ['good', 'nochg', 'nohost', 'abuse', 'dnserr', '911'] as const;
export type HistoryResult = (typeof HISTORY_RESULTS)[number];

/** Which history entries an activity listing keeps; every given field must match. */
export interface ActivityFilter {
  readonly owner?: string;
  readonly hostname?: string;
  readonly result?: HistoryResult;
}

export interface HistoryEntry {
  readonly hostname: string;
  /**
   * The account the entry belongs to: the user whose update it was, or the
   * host's owner for a change made by an admin. Empty for entries written
   * before owners were recorded that no host could be matched to.
   */
  readonly owner: string;
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

/** HMAC algorithms a TSIG key may use (RFC 8945; hmac-sha256 is the default). */
export type TsigAlgorithmName = 'hmac-sha256' | 'hmac-sha512';

/**
 * A user's TSIG key for RFC 2136 UPDATE. The secret must verify MACs, so it
 * is stored sealed (SecretBox, context `tsig:<name>`), never as plain text.
 * Key names are DNS names, unique across all users (the message names only the key).
 */
export interface TsigKeyRecord {
  /** Canonical (lower case, no trailing dot). */
  readonly name: string;
  readonly username: string;
  readonly algorithm: TsigAlgorithmName;
  readonly sealedSecret: string;
  readonly createdAt: number;
}

/**
 * An acme-dns account (the API of joohoi/acme-dns): its own user name and
 * password (only the SHA-256 of the 40-character password is kept, as for
 * update tokens), one subdomain of the acme-dns zone whose TXT values it may
 * set, and the networks it may update from. `owner` is the Signpost user who
 * registered it (empty for an anonymous registration from an allowed network).
 */
export interface AcmeDnsAccount {
  /** A UUID, as acme-dns makes them. */
  readonly username: string;
  readonly owner: string;
  readonly secretHash: string;
  /** A UUID label; the full domain is `<subdomain>.<acme zone>`. */
  readonly subdomain: string;
  /** CIDRs; empty means from anywhere. */
  readonly allowFrom: readonly string[];
  readonly createdAt: number;
}
