import type { Changes } from '../domain/plan.js';
import type { RRSet } from '../domain/records.js';

/**
 * A DNS backend (built-in server, Route 53, RFC 2136). Implementations apply a
 * plan all-or-nothing: when `applyChanges` rejects, nothing of the plan is
 * visible. Deleting or updating a record set whose current value differs
 * from `from` / the deleted set must reject (never clobber what Signpost did
 * not write).
 */
export interface DnsPublisher {
  /** Record sets currently published in `zone` that Signpost manages. */
  records(zone: string): Promise<RRSet[]>;
  /** Applies every change of one zone's plan atomically. */
  applyChanges(zone: string, changes: Changes): Promise<void>;
}

export { PublishError, type PublishErrorKind } from './dns-provider.js';
