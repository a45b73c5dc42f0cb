/**
 * Who may change what through RFC 2136 UPDATE: the one rule, pure. A key
 * acts for its user, and the user's grants decide, as for dyndns2:
 * - A and AAAA at a host name the grants cover (never a reserved name, nor
 *   a host another user holds while still granted it);
 * - TXT at `_acme-challenge.<name>` for a name the grants cover, any depth
 *   under a `*.suffix` grant (never for a reserved name);
 * - and the delete forms of those (a set, one record, or everything at the
 *   name, which removes just those types).
 * Everything else (other types, a CNAME at a challenge name, MX, SOA, other
 * names) is refused.
 */
import { challengeSubject, grantsCoverChallenge } from './challenges.js';
import type { UpdateRR } from './dns-update.js';
import { grantCovers, isFqdn } from './names.js';
import { reservationOf, type ReservedName } from './reserved.js';
import { isAnyType } from './update-checks.js';

/** What an UPDATE may change at a name: a dyndns2 host's addresses, or a challenge name's TXT values. */
export type UpdateTarget = 'host' | 'challenge';

/** The record types UPDATE may change at each kind of name. */
export const UPDATABLE_TYPES: Readonly<Record<UpdateTarget, readonly string[]>> = { host: ['A', 'AAAA'], challenge: ['TXT'] };

/** The row that holds a name now (a host, or a challenge row) as the rule needs it. */
export interface Holder {
  readonly owner: string;
  /** Whether `owner` still holds a grant covering the name (a row left by a revoked owner passes to the granted user). */
  readonly ownerGranted: boolean;
  /** A host blocked for update abuse stays as it is until an admin lifts the block. */
  readonly blocked?: boolean;
}

export interface ScopeInput {
  readonly username: string;
  /** The user's grant patterns now. */
  readonly grants: readonly string[];
  readonly reserved: readonly ReservedName[];
  readonly holder?: Holder;
}

export type ScopeVerdict = { readonly allowed: true; readonly target: UpdateTarget } | { readonly allowed: false; readonly reason: string };

/** The kind of name, or undefined for a name UPDATE never changes (a wildcard owner, `_tcp` labels, …). */
export function updateTarget(name: string): UpdateTarget | undefined {
  if (challengeSubject(name) !== undefined) return 'challenge';
  return isFqdn(name) ? 'host' : undefined;
}

/** Whether the user may apply this update record (already prescanned). */
export function updateScope(rr: UpdateRR, input: ScopeInput): ScopeVerdict {
  const target = updateTarget(rr.name);
  if (!target) return refuse(`${rr.name} is neither a host name nor an _acme-challenge name`);
  const deletesEverything = rr.class === 'ANY' && isAnyType(rr.type);
  if (!deletesEverything && !UPDATABLE_TYPES[target].includes(rr.type)) return refuse(`${rr.type} at ${rr.name} is not updatable (${UPDATABLE_TYPES[target].join(', ')} only)`);
  const subject = target === 'challenge' ? challengeSubject(rr.name)! : rr.name;
  const reserved = reservationOf(rr.name, input.reserved) ?? reservationOf(subject, input.reserved);
  if (reserved) return refuse(`${rr.name} is reserved (${reserved.reason})`);
  const covered = target === 'host' ? input.grants.some((p) => grantCovers(p, rr.name)) : grantsCoverChallenge(input.grants, rr.name);
  if (!covered) return refuse(`${rr.name} is not covered by the user's grants`);
  const { holder } = input;
  if (holder && holder.owner !== input.username && holder.ownerGranted) return refuse(`${rr.name} belongs to another user`);
  if (holder?.blocked) return refuse(`${rr.name} is blocked for update abuse`);
  return { allowed: true, target };
}

function refuse(reason: string): ScopeVerdict {
  return { allowed: false, reason };
}
