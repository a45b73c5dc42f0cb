/**
 * The EventBridge handler around the instance-registration use case,
 * without module-scope clients (ec2-event.ts adds those), so tests drive it
 * with fakes. Parse → use case → result; an event that is not ours is
 * logged and dropped (retrying cannot fix it), a failure throws so Lambda's
 * asynchronous retries and then the dead-letter queue keep the event.
 */
import type { InstanceEvents, InstanceOutcome } from '../../app/instance-events.js';
import { parseInstanceEvent } from '../../app/instance-event-schema.js';

export interface Ec2EventLog {
  info(context: Record<string, unknown>, message: string): void;
  warn(context: Record<string, unknown>, message: string): void;
}

export type Ec2EventHandler = (event: unknown) => Promise<InstanceOutcome | { ignored: string }>;

export function createEc2EventHandler(deps: { readonly instances: () => Promise<InstanceEvents> | InstanceEvents; readonly log: Ec2EventLog }): Ec2EventHandler {
  return async (raw) => {
    const parsed = parseInstanceEvent(raw);
    if (!parsed.ok) {
      deps.log.warn({ reason: parsed.reason }, 'ignored an event that is not an EC2 instance event');
      return { ignored: parsed.reason };
    }
    const outcome = await (await deps.instances()).handle(parsed.event);
    deps.log.info({ instanceId: outcome.instanceId, action: outcome.action, state: outcome.state, reason: outcome.reason, records: outcome.records.length }, 'instance event');
    return outcome;
  };
}
