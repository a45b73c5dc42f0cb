/**
 * RFC 2136 §3.4.2, pure: the update records applied in order to the values
 * UPDATE manages at each name. The result is the values each set holds
 * afterwards and which of them the message (re)added; the use case turns
 * that into host addresses and challenge values, and a plan.
 */
import type { UpdateRR } from './dns-update.js';
import { canonicalValue, isAnyType, ZONE_CLASS } from './update-checks.js';

/** Values by type at one name, in presentation form. */
export type NameSets = ReadonlyMap<string, readonly string[]>;

export interface NameOutcome {
  /** Every type's values after the message (a type left empty is absent or empty). */
  readonly sets: ReadonlyMap<string, readonly string[]>;
  /** Per type, the values the message added or re-added (a re-add refreshes, as RFC 2136 replaces the record) and did not delete again. */
  readonly added: ReadonlyMap<string, readonly string[]>;
}

export interface AppliedUpdates {
  readonly names: ReadonlyMap<string, NameOutcome>;
  /** Adds skipped because a CNAME holds the name (§3.4.2.2: ignored, not an error). */
  readonly ignored: readonly UpdateRR[];
}

/**
 * Applies `updates` (prescanned and permitted) to `start`: values by type
 * at each name they touch (types absent from a name's map start empty).
 * `cnames` are the names a CNAME holds, where adding other data is ignored.
 * Values compare by their data, not their spelling (`canonicalValue`).
 */
export function applyUpdates(updates: readonly UpdateRR[], start: ReadonlyMap<string, NameSets>, cnames: ReadonlySet<string>): AppliedUpdates {
  const sets = new Map<string, Map<string, string[]>>();
  const added = new Map<string, Map<string, string[]>>();
  const ignored: UpdateRR[] = [];
  const at = (name: string) => {
    let found = sets.get(name);
    if (!found) {
      found = new Map([...(start.get(name) ?? new Map<string, readonly string[]>())].map(([type, values]) => [type, [...values]]));
      sets.set(name, found);
      added.set(name, new Map());
    }
    return { current: found, fresh: added.get(name)! };
  };
  const without = (values: readonly string[], type: string, value: string) => values.filter((v) => canonicalValue(type, v) !== canonicalValue(type, value));

  for (const rr of updates) {
    const { current, fresh } = at(rr.name);
    if (rr.class === ZONE_CLASS) {
      if (cnames.has(rr.name) && rr.type !== 'CNAME') {
        ignored.push(rr);
        continue;
      }
      // The same data again replaces the record (RFC 2136 keeps one copy); new data joins the set.
      const value = canonicalValue(rr.type, rr.value!);
      current.set(rr.type, [...without(current.get(rr.type) ?? [], rr.type, rr.value!), rr.type === 'TXT' ? rr.value! : value]);
      fresh.set(rr.type, [...without(fresh.get(rr.type) ?? [], rr.type, rr.value!), rr.type === 'TXT' ? rr.value! : value]);
    } else if (rr.class === 'ANY') {
      const types = isAnyType(rr.type) ? [...current.keys()] : [rr.type];
      for (const type of types) {
        current.set(type, []);
        fresh.set(type, []);
      }
    } else if (rr.class === 'NONE') {
      current.set(rr.type, without(current.get(rr.type) ?? [], rr.type, rr.value!));
      fresh.set(rr.type, without(fresh.get(rr.type) ?? [], rr.type, rr.value!));
    }
  }
  const names = new Map<string, NameOutcome>();
  for (const [name, current] of sets) names.set(name, { sets: current, added: added.get(name)! });
  return { names, ignored };
}
