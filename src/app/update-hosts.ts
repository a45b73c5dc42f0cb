import type { AbuseTracker } from '../domain/abuse.js';
import type { HostResult, UpdateQuery } from '../domain/dyndns2.js';
import { parseIp } from '../domain/ip.js';
import type { Grant, HistoryEntry, HistoryResult, Host } from '../domain/model.js';
import { findZone, grantCovers, isFqdn } from '../domain/names.js';
import { invert, isEmpty, plan } from '../domain/plan.js';
import { hostRRSets, type HostAddresses } from '../domain/records.js';
import { MAX_CLIENT_TOKEN_LENGTH, MAX_USER_AGENT_LENGTH, clip } from '../domain/text.js';
import type { DnsPublisher } from '../ports/publisher.js';
import type { Store } from '../ports/store.js';
import type { Principal } from './authenticator.js';
import type { KeyedMutex } from './keyed-mutex.js';

export interface UpdateHostsDeps {
  readonly store: Store;
  readonly publisher: DnsPublisher;
  readonly zones: readonly string[];
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
 * persist it. A failed publish leaves store and DNS as they were (`dnserr`);
 * a failed store write after publishing is compensated by publishing the
 * inverse plan (`911`).
 */
export class UpdateHosts {
  constructor(private readonly deps: UpdateHostsDeps) {}

  async execute(command: UpdateHostsCommand): Promise<HostResult[]> {
    const grants = command.principal.kind === 'user' ? await this.deps.store.listGrants(command.principal.username) : [];
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
    if (!zone || !mayUpdate(command.principal, grants, name)) return { code: 'nohost' };
    return this.deps.locks.run(name, async () => {
      const { store, abuse, now } = this.deps;
      const host = await store.getHost(name);
      if (host && host.owner !== command.principal.username) return { code: 'nohost' };
      if (host?.blocked) return this.record(command, name, host.addresses, host.addresses, { code: 'abuse' });
      const at = now();
      const rateAbuse = abuse.attempt(name, at);
      if (rateAbuse) return this.block(command, host, name, 'too many updates');

      const after: HostAddresses = { ...host?.addresses, ...given };
      const reported = [given.v4, given.v6].filter((a): a is string => a !== undefined);
      if (reported.length === 0) return { code: '911' }; // no address given and the caller's is unknown
      const changes = plan(host ? hostRRSets(name, host.addresses, host.ttl) : [], hostRRSets(name, after, this.deps.ttl));
      if (host && isEmpty(changes)) {
        if (abuse.nochg(name, at)) return this.block(command, host, name, 'repeated nochg');
        return this.record(command, name, host.addresses, after, { code: 'nochg', addresses: reported });
      }

      try {
        await this.deps.publisher.applyChanges(zone, changes);
      } catch (error) {
        this.deps.onError('publish failed', error, { host: name, zone });
        return this.record(command, name, host?.addresses ?? {}, host?.addresses ?? {}, { code: 'dnserr' });
      }
      const next: Host = {
        name,
        zone,
        owner: command.principal.username,
        addresses: after,
        ttl: this.deps.ttl,
        updatedAt: at,
        version: (host?.version ?? 0) + 1,
      };
      try {
        await store.putHost(next, host?.version ?? null);
      } catch (error) {
        this.deps.onError('store write failed after publishing; reverting', error, { host: name });
        await this.deps.publisher.applyChanges(zone, invert(changes)).catch((e: unknown) => this.deps.onError('revert failed', e, { host: name }));
        return this.record(command, name, host?.addresses ?? {}, host?.addresses ?? {}, { code: '911' });
      }
      return this.record(command, name, host?.addresses ?? {}, after, { code: 'good', addresses: reported });
    });
  }

  private async block(command: UpdateHostsCommand, host: Host | undefined, name: string, reason: string): Promise<HostResult> {
    if (host) {
      const blocked: Host = { ...host, blocked: { at: this.deps.now(), reason }, version: host.version + 1 };
      await this.deps.store.putHost(blocked, host.version).catch((e: unknown) => this.deps.onError('could not persist block', e, { host: name }));
    }
    return this.record(command, name, host?.addresses ?? {}, host?.addresses ?? {}, { code: 'abuse' });
  }

  private async record(command: UpdateHostsCommand, hostname: string, before: HostAddresses, after: HostAddresses, result: HostResult): Promise<HostResult> {
    const entry: HistoryEntry = {
      hostname,
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

function mayUpdate(principal: Principal, grants: Grant[], name: string): boolean {
  if (principal.kind === 'token') return principal.hostname === name;
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
