import type { ChallengeRecord } from '../domain/challenges.js';
import type { Inventory } from './metrics.js';
import type { AcmeDnsAccount, ActivityFilter, Grant, HistoryEntry, Host, NewUser, TsigKeyRecord, UpdateToken, User, WebSession } from '../domain/model.js';

/**
 * The store of desired state. Every adapter (memory, SQLite, DynamoDB) passes
 * the shared contract suite in test/contract/store.contract.ts.
 *
 * Contract highlights:
 * - `createUser` is atomic: of two concurrent creates of one name exactly one
 *   succeeds, the other throws SignpostError('user_exists').
 * - `putHost` is a conditional write: `expectedVersion` null means "must not
 *   exist", a number means "must still be at this version"; otherwise it
 *   throws ConflictError and writes nothing. The stored version becomes
 *   `host.version`.
 * - `addGrant` refuses (SignpostError('grant_conflict')) a pattern that
 *   overlaps another user's grant.
 * - `deleteUser` removes the user's grants, tokens, web sessions, TSIG keys
 *   and acme-dns accounts (hosts and challenge records are the use case's
 *   job because they must be unpublished first).
 * - `putChallenge`/`deleteChallenge` are conditional writes exactly like
 *   `putHost`/`deleteHost` (ConflictError, version).
 * - `createTsigKey` refuses a name any user already has
 *   (SignpostError('tsig_key_exists')); `createAcmeDnsAccount` refuses a
 *   taken username or subdomain (SignpostError('acme_dns_account_exists')).
 *   Both refuse an owner that does not exist ('user_not_found'; an acme-dns
 *   owner '' is an anonymous registration), so a key or account can never
 *   outlive its user and pass to a new user of the same name.
 * - History keeps at most `historyLimit` entries per host, newest first.
 * - `listActivity` returns the newest entries across hosts, newest first,
 *   each matching every field of the filter; `limit` is at most
 *   MAX_ACTIVITY_LIMIT. An adapter may bound how far back it looks (the
 *   DynamoDB store does, see its TSDoc), never return a non-matching entry.
 */
/** The most entries one activity listing returns. */
export const MAX_ACTIVITY_LIMIT = 1000;

export interface Store {
  /** A user created without `admin` does not hold the admin role. */
  createUser(user: NewUser): Promise<void>;
  getUser(username: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  setPasswordHash(username: string, passwordHash: string): Promise<boolean>;
  /** Gives or takes the admin role; false when there is no such user. */
  setAdmin(username: string, admin: boolean): Promise<boolean>;
  deleteUser(username: string): Promise<boolean>;

  addGrant(grant: Grant): Promise<void>;
  removeGrant(grant: Grant): Promise<boolean>;
  listGrants(username: string): Promise<Grant[]>;

  getHost(name: string): Promise<Host | undefined>;
  listHosts(filter?: { owner?: string; zone?: string }): Promise<Host[]>;
  putHost(host: Host, expectedVersion: number | null): Promise<void>;
  deleteHost(name: string, expectedVersion: number): Promise<void>;

  createToken(token: UpdateToken): Promise<void>;
  findTokenBySecretHash(secretHash: string): Promise<UpdateToken | undefined>;
  listTokens(username: string): Promise<UpdateToken[]>;
  revokeToken(id: string): Promise<boolean>;

  appendHistory(entry: HistoryEntry): Promise<void>;
  listHistory(hostname: string, limit: number): Promise<HistoryEntry[]>;
  listActivity(filter: ActivityFilter, limit: number): Promise<HistoryEntry[]>;

  /** Web sessions, keyed by the SHA-256 of the cookie's id; expiry is the use case's decision. */
  createSession(session: WebSession): Promise<void>;
  getSession(idHash: string): Promise<WebSession | undefined>;
  /** Moves `lastSeenAt` of a session that still exists (a deleted one stays deleted). */
  touchSession(idHash: string, lastSeenAt: number): Promise<void>;
  deleteSession(idHash: string): Promise<boolean>;
  listSessions(username: string): Promise<WebSession[]>;

  /** ACME challenge rows (TXT values or an alias) by name. */
  getChallenge(name: string): Promise<ChallengeRecord | undefined>;
  /** Every row, or those of one served zone / one owner; for publishing, expiry and listings. */
  listChallenges(filter?: { zone?: string; owner?: string }): Promise<ChallengeRecord[]>;
  putChallenge(record: ChallengeRecord, expectedVersion: number | null): Promise<void>;
  deleteChallenge(name: string, expectedVersion: number): Promise<void>;

  createTsigKey(key: TsigKeyRecord): Promise<void>;
  getTsigKey(name: string): Promise<TsigKeyRecord | undefined>;
  listTsigKeys(username: string): Promise<TsigKeyRecord[]>;
  /** Deletes the key only while it is `username`'s (a name revoked and re-created for someone else is theirs). */
  deleteTsigKey(name: string, username: string): Promise<boolean>;

  createAcmeDnsAccount(account: AcmeDnsAccount): Promise<void>;
  getAcmeDnsAccount(username: string): Promise<AcmeDnsAccount | undefined>;
  findAcmeDnsAccountBySubdomain(subdomain: string): Promise<AcmeDnsAccount | undefined>;
  listAcmeDnsAccounts(owner: string): Promise<AcmeDnsAccount[]>;
  deleteAcmeDnsAccount(username: string): Promise<boolean>;

  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;

  /**
   * Optional: a number that moves whenever another process committed a
   * change (SQLite's data_version). The server polls it to re-sync DNS after
   * CLI edits. Stores shared by design (DynamoDB) leave it out.
   */
  externalChangeCounter?(): Promise<number>;

  /**
   * Optional: users, hosts, hosts blocked at `now` and challenge values live
   * at `now`, counted by the store itself (for `/metrics`). Without it they
   * are counted from the listings.
   */
  counts?(now: number): Promise<Inventory>;

  close(): Promise<void>;
}
