import { SignpostError } from '../domain/errors.js';
import type { HistoryEntry, HistoryResult, Host } from '../domain/model.js';
import { isEmpty, plan } from '../domain/plan.js';
import { hostRecordSets, type HostAddresses } from '../domain/records.js';
import { reservationOf, type ReservedName } from '../domain/reserved.js';
import type { Store } from '../ports/store.js';
import { hostView, type HostView } from './accounts.js';
import type { DnsRegistry } from './dns-registry.js';
import type { KeyedMutex } from './keyed-mutex.js';
import { publishThenPersist } from './publish-host.js';

export interface SetHostAddressesDeps {
  readonly store: Store;
  readonly dns: DnsRegistry;
  readonly reserved: readonly ReservedName[];
  readonly ttl: number;
  readonly locks: KeyedMutex;
  readonly now: () => number;
  readonly onError: (message: string, error: unknown, context: Record<string, unknown>) => void;
}

export interface SetHostAddressesCommand {
  readonly name: string;
  /** An address sets the family, null removes it, undefined leaves it as it is. */
  readonly v4?: string | null;
  readonly v6?: string | null;
  /** Who asked, for the history: the admin's address (if known) and the tool. */
  readonly sourceAddress: string;
  readonly userAgent: string;
}

/**
 * An administrator sets or removes a host's addresses — the only way to drop
 * a stale address, since dyndns2 can only set them. It goes through the same
 * publish-then-persist path as dyndns2 updates and writes a history entry.
 * A host left with no address keeps its row (owner, block, history) and
 * publishes no record until its next update. A reserved name's addresses
 * may be removed but never set.
 */
export class SetHostAddresses {
  constructor(private readonly deps: SetHostAddressesDeps) {}

  async execute(command: SetHostAddressesCommand): Promise<HostView> {
    const { name } = command;
    // Removing stays possible, to clean up a host an older version let a user publish there.
    const reserved = reservationOf(name, this.deps.reserved);
    const sets = typeof command.v4 === 'string' || typeof command.v6 === 'string';
    if (reserved && sets) throw new SignpostError('name_reserved', `${name} is reserved (${reserved.reason})`);
    return this.deps.locks.run(name, async () => {
      const host = await this.deps.store.getHost(name);
      if (!host) throw new SignpostError('host_not_found', `no host ${name}`);
      const after = patched(host.addresses, command);
      const changes = plan(hostRecordSets(host), hostRecordSets({ ...host, addresses: after, ttl: this.deps.ttl }));
      if (isEmpty(changes)) {
        await this.record(command, host, host.addresses, 'nochg');
        return hostView(host, this.deps.now());
      }
      const next: Host = { ...host, addresses: after, ttl: this.deps.ttl, updatedAt: this.deps.now(), version: host.version + 1 };
      const outcome = await publishThenPersist(this.deps, host, next, changes);
      if (outcome.result !== 'good') {
        await this.record(command, host, host.addresses, outcome.result === 'conflict' ? 'nohost' : outcome.result);
        if (outcome.result === 'conflict') throw new SignpostError('record_conflict', `a record Signpost did not write is at ${name}; it was left untouched`);
        if (outcome.result === 'dnserr') throw new SignpostError('publish_failed', `DNS refused or did not answer; ${name} is unchanged`);
        if (outcome.error instanceof SignpostError) throw outcome.error; // concurrent_update from the conditional write
        throw new SignpostError('internal', `could not store ${name}; DNS was reverted`);
      }
      await this.record(command, host, after, 'good');
      return hostView(next, this.deps.now());
    });
  }

  /** The entry belongs to the host's owner: an admin changed the host for them. */
  private async record(command: SetHostAddressesCommand, host: Host, after: HostAddresses, result: HistoryResult): Promise<void> {
    const entry: HistoryEntry = {
      hostname: command.name,
      owner: host.owner,
      at: this.deps.now(),
      sourceAddress: command.sourceAddress,
      userAgent: command.userAgent,
      before: host.addresses,
      after,
      result,
    };
    await this.deps.store.appendHistory(entry).catch((e: unknown) => this.deps.onError('history write failed', e, { host: command.name }));
  }
}

function patched(current: HostAddresses, command: SetHostAddressesCommand): HostAddresses {
  const v4 = command.v4 === undefined ? current.v4 : (command.v4 ?? undefined);
  const v6 = command.v6 === undefined ? current.v6 : (command.v6 ?? undefined);
  return { ...(v4 ? { v4 } : {}), ...(v6 ? { v6 } : {}) };
}
