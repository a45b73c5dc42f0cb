/**
 * Event ordering and idempotence, decided from the registration alone.
 * EventBridge delivers at least once and in no particular order; the event
 * time and the last state seen make duplicates and stragglers harmless.
 */
import type { InstanceEvent, InstanceRegistration } from './types.js';
import { GONE_STATES } from './types.js';

export type EventDecision =
  | { readonly action: 'register' }
  | { readonly action: 'deregister' }
  | { readonly action: 'reevaluate' }
  | { readonly action: 'ignore'; readonly reason: string };

export function decide(current: InstanceRegistration | undefined, event: InstanceEvent): EventDecision {
  // Instance ids are never reused: nothing after a termination may bring records back.
  if (current?.state === 'terminated') {
    return event.kind === 'state' && event.state === 'terminated' && current.records.length > 0
      ? { action: 'deregister' } // a retry of an unfinished cleanup
      : { action: 'ignore', reason: 'instance already terminated' };
  }
  if (current && event.time < current.lastEventAt) return { action: 'ignore', reason: 'older than the last event applied' };
  if (event.kind === 'tags') return { action: 'reevaluate' };
  if (event.state === 'running') return { action: 'register' };
  if (GONE_STATES.has(event.state)) return { action: 'deregister' };
  return { action: 'ignore', reason: `state ${event.state} changes nothing` };
}
