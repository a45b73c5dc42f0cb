import { SignpostError } from '../domain/errors.js';
import type { Store } from '../ports/store.js';

/**
 * Whether the store's last write went through. A refused write (a conflict,
 * a duplicate user: any SignpostError) is the store working; anything else
 * (disk full, I/O error) marks the write path failing until a write succeeds.
 */
export class WriteHealth {
  private failedAt: number | undefined;

  constructor(private readonly now: () => number) {}

  get failing(): boolean {
    return this.failedAt !== undefined;
  }

  /** Milliseconds since the write path last failed (undefined when it works). */
  failingFor(): number | undefined {
    return this.failedAt === undefined ? undefined : this.now() - this.failedAt;
  }

  async track<T>(write: () => Promise<T>): Promise<T> {
    try {
      const result = await write();
      this.failedAt = undefined;
      return result;
    } catch (error) {
      if (!(error instanceof SignpostError)) this.failedAt = this.now();
      throw error;
    }
  }
}

/** The store with every write reported to `health`; reads pass straight through. */
export function watchWrites(store: Store, health: WriteHealth): Store {
  const w = <T>(write: () => Promise<T>) => health.track(write);
  return {
    createUser: (user) => w(() => store.createUser(user)),
    getUser: (username) => store.getUser(username),
    listUsers: () => store.listUsers(),
    setPasswordHash: (username, hash) => w(() => store.setPasswordHash(username, hash)),
    setAdmin: (username, admin) => w(() => store.setAdmin(username, admin)),
    deleteUser: (username) => w(() => store.deleteUser(username)),
    addGrant: (grant) => w(() => store.addGrant(grant)),
    removeGrant: (grant) => w(() => store.removeGrant(grant)),
    listGrants: (username) => store.listGrants(username),
    getHost: (name) => store.getHost(name),
    listHosts: (filter) => store.listHosts(filter),
    putHost: (host, expected) => w(() => store.putHost(host, expected)),
    deleteHost: (name, expected) => w(() => store.deleteHost(name, expected)),
    createToken: (token) => w(() => store.createToken(token)),
    findTokenBySecretHash: (hash) => store.findTokenBySecretHash(hash),
    listTokens: (username) => store.listTokens(username),
    revokeToken: (id) => w(() => store.revokeToken(id)),
    appendHistory: (entry) => w(() => store.appendHistory(entry)),
    listHistory: (hostname, limit) => store.listHistory(hostname, limit),
    listActivity: (filter, limit) => store.listActivity(filter, limit),
    createSession: (session) => w(() => store.createSession(session)),
    getSession: (idHash) => store.getSession(idHash),
    touchSession: (idHash, at) => w(() => store.touchSession(idHash, at)),
    deleteSession: (idHash) => w(() => store.deleteSession(idHash)),
    listSessions: (username) => store.listSessions(username),
    getChallenge: (name) => store.getChallenge(name),
    listChallenges: (filter) => store.listChallenges(filter),
    putChallenge: (record, expected) => w(() => store.putChallenge(record, expected)),
    deleteChallenge: (name, expected) => w(() => store.deleteChallenge(name, expected)),
    createTsigKey: (key) => w(() => store.createTsigKey(key)),
    getTsigKey: (name) => store.getTsigKey(name),
    listTsigKeys: (username) => store.listTsigKeys(username),
    deleteTsigKey: (name, username) => w(() => store.deleteTsigKey(name, username)),
    createAcmeDnsAccount: (account) => w(() => store.createAcmeDnsAccount(account)),
    getAcmeDnsAccount: (username) => store.getAcmeDnsAccount(username),
    findAcmeDnsAccountBySubdomain: (subdomain) => store.findAcmeDnsAccountBySubdomain(subdomain),
    listAcmeDnsAccounts: (owner) => store.listAcmeDnsAccounts(owner),
    deleteAcmeDnsAccount: (username) => w(() => store.deleteAcmeDnsAccount(username)),
    getSetting: (key) => store.getSetting(key),
    setSetting: (key, value) => w(() => store.setSetting(key, value)),
    ...(store.externalChangeCounter ? { externalChangeCounter: () => store.externalChangeCounter!() } : {}),
    ...(store.counts ? { counts: (now: number) => store.counts!(now) } : {}),
    close: () => store.close(),
  };
}

/** How long a failed write keeps the store unhealthy before a probe write may clear it. */
export const WRITE_FAILURE_HOLD_MS = 60_000;

/**
 * Healthy when the store answers a read and its write path works. A failed
 * write makes it unhealthy for at least a minute — a tiny probe can fit
 * where a real change did not (SQLite reuses free space in pages) — and
 * then until a probe write succeeds, so health comes back once the disk has
 * room again even with no traffic.
 */
export function storeHealth(store: Store, health: WriteHealth): () => Promise<boolean> {
  return async () => {
    await store.getSetting('healthz');
    const failingFor = health.failingFor();
    if (failingFor === undefined) return true;
    if (failingFor < WRITE_FAILURE_HOLD_MS) return false;
    await store.setSetting('healthz_probe', new Date().toISOString()).catch(() => undefined);
    return !health.failing;
  };
}
