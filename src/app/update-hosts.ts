import { activeBlock, countingSince, type AbuseTracker } from '../domain/abuse.js';
import type { HostResult, UpdateQuery } from '../domain/dyndns2.js';
import { parseIp } from '../domain/ip.js';
import type { Grant, HistoryEntry, HistoryResult, Host } from '../domain/model.js';
import { findZone, grantCovers, isFqdn } from '../domain/names.js';
import { isEmpty, plan } from '../domain/plan.js';
import { reservationOf, type ReservedName } from '../domain/reserved.js';
import { changedExtras, hostRecordSets, sameExtras, type HostAddresses } from '../domain/records.js';
import { MAX_CLIENT_TOKEN_LENGTH, MAX_USER_AGENT_LENGTH, clip } from '../domain/text.js';
import type { Store } from '../ports/store.js';
import type { Principal } from './authenticator.js';
import type { DnsRegistry } from './dns-registry.js';
import type { KeyedMutex } from './keyed-mutex.js';
import { publishThenPersist } from './publish-host.js';

export interface UpdateHostsDeps {
  readonly store: Store;
  readonly dns: DnsRegistry;
  readonly zones: readonly string[];
  /** Names Signpost publishes itself (apex, in-zone name servers): never updatable. */
  readonly reserved: readonly ReservedName[];
  readonly ttl: number;
  readonly abuse: AbuseTracker;
  readonly locks: KeyedMutex;
  readonly now: () => number;
  readonly onError: (message: string, error: unknown, context: Record<string, unknown>) => void;
}

export interface UpdateHostsCommand {
  readonly principal: Principal;
  readonly query: UpdateQuery;
  /** The caller's address, used when the query names no address at all. */
  readonly sourceAddress: string;
  readonly userAgent: string;
}

/**
 * The dyndns2 update use case: for each name, in order, authorise it,
 * compute the desired addresses, publish the difference and only then
 * persist it (`publishThenPersist`). A failed publish leaves store and DNS as
 * they were (`dnserr`); a failed store write after publishing is compensated
 * by publishing the inverse plan (`911`).
 */
export class UpdateHosts {
  constructor(private readonly deps: UpdateHostsDeps) {}

  async execute(command: UpdateHostsCommand): Promise<HostResult[]> {
    // Tokens too: a token is only as good as its owner's current grants.
    const grants = await this.deps.store.listGrants(command.principal.username);
    const given = requestedAddresses(command);
    const results: HostResult[] = [];
    for (const name of command.query.hostnames) {
      results.push(await this.updateOne(name, command, grants, given));
    }
    return results;
  }

  private async updateOne(name: string, command: UpdateHostsCommand, grants: Grant[], given: HostAddresses): Promise<HostResult> {
    if (!isFqdn(name)) return { code: 'notfqdn' };
    const zone = findZone(name, this.deps.zones);
    if (!zone || reservationOf(name, this.deps.reserved) || !mayUpdate(command.principal, grants, name)) return { code: 'nohost' };
    return this.deps.locks.run(name, async () => {
      const { store, abuse, now } = this.deps;
      const host = await store.getHost(name);
      if (host && host.owner !== command.principal.username && (await this.ownerStillGranted(host))) return { code: 'nohost' };
      const at = now();
      if (host && activeBlock(host, at)) return this.record(command, name, host.addresses, host.addresses, { code: 'abuse' });
      // Counters restart at the host's last unblock, wherever it happened (CLI, another container, expiry).
      const since = countingSince(host, at);

      const after: HostAddresses = { ...host?.addresses, ...given };
      const reported = [given.v4, given.v6].filter((a): a is string => a !== undefined);
      if (reported.length === 0) return { code: '911' }; // no address given and the caller's is unknown
      // Addresses and Dyn's extras change in one plan; nochg only when neither changes.
      const extras = changedExtras(host, command.query.extras);
      const changes = plan(host ? hostRecordSets(host) : [], hostRecordSets({ name, addresses: after, ttl: this.deps.ttl, ...extras }));
      if (host && isEmpty(changes) && sameExtras(host, extras)) {
        if (abuse.nochg(name, at, since)) return this.block(command, host, name, 'repeated nochg');
        return this.record(command, name, host.addresses, after, { code: 'nochg', addresses: reported });
      }
      if (abuse.attempt(name, at, since)) return this.block(command, host, name, 'too many updates');

      const next: Host = {
        name,
        zone,
        owner: command.principal.username,
        addresses: after,
        ttl: this.deps.ttl,
        updatedAt: at,
        version: (host?.version ?? 0) + 1,
        ...(Number.isFinite(since) ? { unblockedAt: since } : {}),
        ...extras,
      };
      const outcome = await publishThenPersist(this.deps, host, next, changes);
      if (outcome.result !== 'good') {
        abuse.forgive(name, at); // a failure on our side is not the client's abuse
        // A record someone else put at the name: the name is not Signpost's to give (dyndns2 has no better code).
        const code = outcome.result === 'conflict' ? 'nohost' : outcome.result;
        return this.record(command, name, host?.addresses ?? {}, host?.addresses ?? {}, { code });
      }
      return this.record(command, name, host?.addresses ?? {}, after, { code: 'good', addresses: reported });
    });
  }

  /**
   * Grants decide who may change a name; the host's owner only records who
   * last did. A host left behind by an owner who no longer holds a grant for
   * it (an unpublish that failed, or data from an older version) passes to
   * the principal that holds the grant now instead of locking them out.
   */
  private async ownerStillGranted(host: Host): Promise<boolean> {
    const grants = await this.deps.store.listGrants(host.owner);
    return grants.some((g) => grantCovers(g.pattern, host.name));
  }

  private async block(command: UpdateHostsCommand, host: Host | undefined, name: string, reason: string): Promise<HostResult> {
    if (host) {
      const blocked: Host = { ...host, blocked: this.deps.abuse.block(this.deps.now(), reason), version: host.version + 1 };
      await this.deps.store.putHost(blocked, host.version).catch((e: unknown) => this.deps.onError('could not persist block', e, { host: name }));
    }
    return this.record(command, name, host?.addresses ?? {}, host?.addresses ?? {}, { code: 'abuse' });
  }

  private async record(command: UpdateHostsCommand, hostname: string, before: HostAddresses, after: HostAddresses, result: HostResult): Promise<HostResult> {
    const entry: HistoryEntry = {
      hostname,
      owner: command.principal.username, // whose update it was (it owns the host when it succeeds)
      at: this.deps.now(),
      sourceAddress: clip(command.sourceAddress, MAX_CLIENT_TOKEN_LENGTH),
      userAgent: clip(command.userAgent, MAX_USER_AGENT_LENGTH),
      before,
      after,
      result: result.code as HistoryResult,
    };
    await this.deps.store.appendHistory(entry).catch((e: unknown) => this.deps.onError('history write failed', e, { host: hostname }));
    return result;
  }
}

/** A token adds a restriction (its one name) to its owner's grants; it never replaces them. */
function mayUpdate(principal: Principal, grants: Grant[], name: string): boolean {
  if (principal.kind === 'token' && principal.hostname !== name) return false;
  return grants.some((g) => grantCovers(g.pattern, name));
}

/** The families the request sets; with no address at all, the caller's own address. */
function requestedAddresses(command: UpdateHostsCommand): HostAddresses {
  const { v4, v6 } = command.query;
  if (v4 !== undefined || v6 !== undefined) return { ...(v4 ? { v4 } : {}), ...(v6 ? { v6 } : {}) };
  const source = parseIp(command.sourceAddress);
  if (!source) return {};
  return source.family === 'v4' ? { v4: source.address } : { v6: source.address };
}
