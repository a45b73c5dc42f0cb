/**
 * ACME DNS-01 challenge records: TXT values at `_acme-challenge.<name>`.
 * A certificate for `home.example` and `*.home.example` needs two values at
 * the same name at once, and clients that crash never clean up, so a name
 * holds several values, each with its own expiry. Pure: the use cases keep
 * the sets in the store and publish `challengeRRSet`.
 */
import { grantCovers, isFqdn } from './names.js';
import type { RRSet } from './records.js';
import { quoteTxt } from './txt.js';

export const CHALLENGE_LABEL = '_acme-challenge';
/** Values one name holds at once; the oldest goes when a new one would exceed it. */
export const MAX_CHALLENGE_VALUES = 16;
/** One TXT character-string. */
export const MAX_CHALLENGE_VALUE_LENGTH = 255;

export interface ChallengeValue {
  readonly value: string;
  /** When the value was (last) written, epoch ms: decides which value is the oldest. */
  readonly writtenAt: number;
  readonly expiresAt: number;
}

export interface ChallengeSet {
  /** `_acme-challenge.<name>`, canonical. */
  readonly name: string;
  readonly values: readonly ChallengeValue[];
}

/**
 * What the store keeps at one challenge name: the live TXT values, or an
 * alias (a CNAME to an acme-dns subdomain, RFC 8555 §8.4's delegation). A
 * row stays while Signpost may have published something there, so the
 * name stays claimed until its records are gone; `owner` is the user whose
 * grants allowed it (the acme-dns account's owner for its subdomain).
 */
export interface ChallengeRecord {
  /** Canonical: `_acme-challenge.<name>`, or an acme-dns `<subdomain>.<acme zone>`. */
  readonly name: string;
  /** The served zone (SIGNPOST_ZONES) holding the name. */
  readonly zone: string;
  readonly owner: string;
  readonly values: readonly ChallengeValue[];
  /** CNAME target, canonical (no trailing dot); a row with an alias holds no values. */
  readonly alias?: string;
  /** Optimistic-concurrency counter, as for hosts. */
  readonly version: number;
}

/** The record set a challenge row publishes at `now`: its live TXT values, or its alias; none when empty. */
export function challengeRecordSets(record: ChallengeRecord, now: number, ttl: number): RRSet[] {
  if (record.alias !== undefined) return [{ name: record.name, type: 'CNAME', ttl, values: [`${record.alias}.`] }];
  const txt = challengeRRSet(record, now, ttl);
  return txt ? [txt] : [];
}

/** The name a challenge name is for (`_acme-challenge.home.example` → `home.example`), or undefined. */
export function challengeSubject(name: string): string | undefined {
  const prefix = `${CHALLENGE_LABEL}.`;
  if (!name.startsWith(prefix)) return undefined;
  const subject = name.slice(prefix.length);
  return isFqdn(subject) ? subject : undefined;
}

/**
 * Grants that cover a name also cover its challenge name; a `*.suffix` grant
 * covers the challenge names of every name below the suffix.
 */
export function grantsCoverChallenge(patterns: readonly string[], name: string): boolean {
  const subject = challengeSubject(name);
  return subject !== undefined && patterns.some((p) => grantCovers(p, subject));
}

/** 1–255 bytes of printable ASCII (what a TXT character-string carries without escaping questions). */
export function isChallengeValue(value: string): boolean {
  return value.length >= 1 && value.length <= MAX_CHALLENGE_VALUE_LENGTH && /^[\x20-\x7e]+$/.test(value);
}

/** The values still alive at `now`. */
export function liveValues(set: ChallengeSet, now: number): ChallengeValue[] {
  return set.values.filter((v) => v.expiresAt > now);
}

/**
 * Adds (or refreshes) a value living `lifetimeMs` from `now`; expired values
 * go, and past MAX_CHALLENGE_VALUES the oldest written go first.
 */
export function addChallengeValue(set: ChallengeSet, value: string, now: number, lifetimeMs: number): ChallengeSet {
  const others = liveValues(set, now).filter((v) => v.value !== value);
  const kept = others.sort((a, b) => a.writtenAt - b.writtenAt).slice(-(MAX_CHALLENGE_VALUES - 1));
  return { name: set.name, values: [...kept, { value, writtenAt: now, expiresAt: now + lifetimeMs }] };
}

export function removeChallengeValue(set: ChallengeSet, value: string, now: number): ChallengeSet {
  return { name: set.name, values: liveValues(set, now).filter((v) => v.value !== value) };
}

/** The TXT record set to publish, or undefined when no value is alive. */
export function challengeRRSet(set: ChallengeSet, now: number, ttl: number): RRSet | undefined {
  // TXT values are presentation text: one quoted character-string each.
  const values = liveValues(set, now).map((v) => quoteTxt(v.value));
  return values.length === 0 ? undefined : { name: set.name, type: 'TXT', ttl, values };
}
