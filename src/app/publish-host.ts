import type { Host } from '../domain/model.js';
import { invert, isEmpty, type Changes } from '../domain/plan.js';
import { PublishError } from '../ports/dns-provider.js';
import type { Store } from '../ports/store.js';
import type { DnsRegistry } from './dns-registry.js';

export interface PublishHostDeps {
  readonly store: Store;
  readonly dns: DnsRegistry;
  readonly onError: (message: string, error: unknown, context: Record<string, unknown>) => void;
}

/**
 * `good`, or why nothing changed: `conflict` (a set Signpost would create is
 * already there, written by someone else; left untouched), `dnserr`
 * (publishing failed: backend unavailable, no zone for the name, or a set
 * Signpost published was changed behind its back) or `911` (the store write
 * failed and DNS was reverted).
 */
export type PublishHostOutcome = { readonly result: 'good' } | { readonly result: 'conflict' | 'dnserr' | '911'; readonly error: unknown };

/**
 * The one way a host's records change: publish the plan, and only then
 * persist `next` (a conditional write on `current`'s version). A failed
 * publish leaves store and DNS as they were; a failed store write after
 * publishing is compensated by publishing the inverse plan. The caller holds
 * the host's lock and has computed `changes` from `current` to `next`.
 */
export async function publishThenPersist(deps: PublishHostDeps, current: Host | undefined, next: Host, changes: Changes): Promise<PublishHostOutcome> {
  const { name, zone } = next;
  const publish = !isEmpty(changes); // e.g. a TTL change of a host that has no address to publish
  try {
    if (publish) await deps.dns.applyAt(name, changes);
  } catch (error) {
    if (error instanceof PublishError && error.kind === 'refused' && changes.update.length === 0 && changes.delete.length === 0) {
      deps.onError('a record Signpost did not write is in the way; left untouched', error, { host: name, zone });
      return { result: 'conflict', error };
    }
    deps.onError('publish failed', error, { host: name, zone });
    return { result: 'dnserr', error };
  }
  try {
    await deps.store.putHost(next, current?.version ?? null);
  } catch (error) {
    deps.onError('store write failed after publishing; reverting', error, { host: name });
    if (publish) await deps.dns.applyAt(name, invert(changes)).catch((e: unknown) => deps.onError('revert failed', e, { host: name }));
    return { result: '911', error };
  }
  return { result: 'good' };
}
