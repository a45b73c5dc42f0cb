import { SignpostError } from '../domain/errors.js';
import type { HistoryEntry, Host } from '../domain/model.js';
import { canonicalName, grantCovers, isFqdn } from '../domain/names.js';
import type { Store } from '../ports/store.js';
import { hostView, type Accounts, type HostView } from './accounts.js';
import type { SetHostAddresses } from './set-host-addresses.js';

export interface UserHostsDeps {
  readonly store: Store;
  readonly accounts: Accounts;
  readonly setHostAddresses: SetHostAddresses;
  readonly now: () => number;
}

/** A host as its owner sees it on the web page: its state plus who last updated it. */
export interface OwnHost extends HostView {
  /** The newest history entry (source address, client, result), if any. */
  readonly last: HistoryEntry | null;
}

export interface OwnToken {
  readonly id: string;
  readonly hostname: string;
  readonly createdAt: string;
}

/**
 * What a signed-in user may see and change: the names their grants cover,
 * by the same rules as dyndns2 (a host another user still holds a grant for
 * is theirs, not this user's). Anything else answers `host_not_found` or
 * `token_not_found`, exactly as a name or token id that does not exist, so
 * guessing reveals nothing.
 */
export class UserHosts {
  constructor(private readonly deps: UserHostsDeps) {}

  /** The user's hosts, and the names granted to them exactly that have no host yet (waiting for a first update). */
  async list(username: string): Promise<{ hosts: OwnHost[]; waiting: string[] }> {
    const { store } = this.deps;
    const [hosts, grants] = await Promise.all([store.listHosts({ owner: username }), store.listGrants(username)]);
    const now = this.deps.now();
    const own = hosts.filter((h) => grants.some((g) => grantCovers(g.pattern, h.name)));
    const lasts = await Promise.all(own.map((h) => store.listHistory(h.name, 1)));
    const names = new Set(own.map((h) => h.name));
    const waiting = grants.map((g) => g.pattern).filter((p) => !p.startsWith('*.') && !names.has(p));
    return { hosts: own.map((h, i) => ({ ...hostView(h, now), last: lasts[i]?.[0] ?? null })), waiting };
  }

  /** One name of the user: its host, or null when the name is granted but has had no update yet. */
  async get(username: string, rawName: string): Promise<{ name: string; host: OwnHost | null }> {
    const { name, host } = await this.authorize(username, rawName);
    if (!host) return { name, host: null };
    const [last] = await this.deps.store.listHistory(name, 1);
    return { name, host: { ...hostView(host, this.deps.now()), last: last ?? null } };
  }

  async history(username: string, rawName: string, limit: number): Promise<HistoryEntry[]> {
    const { name } = await this.authorize(username, rawName);
    return this.deps.store.listHistory(name, Math.min(Math.max(1, limit), 1000));
  }

  /** Sets (an address) or clears (null) each family by hand, through the same use case as the admin API. */
  async setAddresses(username: string, rawName: string, v4: string | null, v6: string | null, sourceAddress: string, userAgent: string): Promise<HostView> {
    const { name } = await this.authorize(username, rawName);
    return this.deps.setHostAddresses.execute({ name, v4, v6, sourceAddress, userAgent });
  }

  async createToken(username: string, rawName: string): Promise<{ id: string; hostname: string; token: string }> {
    const { name } = await this.authorize(username, rawName);
    return this.deps.accounts.createToken(username, name);
  }

  async tokens(username: string, rawName: string): Promise<OwnToken[]> {
    const { name } = await this.authorize(username, rawName);
    return (await this.deps.accounts.listTokens(username)).filter((t) => t.hostname === name);
  }

  /** Revokes one of the user's tokens for this name; another user's token id is `token_not_found`. */
  async revokeToken(username: string, rawName: string, id: string): Promise<void> {
    const { name } = await this.authorize(username, rawName);
    const mine = (await this.deps.store.listTokens(username)).some((t) => t.id === id && t.hostname === name);
    if (!mine) throw new SignpostError('token_not_found', `no token ${id}`);
    await this.deps.accounts.revokeToken(id);
  }

  private async authorize(username: string, rawName: string): Promise<{ name: string; host: Host | undefined }> {
    const name = canonicalName(rawName);
    const notFound = () => new SignpostError('host_not_found', `no host ${name}`);
    if (!isFqdn(name)) throw notFound();
    const grants = await this.deps.store.listGrants(username);
    if (!grants.some((g) => grantCovers(g.pattern, name))) throw notFound();
    const host = await this.deps.store.getHost(name);
    if (host && host.owner !== username) {
      // Grants decide, as for dyndns2: a host whose owner lost the grant passes to the grant's holder.
      const ownerGrants = await this.deps.store.listGrants(host.owner);
      if (ownerGrants.some((g) => grantCovers(g.pattern, name))) throw notFound();
    }
    return { name, host };
  }
}
