import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { ConflictError, SignpostError } from '../../domain/errors.js';
import type { ChallengeRecord, ChallengeValue } from '../../domain/challenges.js';
import type { Inventory } from '../../ports/metrics.js';
import type {
  AcmeDnsAccount,
  ActivityFilter,
  Grant,
  HistoryEntry,
  HistoryResult,
  Host,
  NewUser,
  TsigAlgorithmName,
  TsigKeyRecord,
  UpdateToken,
  User,
  WebSession,
} from '../../domain/model.js';
import { grantsOverlap } from '../../domain/names.js';
import { normalExtras } from '../../domain/records.js';
import type { Store } from '../../ports/store.js';
import type { PermissionLog } from './sqlite-permissions.js';
import { immediateTransaction, isConstraintError, openSqliteDatabase, pragmaNumber } from './sqlite-database.js';

interface HostRow {
  name: string;
  zone: string;
  owner: string;
  ipv4: string | null;
  ipv6: string | null;
  ttl: number;
  updated_at: number;
  version: number;
  blocked_at: number | null;
  blocked_reason: string | null;
  blocked_until: number | null;
  unblocked_at: number | null;
  wildcard: number;
  mx: string | null;
  backmx: number;
}

interface TokenRow {
  id: string;
  username: string;
  hostname: string;
  secret_hash: string;
  created_at: number;
}

interface UserRow {
  username: string;
  password_hash: string;
  created_at: number;
  admin: number;
}

interface SessionRow {
  id_hash: string;
  username: string;
  created_at: number;
  last_seen_at: number;
}

interface ChallengeRow {
  name: string;
  zone: string;
  owner: string;
  values_json: string;
  alias: string | null;
  version: number;
}

interface TsigKeyRow {
  name: string;
  username: string;
  algorithm: string;
  sealed_secret: string;
  created_at: number;
}

interface AcmeDnsAccountRow {
  username: string;
  owner: string | null;
  secret_hash: string;
  subdomain: string;
  allow_from_json: string;
  created_at: number;
}

interface HistoryRow {
  hostname: string;
  owner: string;
  at: number;
  source: string;
  user_agent: string;
  before_json: string;
  after_json: string;
  result: string;
}

/**
 * The embedded store: one SQLite file in WAL mode with synchronous=FULL, so
 * an acknowledged update survives a crash. Several processes (server and
 * CLI) may open the same file; writes that check-then-write run in
 * IMMEDIATE transactions.
 */
export class SqliteStore implements Store {
  private readonly db: DatabaseSync;
  /** Prepared statements, compiled once per SQL text (preparing dominated the hot path). */
  private readonly statements = new Map<string, StatementSync>();

  constructor(path: string, private readonly historyLimit = 100, log?: PermissionLog) {
    this.db = openSqliteDatabase(path, log);
  }

  private sql(text: string): StatementSync {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  async createUser(user: NewUser): Promise<void> {
    try {
      this.sql('INSERT INTO users (username, password_hash, created_at, admin) VALUES (?, ?, ?, ?)')
        .run(user.username, user.passwordHash, user.createdAt, user.admin ? 1 : 0);
    } catch (error) {
      if (isConstraintError(error)) throw new SignpostError('user_exists', `user ${user.username} already exists`);
      throw error;
    }
  }

  async getUser(username: string): Promise<User | undefined> {
    const row = this.sql('SELECT username, password_hash, created_at, admin FROM users WHERE username = ?').get(username) as UserRow | undefined;
    return row && toUser(row);
  }

  async listUsers(): Promise<User[]> {
    const rows = this.sql('SELECT username, password_hash, created_at, admin FROM users ORDER BY username').all() as unknown as UserRow[];
    return rows.map(toUser);
  }

  async setAdmin(username: string, admin: boolean): Promise<boolean> {
    return this.sql('UPDATE users SET admin = ? WHERE username = ?').run(admin ? 1 : 0, username).changes > 0;
  }

  async setPasswordHash(username: string, passwordHash: string): Promise<boolean> {
    return this.sql('UPDATE users SET password_hash = ? WHERE username = ?').run(passwordHash, username).changes > 0;
  }

  async deleteUser(username: string): Promise<boolean> {
    return this.sql('DELETE FROM users WHERE username = ?').run(username).changes > 0;
  }

  async addGrant(grant: Grant): Promise<void> {
    immediateTransaction(this.db, () => {
      if (!this.sql('SELECT 1 FROM users WHERE username = ?').get(grant.username)) {
        throw new SignpostError('user_not_found', `no user ${grant.username}`);
      }
      const others = (this.sql('SELECT pattern FROM grants WHERE username <> ?').all(grant.username) as { pattern: string }[]).map((r) => r.pattern);
      if (others.some((p) => grantsOverlap(p, grant.pattern))) {
        throw new SignpostError('grant_conflict', `${grant.pattern} overlaps a name granted to another user`);
      }
      this.sql('INSERT OR IGNORE INTO grants (username, pattern) VALUES (?, ?)').run(grant.username, grant.pattern);
    });
  }

  async removeGrant(grant: Grant): Promise<boolean> {
    return this.sql('DELETE FROM grants WHERE username = ? AND pattern = ?').run(grant.username, grant.pattern).changes > 0;
  }

  async listGrants(username: string): Promise<Grant[]> {
    const rows = this.sql('SELECT pattern FROM grants WHERE username = ? ORDER BY pattern').all(username) as { pattern: string }[];
    return rows.map(({ pattern }) => ({ username, pattern }));
  }

  async getHost(name: string): Promise<Host | undefined> {
    const row = this.sql('SELECT * FROM hosts WHERE name = ?').get(name) as HostRow | undefined;
    return row && toHost(row);
  }

  async listHosts(filter: { owner?: string; zone?: string } = {}): Promise<Host[]> {
    const rows = this.sql('SELECT * FROM hosts WHERE (@owner IS NULL OR owner = @owner) AND (@zone IS NULL OR zone = @zone) ORDER BY name')
      .all({ owner: filter.owner ?? null, zone: filter.zone ?? null }) as unknown as HostRow[];
    return rows.map(toHost);
  }

  async putHost(host: Host, expectedVersion: number | null): Promise<void> {
    const values = {
      name: host.name,
      zone: host.zone,
      owner: host.owner,
      ipv4: host.addresses.v4 ?? null,
      ipv6: host.addresses.v6 ?? null,
      ttl: host.ttl,
      updated_at: host.updatedAt,
      version: host.version,
      blocked_at: host.blocked?.at ?? null,
      blocked_reason: host.blocked?.reason ?? null,
      blocked_until: host.blocked?.until ?? null,
      unblocked_at: host.unblockedAt ?? null,
      wildcard: host.wildcard ? 1 : 0,
      mx: host.mx || null,
      backmx: host.backmx ? 1 : 0,
    };
    const changed =
      expectedVersion === null
        ? this.sql(
              `INSERT INTO hosts (name, zone, owner, ipv4, ipv6, ttl, updated_at, version, blocked_at, blocked_reason, blocked_until, unblocked_at, wildcard, mx, backmx)
               VALUES (@name, @zone, @owner, @ipv4, @ipv6, @ttl, @updated_at, @version, @blocked_at, @blocked_reason, @blocked_until, @unblocked_at, @wildcard, @mx, @backmx)
               ON CONFLICT(name) DO NOTHING`,
            )
            .run(values).changes
        : this.sql(
              `UPDATE hosts SET zone=@zone, owner=@owner, ipv4=@ipv4, ipv6=@ipv6, ttl=@ttl, updated_at=@updated_at,
               version=@version, blocked_at=@blocked_at, blocked_reason=@blocked_reason,
               blocked_until=@blocked_until, unblocked_at=@unblocked_at, wildcard=@wildcard, mx=@mx, backmx=@backmx
               WHERE name=@name AND version=@expected`,
            )
            .run({ ...values, expected: expectedVersion }).changes;
    if (changed === 0) throw new ConflictError();
  }

  async deleteHost(name: string, expectedVersion: number): Promise<void> {
    if (this.sql('DELETE FROM hosts WHERE name = ? AND version = ?').run(name, expectedVersion).changes === 0) throw new ConflictError();
  }

  async getChallenge(name: string): Promise<ChallengeRecord | undefined> {
    const row = this.sql('SELECT * FROM challenges WHERE name = ?').get(name) as ChallengeRow | undefined;
    return row && toChallenge(row);
  }

  async listChallenges(filter: { zone?: string; owner?: string } = {}): Promise<ChallengeRecord[]> {
    const rows = this.sql('SELECT * FROM challenges WHERE (@owner IS NULL OR owner = @owner) AND (@zone IS NULL OR zone = @zone) ORDER BY name')
      .all({ owner: filter.owner ?? null, zone: filter.zone ?? null }) as unknown as ChallengeRow[];
    return rows.map(toChallenge);
  }

  /** Conditional exactly like putHost: one statement, so the version check and the write cannot be split. */
  async putChallenge(record: ChallengeRecord, expectedVersion: number | null): Promise<void> {
    const values = {
      name: record.name,
      zone: record.zone,
      owner: record.owner,
      values_json: JSON.stringify(record.values.map(({ value, writtenAt, expiresAt }) => ({ value, writtenAt, expiresAt }))),
      alias: record.alias ?? null,
      version: record.version,
    };
    const changed =
      expectedVersion === null
        ? this.sql(
              `INSERT INTO challenges (name, zone, owner, values_json, alias, version) VALUES (@name, @zone, @owner, @values_json, @alias, @version)
               ON CONFLICT(name) DO NOTHING`,
            )
            .run(values).changes
        : this.sql(
              `UPDATE challenges SET zone=@zone, owner=@owner, values_json=@values_json, alias=@alias, version=@version
               WHERE name=@name AND version=@expected`,
            )
            .run({ ...values, expected: expectedVersion }).changes;
    if (changed === 0) throw new ConflictError();
  }

  async deleteChallenge(name: string, expectedVersion: number): Promise<void> {
    if (this.sql('DELETE FROM challenges WHERE name = ? AND version = ?').run(name, expectedVersion).changes === 0) throw new ConflictError();
  }

  async createTsigKey(key: TsigKeyRecord): Promise<void> {
    immediateTransaction(this.db, () => {
      if (!this.sql('SELECT 1 FROM users WHERE username = ?').get(key.username)) throw new SignpostError('user_not_found', `no user ${key.username}`);
      const inserted = this.sql(
          `INSERT INTO tsig_keys (name, username, algorithm, sealed_secret, created_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(name) DO NOTHING`,
        )
        .run(key.name, key.username, key.algorithm, key.sealedSecret, key.createdAt).changes;
      if (inserted === 0) throw new SignpostError('tsig_key_exists', `a TSIG key named ${key.name} exists`);
    });
  }

  async getTsigKey(name: string): Promise<TsigKeyRecord | undefined> {
    const row = this.sql('SELECT * FROM tsig_keys WHERE name = ?').get(name) as TsigKeyRow | undefined;
    return row && toTsigKey(row);
  }

  async listTsigKeys(username: string): Promise<TsigKeyRecord[]> {
    const rows = this.sql('SELECT * FROM tsig_keys WHERE username = ? ORDER BY name').all(username) as unknown as TsigKeyRow[];
    return rows.map(toTsigKey);
  }

  async deleteTsigKey(name: string, username: string): Promise<boolean> {
    return this.sql('DELETE FROM tsig_keys WHERE name = ? AND username = ?').run(name, username).changes > 0;
  }

  /** The owner check and the insert share one IMMEDIATE transaction; the UNIQUE username and subdomain settle any other race. */
  async createAcmeDnsAccount(account: AcmeDnsAccount): Promise<void> {
    immediateTransaction(this.db, () => {
      if (account.owner !== '' && !this.sql('SELECT 1 FROM users WHERE username = ?').get(account.owner)) {
        throw new SignpostError('user_not_found', `no user ${account.owner}`);
      }
      try {
        this.sql('INSERT INTO acme_dns_accounts (username, owner, secret_hash, subdomain, allow_from_json, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(account.username, account.owner === '' ? null : account.owner, account.secretHash, account.subdomain, JSON.stringify(account.allowFrom), account.createdAt);
      } catch (error) {
        if (isConstraintError(error)) throw new SignpostError('acme_dns_account_exists', 'an acme-dns account with that username or subdomain exists');
        throw error;
      }
    });
  }

  async getAcmeDnsAccount(username: string): Promise<AcmeDnsAccount | undefined> {
    const row = this.sql('SELECT * FROM acme_dns_accounts WHERE username = ?').get(username) as AcmeDnsAccountRow | undefined;
    return row && toAcmeDnsAccount(row);
  }

  async findAcmeDnsAccountBySubdomain(subdomain: string): Promise<AcmeDnsAccount | undefined> {
    const row = this.sql('SELECT * FROM acme_dns_accounts WHERE subdomain = ?').get(subdomain) as AcmeDnsAccountRow | undefined;
    return row && toAcmeDnsAccount(row);
  }

  async listAcmeDnsAccounts(owner: string): Promise<AcmeDnsAccount[]> {
    const rows = this.sql('SELECT * FROM acme_dns_accounts WHERE owner IS ? ORDER BY created_at, username').all(owner === '' ? null : owner) as unknown as AcmeDnsAccountRow[];
    return rows.map(toAcmeDnsAccount);
  }

  async deleteAcmeDnsAccount(username: string): Promise<boolean> {
    return this.sql('DELETE FROM acme_dns_accounts WHERE username = ?').run(username).changes > 0;
  }

  async createToken(token: UpdateToken): Promise<void> {
    this.sql('INSERT INTO tokens (id, username, hostname, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(token.id, token.username, token.hostname, token.secretHash, token.createdAt);
  }

  async findTokenBySecretHash(secretHash: string): Promise<UpdateToken | undefined> {
    const row = this.sql('SELECT * FROM tokens WHERE secret_hash = ?').get(secretHash) as TokenRow | undefined;
    return row && toToken(row);
  }

  async listTokens(username: string): Promise<UpdateToken[]> {
    const rows = this.sql('SELECT * FROM tokens WHERE username = ? ORDER BY created_at, id').all(username) as unknown as TokenRow[];
    return rows.map(toToken);
  }

  async revokeToken(id: string): Promise<boolean> {
    return this.sql('DELETE FROM tokens WHERE id = ?').run(id).changes > 0;
  }

  async appendHistory(entry: HistoryEntry): Promise<void> {
    const append = () => immediateTransaction(this.db, () => {
      this.sql('INSERT INTO history (hostname, owner, at, source, user_agent, before_json, after_json, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(entry.hostname, entry.owner, entry.at, entry.sourceAddress, entry.userAgent, JSON.stringify(entry.before), JSON.stringify(entry.after), entry.result);
      this.sql(
          `DELETE FROM history WHERE hostname = ? AND id <= (
             SELECT id FROM history WHERE hostname = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
        )
        .run(entry.hostname, entry.hostname, this.historyLimit);
    });
    // History is a log, not state: it may skip the fsync (synchronous=NORMAL is still crash-safe for the
    // database in WAL mode, and the next FULL commit flushes it). A nochg answer then costs no disk flush.
    this.db.exec('PRAGMA synchronous = NORMAL');
    try {
      append();
    } finally {
      this.db.exec('PRAGMA synchronous = FULL');
    }
  }

  async listHistory(hostname: string, limit: number): Promise<HistoryEntry[]> {
    const rows = this.sql('SELECT * FROM history WHERE hostname = ? ORDER BY id DESC LIMIT ?').all(hostname, limit) as unknown as HistoryRow[];
    return rows.map(toHistoryEntry);
  }

  /**
   * One statement per combination of filters (at most eight), so each can
   * walk its index (by host, owner or result) newest first instead of
   * sorting the whole table.
   */
  async listActivity(filter: ActivityFilter, limit: number): Promise<HistoryEntry[]> {
    const columns = { hostname: filter.hostname, owner: filter.owner, result: filter.result };
    const given = Object.entries(columns).filter((c): c is [string, string] => c[1] !== undefined);
    const where = given.length === 0 ? '' : `WHERE ${given.map(([column]) => `${column} = ?`).join(' AND ')}`;
    const rows = this.sql(`SELECT * FROM history ${where} ORDER BY id DESC LIMIT ?`).all(...given.map(([, value]) => value), limit) as unknown as HistoryRow[];
    return rows.map(toHistoryEntry);
  }

  async createSession(session: WebSession): Promise<void> {
    try {
      this.sql('INSERT INTO sessions (id_hash, username, created_at, last_seen_at) VALUES (?, ?, ?, ?)')
        .run(session.idHash, session.username, session.createdAt, session.lastSeenAt);
    } catch (error) {
      if (isConstraintError(error)) throw new SignpostError('user_not_found', `no user ${session.username}`);
      throw error;
    }
  }

  async getSession(idHash: string): Promise<WebSession | undefined> {
    const row = this.sql('SELECT * FROM sessions WHERE id_hash = ?').get(idHash) as SessionRow | undefined;
    return row && toSession(row);
  }

  async touchSession(idHash: string, lastSeenAt: number): Promise<void> {
    this.sql('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(lastSeenAt, idHash);
  }

  async deleteSession(idHash: string): Promise<boolean> {
    return this.sql('DELETE FROM sessions WHERE id_hash = ?').run(idHash).changes > 0;
  }

  async listSessions(username: string): Promise<WebSession[]> {
    const rows = this.sql('SELECT * FROM sessions WHERE username = ? ORDER BY created_at, id_hash').all(username) as unknown as SessionRow[];
    return rows.map(toSession);
  }

  async getSetting(key: string): Promise<string | undefined> {
    const row = this.sql('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.sql('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Four counting queries; challenge values are read from their JSON (few rows: one per challenge name). */
  async counts(now: number): Promise<Inventory> {
    const count = (text: string, ...params: number[]) => Number((this.sql(text).get(...params) as { n: number | bigint }).n);
    return {
      users: count('SELECT COUNT(*) AS n FROM users'),
      hosts: count('SELECT COUNT(*) AS n FROM hosts'),
      blockedHosts: count('SELECT COUNT(*) AS n FROM hosts WHERE blocked_at IS NOT NULL AND (blocked_until IS NULL OR blocked_until > ?)', now),
      challengeValues: count("SELECT COUNT(*) AS n FROM challenges, json_each(challenges.values_json) WHERE json_extract(json_each.value, '$.expiresAt') > ?", now),
    };
  }

  async externalChangeCounter(): Promise<number> {
    return pragmaNumber(this.db, 'data_version');
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}

function toHost(row: HostRow): Host {
  return {
    name: row.name,
    zone: row.zone,
    owner: row.owner,
    addresses: { ...(row.ipv4 ? { v4: row.ipv4 } : {}), ...(row.ipv6 ? { v6: row.ipv6 } : {}) },
    ttl: row.ttl,
    updatedAt: row.updated_at,
    version: row.version,
    ...(row.blocked_at !== null
      ? { blocked: { at: row.blocked_at, reason: row.blocked_reason ?? '', ...(row.blocked_until !== null ? { until: row.blocked_until } : {}) } }
      : {}),
    ...(row.unblocked_at !== null ? { unblockedAt: row.unblocked_at } : {}),
    ...normalExtras({ wildcard: row.wildcard === 1, mx: row.mx ?? undefined, backmx: row.backmx === 1 }),
  };
}

function toUser(row: UserRow): User {
  return { username: row.username, passwordHash: row.password_hash, createdAt: row.created_at, admin: row.admin === 1 };
}

function toHistoryEntry(row: HistoryRow): HistoryEntry {
  return {
    hostname: row.hostname,
    owner: row.owner,
    at: row.at,
    sourceAddress: row.source,
    userAgent: row.user_agent,
    before: JSON.parse(row.before_json) as HistoryEntry['before'],
    after: JSON.parse(row.after_json) as HistoryEntry['after'],
    result: row.result as HistoryResult,
  };
}

function toToken(row: TokenRow): UpdateToken {
  return { id: row.id, username: row.username, hostname: row.hostname, secretHash: row.secret_hash, createdAt: row.created_at };
}

function toSession(row: SessionRow): WebSession {
  return { idHash: row.id_hash, username: row.username, createdAt: row.created_at, lastSeenAt: row.last_seen_at };
}

function toChallenge(row: ChallengeRow): ChallengeRecord {
  return {
    name: row.name,
    zone: row.zone,
    owner: row.owner,
    values: JSON.parse(row.values_json) as ChallengeValue[],
    ...(row.alias !== null ? { alias: row.alias } : {}),
    version: row.version,
  };
}

function toTsigKey(row: TsigKeyRow): TsigKeyRecord {
  return { name: row.name, username: row.username, algorithm: row.algorithm as TsigAlgorithmName, sealedSecret: row.sealed_secret, createdAt: row.created_at };
}

function toAcmeDnsAccount(row: AcmeDnsAccountRow): AcmeDnsAccount {
  return {
    username: row.username,
    owner: row.owner ?? '',
    secretHash: row.secret_hash,
    subdomain: row.subdomain,
    allowFrom: JSON.parse(row.allow_from_json) as string[],
    createdAt: row.created_at,
  };
}
