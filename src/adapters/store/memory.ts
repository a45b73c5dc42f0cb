import { grantsOverlap } from '../../domain/names.js';
import { ConflictError, SignpostError } from '../../domain/errors.js';
import type { ChallengeRecord } from '../../domain/challenges.js';
import type { AcmeDnsAccount, ActivityFilter, Grant, HistoryEntry, Host, NewUser, TsigKeyRecord, UpdateToken, User, WebSession } from '../../domain/model.js';
import { withExtras } from '../../domain/records.js';
import type { Store } from '../../ports/store.js';

/** The reference store: plain maps, used by unit tests and as the contract's baseline. */
export class MemoryStore implements Store {
  private readonly users = new Map<string, User>();
  private grants: Grant[] = [];
  private readonly hosts = new Map<string, Host>();
  private readonly tokens = new Map<string, UpdateToken>();
  private readonly history = new Map<string, HistoryEntry[]>();
  /** Every kept entry with its order of arrival, for listings across hosts. */
  private readonly sequence = new WeakMap<HistoryEntry, number>();
  private appended = 0;
  private readonly settings = new Map<string, string>();
  private readonly sessions = new Map<string, WebSession>();
  private readonly challenges = new Map<string, ChallengeRecord>();
  private readonly tsigKeys = new Map<string, TsigKeyRecord>();
  private readonly acmeDnsAccounts = new Map<string, AcmeDnsAccount>();

  constructor(private readonly historyLimit = 100) {}

  async createUser(user: NewUser): Promise<void> {
    if (this.users.has(user.username)) throw new SignpostError('user_exists', `user ${user.username} already exists`);
    this.users.set(user.username, { ...user, admin: user.admin ?? false });
  }

  async getUser(username: string): Promise<User | undefined> {
    return this.users.get(username);
  }

  async listUsers(): Promise<User[]> {
    return [...this.users.values()].sort((a, b) => a.username.localeCompare(b.username));
  }

  async setPasswordHash(username: string, passwordHash: string): Promise<boolean> {
    const user = this.users.get(username);
    if (!user) return false;
    this.users.set(username, { ...user, passwordHash });
    return true;
  }

  async setAdmin(username: string, admin: boolean): Promise<boolean> {
    const user = this.users.get(username);
    if (!user) return false;
    this.users.set(username, { ...user, admin });
    return true;
  }

  async deleteUser(username: string): Promise<boolean> {
    if (!this.users.delete(username)) return false;
    this.grants = this.grants.filter((g) => g.username !== username);
    for (const [id, t] of this.tokens) if (t.username === username) this.tokens.delete(id);
    for (const [id, s] of this.sessions) if (s.username === username) this.sessions.delete(id);
    for (const [name, k] of this.tsigKeys) if (k.username === username) this.tsigKeys.delete(name);
    for (const [name, a] of this.acmeDnsAccounts) if (a.owner === username) this.acmeDnsAccounts.delete(name);
    return true;
  }

  async addGrant(grant: Grant): Promise<void> {
    if (!this.users.has(grant.username)) throw new SignpostError('user_not_found', `no user ${grant.username}`);
    const clash = this.grants.find((g) => g.username !== grant.username && grantsOverlap(g.pattern, grant.pattern));
    if (clash) throw new SignpostError('grant_conflict', `${grant.pattern} overlaps a name granted to another user`);
    if (!this.grants.some((g) => g.username === grant.username && g.pattern === grant.pattern)) this.grants.push(grant);
  }

  async removeGrant(grant: Grant): Promise<boolean> {
    const before = this.grants.length;
    this.grants = this.grants.filter((g) => !(g.username === grant.username && g.pattern === grant.pattern));
    return this.grants.length < before;
  }

  async listGrants(username: string): Promise<Grant[]> {
    return this.grants.filter((g) => g.username === username).sort((a, b) => a.pattern.localeCompare(b.pattern));
  }

  async getHost(name: string): Promise<Host | undefined> {
    return this.hosts.get(name);
  }

  async listHosts(filter: { owner?: string; zone?: string } = {}): Promise<Host[]> {
    return [...this.hosts.values()]
      .filter((h) => (filter.owner === undefined || h.owner === filter.owner) && (filter.zone === undefined || h.zone === filter.zone))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async putHost(host: Host, expectedVersion: number | null): Promise<void> {
    const current = this.hosts.get(host.name);
    if (expectedVersion === null ? current !== undefined : current?.version !== expectedVersion) throw new ConflictError();
    this.hosts.set(host.name, withExtras(host, host)); // "off" extras read back absent, as from the other stores
  }

  async deleteHost(name: string, expectedVersion: number): Promise<void> {
    if (this.hosts.get(name)?.version !== expectedVersion) throw new ConflictError();
    this.hosts.delete(name);
  }

  async getChallenge(name: string): Promise<ChallengeRecord | undefined> {
    return this.challenges.get(name);
  }

  async listChallenges(filter: { zone?: string; owner?: string } = {}): Promise<ChallengeRecord[]> {
    return [...this.challenges.values()]
      .filter((c) => (filter.owner === undefined || c.owner === filter.owner) && (filter.zone === undefined || c.zone === filter.zone))
      .sort((a, b) => byBytes(a.name, b.name));
  }

  async putChallenge(record: ChallengeRecord, expectedVersion: number | null): Promise<void> {
    const current = this.challenges.get(record.name);
    if (expectedVersion === null ? current !== undefined : current?.version !== expectedVersion) throw new ConflictError();
    this.challenges.set(record.name, record);
  }

  async deleteChallenge(name: string, expectedVersion: number): Promise<void> {
    if (this.challenges.get(name)?.version !== expectedVersion) throw new ConflictError();
    this.challenges.delete(name);
  }

  async createTsigKey(key: TsigKeyRecord): Promise<void> {
    if (!this.users.has(key.username)) throw new SignpostError('user_not_found', `no user ${key.username}`);
    if (this.tsigKeys.has(key.name)) throw new SignpostError('tsig_key_exists', `a TSIG key named ${key.name} exists`);
    this.tsigKeys.set(key.name, key);
  }

  async getTsigKey(name: string): Promise<TsigKeyRecord | undefined> {
    return this.tsigKeys.get(name);
  }

  async listTsigKeys(username: string): Promise<TsigKeyRecord[]> {
    return [...this.tsigKeys.values()].filter((k) => k.username === username).sort((a, b) => byBytes(a.name, b.name));
  }

  async deleteTsigKey(name: string, username: string): Promise<boolean> {
    return this.tsigKeys.get(name)?.username === username && this.tsigKeys.delete(name);
  }

  async createAcmeDnsAccount(account: AcmeDnsAccount): Promise<void> {
    // An empty owner is an anonymous registration; any other owner must exist.
    if (account.owner !== '' && !this.users.has(account.owner)) throw new SignpostError('user_not_found', `no user ${account.owner}`);
    const clash = this.acmeDnsAccounts.has(account.username) || [...this.acmeDnsAccounts.values()].some((a) => a.subdomain === account.subdomain);
    if (clash) throw new SignpostError('acme_dns_account_exists', 'an acme-dns account with that username or subdomain exists');
    this.acmeDnsAccounts.set(account.username, account);
  }

  async getAcmeDnsAccount(username: string): Promise<AcmeDnsAccount | undefined> {
    return this.acmeDnsAccounts.get(username);
  }

  async findAcmeDnsAccountBySubdomain(subdomain: string): Promise<AcmeDnsAccount | undefined> {
    for (const a of this.acmeDnsAccounts.values()) if (a.subdomain === subdomain) return a;
    return undefined;
  }

  async listAcmeDnsAccounts(owner: string): Promise<AcmeDnsAccount[]> {
    return [...this.acmeDnsAccounts.values()].filter((a) => a.owner === owner).sort((a, b) => a.createdAt - b.createdAt || byBytes(a.username, b.username));
  }

  async deleteAcmeDnsAccount(username: string): Promise<boolean> {
    return this.acmeDnsAccounts.delete(username);
  }

  async createToken(token: UpdateToken): Promise<void> {
    this.tokens.set(token.id, token);
  }

  async findTokenBySecretHash(secretHash: string): Promise<UpdateToken | undefined> {
    for (const t of this.tokens.values()) if (t.secretHash === secretHash) return t;
    return undefined;
  }

  async listTokens(username: string): Promise<UpdateToken[]> {
    return [...this.tokens.values()].filter((t) => t.username === username).sort((a, b) => a.createdAt - b.createdAt);
  }

  async revokeToken(id: string): Promise<boolean> {
    return this.tokens.delete(id);
  }

  async appendHistory(entry: HistoryEntry): Promise<void> {
    const list = this.history.get(entry.hostname) ?? [];
    const kept = { ...entry };
    this.sequence.set(kept, ++this.appended);
    list.unshift(kept);
    list.length = Math.min(list.length, this.historyLimit);
    this.history.set(entry.hostname, list);
  }

  async listHistory(hostname: string, limit: number): Promise<HistoryEntry[]> {
    return (this.history.get(hostname) ?? []).slice(0, limit);
  }

  async listActivity(filter: ActivityFilter, limit: number): Promise<HistoryEntry[]> {
    const lists = filter.hostname === undefined ? [...this.history.values()] : [this.history.get(filter.hostname) ?? []];
    return lists
      .flat()
      .filter((e) => (filter.owner === undefined || e.owner === filter.owner) && (filter.result === undefined || e.result === filter.result))
      .sort((a, b) => this.sequence.get(b)! - this.sequence.get(a)!)
      .slice(0, limit);
  }

  async createSession(session: WebSession): Promise<void> {
    if (!this.users.has(session.username)) throw new SignpostError('user_not_found', `no user ${session.username}`);
    this.sessions.set(session.idHash, session);
  }

  async getSession(idHash: string): Promise<WebSession | undefined> {
    return this.sessions.get(idHash);
  }

  async touchSession(idHash: string, lastSeenAt: number): Promise<void> {
    const session = this.sessions.get(idHash);
    if (session) this.sessions.set(idHash, { ...session, lastSeenAt });
  }

  async deleteSession(idHash: string): Promise<boolean> {
    return this.sessions.delete(idHash);
  }

  async listSessions(username: string): Promise<WebSession[]> {
    return [...this.sessions.values()].filter((s) => s.username === username).sort((a, b) => a.createdAt - b.createdAt);
  }

  async getSetting(key: string): Promise<string | undefined> {
    return this.settings.get(key);
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.settings.set(key, value);
  }

  async close(): Promise<void> {}
}

/** Byte order, as SQLite's BINARY collation and DynamoDB sort keys compare. */
const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
