import { SignpostError } from '../domain/errors.js';
import type { ActivityFilter, HistoryEntry, Host } from '../domain/model.js';
import { findZone, grantCovers } from '../domain/names.js';
import { plan } from '../domain/plan.js';
import { grantReservationOf, reservationOf, type ReservedName } from '../domain/reserved.js';
import { hostRecordSets } from '../domain/records.js';
import { activeBlock, type AbuseTracker } from '../domain/abuse.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import { MAX_ACTIVITY_LIMIT, type Store } from '../ports/store.js';
import type { ChallengeRecords } from './challenge-records.js';
import type { DnsRegistry } from './dns-registry.js';
import type { KeyedMutex } from './keyed-mutex.js';
import type { CreateUserInput } from './schemas.js';
import { TOKEN_PREFIX, newSecret, sha256Hex } from './secrets.js';
import { randomUUID } from 'node:crypto';

export interface AccountsDeps {
  readonly store: Store;
  readonly hasher: PasswordHasher;
  readonly dns: DnsRegistry;
  readonly zones: readonly string[];
  /** Names Signpost publishes itself: refused as grants and tokens. */
  readonly reserved: readonly ReservedName[];
  readonly abuse: AbuseTracker;
  readonly locks: KeyedMutex;
  readonly now: () => number;
  /** The user's challenge records go with the account and with the grants that allowed them. */
  readonly challenges: Pick<ChallengeRecords, 'removeAllOf' | 'removeUncovered'>;
}

export interface UserView {
  readonly username: string;
  readonly createdAt: string;
  readonly domains: string[];
  readonly admin: boolean;
}

export interface HostView {
  readonly hostname: string;
  readonly zone: string;
  readonly owner: string;
  readonly ipv4: string | null;
  readonly ipv6: string | null;
  /** Dyn's dyndns2 extras: `*.hostname` follows the addresses; the mail exchanger; the host as preferred MX with `mx` as backup. */
  readonly wildcard: boolean;
  readonly mx: string | null;
  readonly backmx: boolean;
  readonly ttl: number;
  readonly updatedAt: string;
  /** The block in force now (an expired one is not shown); `until` null: until an admin unblocks. */
  readonly blocked: { at: string; reason: string; until: string | null } | null;
}

export const MAX_HISTORY_LIMIT = 1000;

/** Administration use cases shared by the admin HTTP API and the CLI. */
export class Accounts {
  constructor(private readonly deps: AccountsDeps) {}

  async createUser(input: CreateUserInput): Promise<UserView> {
    for (const pattern of input.domains) this.assertGrantable(pattern);
    const passwordHash = await this.deps.hasher.hash(input.password);
    const createdAt = this.deps.now();
    await this.deps.store.createUser({ username: input.username, passwordHash, createdAt, admin: input.admin ?? false });
    try {
      for (const pattern of input.domains) await this.deps.store.addGrant({ username: input.username, pattern });
    } catch (error) {
      // Creation is all-or-nothing: a refused grant removes the new account again.
      await this.deps.store.deleteUser(input.username);
      throw error;
    }
    return this.getUser(input.username);
  }

  async getUser(username: string): Promise<UserView> {
    const user = await this.deps.store.getUser(username);
    if (!user) throw new SignpostError('user_not_found', `no user ${username}`);
    const grants = await this.deps.store.listGrants(username);
    return { username, createdAt: new Date(user.createdAt).toISOString(), domains: grants.map((g) => g.pattern), admin: user.admin };
  }

  async listUsers(): Promise<UserView[]> {
    const users = await this.deps.store.listUsers();
    return Promise.all(users.map((u) => this.getUser(u.username)));
  }

  /**
   * Deletes an account with its grants, tokens, hosts and challenge records. `actor` is the
   * signed-in admin acting on the admin pages: they cannot delete their own
   * account there (the admin key and the CLI can), so the pages never lock
   * out the last admin using them.
   */
  async deleteUser(username: string, actor?: string): Promise<void> {
    if (username === actor) throw new SignpostError('own_account', 'you cannot delete your own account; another admin or the CLI can');
    if (!(await this.deps.store.getUser(username))) throw new SignpostError('user_not_found', `no user ${username}`);
    for (const host of await this.deps.store.listHosts({ owner: username })) await this.removeHost(host.name);
    await this.deps.challenges.removeAllOf(username);
    await this.deps.store.deleteUser(username);
  }

  async setPassword(username: string, password: string): Promise<void> {
    const hash = await this.deps.hasher.hash(password);
    if (!(await this.deps.store.setPasswordHash(username, hash))) throw new SignpostError('user_not_found', `no user ${username}`);
  }

  /**
   * An administrator's reset (admin API, CLI, admin pages): the new password,
   * and every web session of the user ends — whoever knew the old password
   * is signed out too.
   */
  async resetPassword(username: string, password: string): Promise<void> {
    await this.setPassword(username, password);
    for (const session of await this.deps.store.listSessions(username)) await this.deps.store.deleteSession(session.idHash);
  }

  /**
   * Gives or takes the admin role. A signed-in admin (`actor`) cannot take
   * their own: with the admin key and the CLI always able to promote, that is
   * what keeps the pages from losing their last admin by accident.
   */
  async setAdmin(username: string, admin: boolean, actor?: string): Promise<UserView> {
    if (username === actor && !admin) throw new SignpostError('own_account', 'you cannot take the admin role from yourself; another admin or the CLI can');
    if (!(await this.deps.store.setAdmin(username, admin))) throw new SignpostError('user_not_found', `no user ${username}`);
    return this.getUser(username);
  }

  async addGrant(username: string, pattern: string): Promise<UserView> {
    this.assertGrantable(pattern);
    await this.deps.store.addGrant({ username, pattern });
    return this.getUser(username);
  }

  /**
   * Removes a grant, revokes the user's tokens for names no remaining grant
   * covers (granting the name again does not bring them back) and
   * unpublishes the hosts and challenge records no remaining grant covers. Tokens go first, so a
   * failed unpublish leaves no live token behind.
   */
  async removeGrant(username: string, pattern: string): Promise<UserView> {
    if (!(await this.deps.store.removeGrant({ username, pattern }))) {
      throw new SignpostError('grant_not_found', `${username} has no grant ${pattern}`);
    }
    const remaining = await this.deps.store.listGrants(username);
    const covered = (name: string) => remaining.some((g) => grantCovers(g.pattern, name));
    for (const token of await this.deps.store.listTokens(username)) {
      if (!covered(token.hostname)) await this.deps.store.revokeToken(token.id);
    }
    for (const host of await this.deps.store.listHosts({ owner: username })) {
      if (!covered(host.name)) await this.removeHost(host.name);
    }
    await this.deps.challenges.removeUncovered(username, remaining.map((g) => g.pattern));
    return this.getUser(username);
  }

  /** Creates a per-host update token; the secret is returned once and only its hash is kept. */
  async createToken(username: string, hostname: string): Promise<{ id: string; hostname: string; token: string }> {
    const grants = await this.deps.store.listGrants(username);
    if (!(await this.deps.store.getUser(username))) throw new SignpostError('user_not_found', `no user ${username}`);
    if (!grants.some((g) => grantCovers(g.pattern, hostname))) {
      throw new SignpostError('grant_not_found', `${hostname} is not granted to ${username}`);
    }
    const reserved = reservationOf(hostname, this.deps.reserved);
    if (reserved) throw new SignpostError('name_reserved', `${hostname} is reserved (${reserved.reason})`);
    const token = newSecret(TOKEN_PREFIX, 16);
    const id = randomUUID();
    await this.deps.store.createToken({ id, username, hostname, secretHash: sha256Hex(token), createdAt: this.deps.now() });
    return { id, hostname, token };
  }

  async listTokens(username: string): Promise<{ id: string; hostname: string; createdAt: string }[]> {
    if (!(await this.deps.store.getUser(username))) throw new SignpostError('user_not_found', `no user ${username}`);
    const tokens = await this.deps.store.listTokens(username);
    return tokens.map((t) => ({ id: t.id, hostname: t.hostname, createdAt: new Date(t.createdAt).toISOString() }));
  }

  async revokeToken(id: string): Promise<void> {
    if (!(await this.deps.store.revokeToken(id))) throw new SignpostError('token_not_found', `no token ${id}`);
  }

  async listHosts(owner?: string): Promise<HostView[]> {
    const hosts = await this.deps.store.listHosts(owner === undefined ? {} : { owner });
    const now = this.deps.now();
    return hosts.map((h) => hostView(h, now));
  }

  async getHost(name: string): Promise<HostView> {
    return hostView(await this.requireHost(name), this.deps.now());
  }

  /**
   * The newest `limit` (1–1000) history entries of a host. A host that was
   * removed keeps its history; a name with neither host nor history is
   * `host_not_found`, so a typo does not pass for a quiet host.
   */
  async history(name: string, limit: number): Promise<HistoryEntry[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT) {
      throw new SignpostError('invalid_request', `limit: must be a whole number from 1 to ${MAX_HISTORY_LIMIT}`);
    }
    const entries = await this.deps.store.listHistory(name, limit);
    if (entries.length === 0 && !(await this.deps.store.getHost(name))) throw new SignpostError('host_not_found', `no host ${name}`);
    return entries;
  }

  /**
   * The newest `limit` (1–1000) history entries across all hosts, each
   * matching every given filter (user, host, result). A filter that matches
   * nothing is an empty list, not an error: activity is a search.
   */
  async activity(filter: ActivityFilter, limit: number): Promise<HistoryEntry[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ACTIVITY_LIMIT) {
      throw new SignpostError('invalid_request', `limit: must be a whole number from 1 to ${MAX_ACTIVITY_LIMIT}`);
    }
    return this.deps.store.listActivity(filter, limit);
  }

  /**
   * Lifts an abuse block and restarts the host's counters. The time of the
   * unblock goes into the host, so a server in another process (the CLI
   * unblocking) or another Lambda container forgets what it counted before.
   */
  async unblock(name: string): Promise<HostView> {
    return this.deps.locks.run(name, async () => {
      const host = await this.requireHost(name);
      const { blocked: _blocked, ...rest } = host;
      const at = this.deps.now();
      const next: Host = { ...rest, unblockedAt: at, version: host.version + 1 };
      await this.deps.store.putHost(next, host.version);
      this.deps.abuse.reset(name);
      return hostView(next, at);
    });
  }

  private async removeHost(name: string): Promise<void> {
    await this.deps.locks.run(name, async () => {
      const host = await this.deps.store.getHost(name);
      if (!host) return;
      await this.deps.dns.applyAt(name, plan(hostRecordSets(host), []));
      await this.deps.store.deleteHost(name, host.version);
    });
  }

  private async requireHost(name: string): Promise<Host> {
    const host = await this.deps.store.getHost(name);
    if (!host) throw new SignpostError('host_not_found', `no host ${name}`);
    return host;
  }

  /** A grant must lie in a served zone and cover something Signpost does not publish itself. */
  private assertGrantable(pattern: string): void {
    const base = pattern.startsWith('*.') ? pattern.slice(2) : pattern;
    if (!findZone(base, this.deps.zones)) {
      throw new SignpostError('name_not_in_zone', `${pattern} is not below a served zone (${this.deps.zones.join(', ')})`);
    }
    const reserved = grantReservationOf(pattern, this.deps.reserved);
    if (reserved) throw new SignpostError('name_reserved', `${pattern} is reserved (${reserved.reason})`);
  }
}

export function hostView(host: Host, now: number): HostView {
  const block = activeBlock(host, now);
  return {
    hostname: host.name,
    zone: host.zone,
    owner: host.owner,
    ipv4: host.addresses.v4 ?? null,
    ipv6: host.addresses.v6 ?? null,
    wildcard: host.wildcard ?? false,
    mx: host.mx ?? null,
    backmx: host.backmx ?? false,
    ttl: host.ttl,
    updatedAt: new Date(host.updatedAt).toISOString(),
    blocked: block
      ? {
          at: new Date(block.at).toISOString(),
          reason: block.reason,
          until: block.until === undefined ? null : new Date(block.until).toISOString(),
        }
      : null,
  };
}
