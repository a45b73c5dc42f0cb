import type { Host } from '../domain/model.js';
import { invert, isEmpty, type Changes } from '../domain/plan.js';
import type { DnsPublisher } from '../ports/publisher.js';
import type { Store } from '../ports/store.js';

export interface PublishHostDeps {
  readonly store: Store;
  readonly publisher: DnsPublisher;
  readonly onError: (message: string, error: unknown, context: Record<string, unknown>) => void;
}

/** `good`, or why nothing changed: `dnserr` (publishing failed) or `911` (the store write failed and DNS was reverted). */
export type PublishHostOutcome = { readonly result: 'good' } | { readonly result: 'dnserr' | '911'; readonly error: unknown };

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
    if (publish) await deps.publisher.applyChanges(zone, changes);
  } catch (error) {
    deps.onError('publish failed', error, { host: name, zone });
    return { result: 'dnserr', error };
  }
  try {
    await deps.store.putHost(next, current?.version ?? null);
  } catch (error) {
    deps.onError('store write failed after publishing; reverting', error, { host: name });
    if (publish) await deps.publisher.applyChanges(zone, invert(changes)).catch((e: unknown) => deps.onError('revert failed', e, { host: name }));
    return { result: '911', error };
  }
  return { result: 'good' };
}
