import { rrsetKey, sameRRSet, type RRSet } from './records.js';

/**
 * The only output of planning: what a DNS provider must do to turn `current`
 * into `desired`. Applying the same desired state twice gives an empty plan.
 */
export interface Changes {
  readonly create: readonly RRSet[];
  readonly update: readonly { readonly from: RRSet; readonly to: RRSet }[];
  readonly delete: readonly RRSet[];
}

export const NO_CHANGES: Changes = { create: [], update: [], delete: [] };

export function plan(current: readonly RRSet[], desired: readonly RRSet[]): Changes {
  const now = new Map(current.map((r) => [rrsetKey(r), r]));
  const want = new Map(desired.map((r) => [rrsetKey(r), r]));
  const create: RRSet[] = [];
  const update: { from: RRSet; to: RRSet }[] = [];
  const del: RRSet[] = [];
  for (const [key, to] of want) {
    const from = now.get(key);
    if (!from) create.push(to);
    else if (!sameRRSet(from, to)) update.push({ from, to });
  }
  for (const [key, from] of now) if (!want.has(key)) del.push(from);
  return { create, update, delete: del };
}

export function isEmpty(changes: Changes): boolean {
  return changes.create.length === 0 && changes.update.length === 0 && changes.delete.length === 0;
}

/** The plan that undoes `changes` (used to compensate when persisting fails after publishing). */
export function invert(changes: Changes): Changes {
  return {
    create: changes.delete,
    update: changes.update.map(({ from, to }) => ({ from: to, to: from })),
    delete: changes.create,
  };
}

/** Applies changes to a list of record sets (pure; used by in-memory providers). */
export function applyTo(records: readonly RRSet[], changes: Changes): RRSet[] {
  const map = new Map(records.map((r) => [rrsetKey(r), r]));
  for (const r of changes.delete) map.delete(rrsetKey(r));
  for (const { to } of changes.update) map.set(rrsetKey(to), to);
  for (const r of changes.create) map.set(rrsetKey(r), r);
  return [...map.values()];
}
