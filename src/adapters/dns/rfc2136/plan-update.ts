/**
 * One plan as one UPDATE message: every change guarded by prerequisites so
 * the server applies all of it or none (RFC 2136 §3.2 checks every
 * prerequisite before touching the zone) and never overwrites a set that
 * differs from what Signpost last saw.
 *
 * - delete `set`: requires the set to hold exactly set.values, then deletes it;
 * - update `from → to`: requires from.values exactly, deletes the set, adds to.values;
 * - create `set`: requires the set not to exist, then adds it.
 *
 * A server silently ignores an added CNAME where other data is, and other
 * data added where a CNAME is (§3.4.2.2), which would break all-or-nothing;
 * so a created CNAME also requires its name unused, and a created set of
 * another type requires no CNAME there, unless the same plan removes it.
 */
import type { Changes } from '../../../domain/plan.js';
import type { RRSet } from '../../../domain/records.js';
import { CLASS } from '../builtin/wire.js';
import { UPDATE_REQUEST_FLAGS, type UpdateMessage, type UpdateRecord } from './update-message.js';
import { prerequisite, update } from './update-forms.js';

export function planToUpdate(zone: string, changes: Changes, id: number): UpdateMessage {
  const prerequisites: UpdateRecord[] = [];
  const updates: UpdateRecord[] = [];
  const removed = (name: string) => [...changes.delete, ...changes.update.map((u) => u.from)].filter((s) => s.name === name);
  const touched = (name: string) => [...changes.delete, ...changes.update.map((u) => u.from), ...changes.create].filter((s) => s.name === name);
  for (const set of changes.delete) {
    prerequisites.push(...prerequisite.rrsetEquals(set));
    updates.push(update.deleteRRset(set.name, set.type));
  }
  for (const { from, to } of changes.update) {
    prerequisites.push(...prerequisite.rrsetEquals(from));
    updates.push(update.deleteRRset(from.name, from.type), ...update.add(to));
  }
  for (const set of changes.create) {
    prerequisites.push(prerequisite.rrsetAbsent(set.name, set.type), ...cnameGuard(set, removed(set.name), touched(set.name)));
    updates.push(...update.add(set));
  }
  return { id, flags: UPDATE_REQUEST_FLAGS, zone: { name: zone, class: CLASS.IN }, prerequisites, updates, additional: [] };
}

function cnameGuard(set: RRSet, removedHere: readonly RRSet[], touchedHere: readonly RRSet[]): UpdateRecord[] {
  if (set.type === 'CNAME') return touchedHere.length === 1 ? [prerequisite.nameNotInUse(set.name)] : [];
  return removedHere.some((s) => s.type === 'CNAME') ? [] : [prerequisite.rrsetAbsent(set.name, 'CNAME')];
}
