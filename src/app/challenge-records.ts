/**
 * ACME DNS-01 challenge records, whichever door they come through (RFC 2136
 * UPDATE, the acme-dns API, lego's httpreq). The store holds the desired
 * state of a challenge name (its values, each with its own expiry, or an
 * alias); every change is written there first, then the name is published
 * with DnsRegistry.syncAt, which converges on the store whatever another
 * process wrote meanwhile and repairs a crash between the two steps.
 * Authorisation is the caller's (mayWrite, the acme-dns account, the TSIG
 * key's owner).
 */
import {
  addChallengeValue,
  challengeSubject,
  grantsCoverChallenge,
  isChallengeValue,
  liveValues,
  removeChallengeValue,
  type ChallengeRecord,
  type ChallengeValue,
} from '../domain/challenges.js';
import { ConflictError, SignpostError } from '../domain/errors.js';
import { canonicalName, findZone, isFqdn, isWithin } from '../domain/names.js';
import type { RecordType } from '../domain/records.js';
import type { Store } from '../ports/store.js';
import { NoZoneError, type DnsRegistry } from './dns-registry.js';

export interface ChallengeRecordsDeps {
  readonly store: Store;
  readonly dns: DnsRegistry;
  /** Served zones (SIGNPOST_ZONES): a row is stored under the one holding its name. */
  readonly zones: readonly string[];
  /** Where acme-dns subdomains live: `<subdomain>.<acmeDnsZone>` holds TXT values too. */
  readonly acmeDnsZone: string;
  /** How long a value lives when the client never removes it. */
  readonly lifetimeMs: number;
  readonly now: () => number;
  readonly onError: (message: string, error: unknown, context: Record<string, unknown>) => void;
}

export interface ChallengeView {
  readonly name: string;
  readonly zone: string;
  readonly owner: string;
  /** Live values, oldest first. */
  readonly values: { readonly value: string; readonly expiresAt: string }[];
  readonly alias: string | null;
}

export function challengeView(row: ChallengeRecord, now: number): ChallengeView {
  const values = liveValues(row, now).sort((a, b) => a.writtenAt - b.writtenAt);
  return {
    name: row.name,
    zone: row.zone,
    owner: row.owner,
    values: values.map((v) => ({ value: v.value, expiresAt: new Date(v.expiresAt).toISOString() })),
    alias: row.alias ?? null,
  };
}

/** What a row holds, apart from its identity and version. */
interface Contents {
  readonly values: readonly ChallengeValue[];
  readonly alias?: string;
}

/** Conditional writes lost to another process before the change gives up (concurrent_update). */
const WRITE_ATTEMPTS = 5;

export class ChallengeRecords {
  constructor(private readonly deps: ChallengeRecordsDeps) {}

  /** Whether the user's grants cover the challenge name (`_acme-challenge.<granted name>`, any depth under a `*.suffix` grant). */
  async mayWrite(username: string, name: string): Promise<boolean> {
    const grants = await this.deps.store.listGrants(username);
    return grantsCoverChallenge(grants.map((g) => g.pattern), canonicalName(name));
  }

  /**
   * Adds (or refreshes) one TXT value with the configured lifetime; with
   * `keep`, only the `keep` most recent values stay (acme-dns keeps 2). An
   * alias at the name gives way to the value. Published before it resolves.
   */
  async add(name: string, value: string, owner: string, options: { keep?: number } = {}): Promise<void> {
    if (!isChallengeValue(value)) throw invalidValue();
    const { keep } = options;
    await this.change(name, owner, 'TXT', (row, now) => {
      const current = row?.alias === undefined ? (row?.values ?? []) : [];
      const added = addChallengeValue({ name, values: current }, value, now, this.deps.lifetimeMs).values;
      return { values: keep === undefined ? added : newest(added, keep) };
    });
  }

  /** Removes one value, or every value when `value` is undefined (an alias stays). Nothing there is not an error. */
  async remove(name: string, value: string | undefined, owner: string): Promise<void> {
    if (value !== undefined && !isChallengeValue(value)) throw invalidValue();
    await this.change(name, owner, undefined, (row, now) => {
      if (!row) return undefined;
      const values = value === undefined ? [] : removeChallengeValue(row, value, now).values;
      return { values, ...(row.alias === undefined ? {} : { alias: row.alias }) };
    });
  }

  /** A CNAME at the challenge name to `target` (an acme-dns full domain); replaces values. */
  async setAlias(name: string, target: string, owner: string): Promise<void> {
    const alias = canonicalName(target);
    if (!isFqdn(alias)) throw new SignpostError('invalid_challenge', `alias target ${target} is not a domain name`);
    await this.change(name, owner, 'CNAME', () => ({ values: [], alias }));
  }

  removeAlias(name: string, owner: string): Promise<void> {
    return this.change(name, owner, undefined, (row) => (row?.alias === undefined ? undefined : { values: [] }));
  }

  list(filter: { owner?: string } = {}): Promise<ChallengeRecord[]> {
    return this.deps.store.listChallenges(filter);
  }

  /** What a user holds now (admin API, CLI): names with their live values and expiries, or their alias. */
  async listOf(username: string): Promise<ChallengeView[]> {
    if (!(await this.deps.store.getUser(username))) throw new SignpostError('user_not_found', `no user ${username}`);
    const now = this.deps.now();
    return (await this.list({ owner: username })).map((row) => challengeView(row, now));
  }

  /**
   * Drops expired values and unpublishes them (every minute on Node, on a
   * schedule on Lambda); a row left empty goes once its records are gone.
   * A name that fails is reported and retried on the next sweep. Returns
   * the number of names changed.
   */
  async sweep(): Promise<number> {
    const now = this.deps.now();
    let changed = 0;
    for (const row of await this.deps.store.listChallenges()) {
      const stale = row.alias === undefined && (row.values.length === 0 || row.values.some((v) => v.expiresAt <= now));
      if (!stale) continue;
      try {
        // Another process may have swept it meanwhile: then only an empty row is left to settle.
        await this.change(row.name, row.owner, undefined, (current, at) =>
          current?.alias === undefined && current?.values.some((v) => v.expiresAt <= at) ? { values: current.values.filter((v) => v.expiresAt > at) } : undefined,
        );
        changed++;
      } catch (error) {
        this.deps.onError('challenge expiry failed; retrying on the next sweep', error, { name: row.name });
      }
    }
    return changed;
  }

  /** Removes and unpublishes every row the user owns (user deletion). */
  async removeAllOf(owner: string): Promise<void> {
    for (const row of await this.deps.store.listChallenges({ owner })) await this.clear(row.name, owner);
  }

  /**
   * Removes and unpublishes the user's `_acme-challenge` rows that no
   * remaining grant covers (a grant was taken away). acme-dns subdomains stay:
   * they belong to the user's acme-dns accounts, not to a grant.
   */
  async removeUncovered(owner: string, patterns: readonly string[]): Promise<void> {
    for (const row of await this.deps.store.listChallenges({ owner })) {
      if (challengeSubject(row.name) !== undefined && !grantsCoverChallenge(patterns, row.name)) await this.clear(row.name, owner);
    }
  }

  private clear(name: string, owner: string): Promise<void> {
    // Only while the user still owns it: someone granted the name since may have written it.
    return this.change(name, owner, undefined, (row) => (row?.owner === owner ? { values: [] } : undefined));
  }

  /**
   * One change of a row, under the name's lock: read, compute, conditional
   * write (retried when another process wrote first), publish. `writes`
   * is the type a write (add, setAlias) may publish where nothing of
   * Signpost's is yet: a record someone else holds there makes it
   * `record_conflict` with nothing written; a write makes `owner` the row's
   * owner, any other change keeps the row's. `next` returns undefined when
   * there is nothing to change.
   */
  private async change(rawName: string, owner: string, writes: RecordType | undefined, next: (row: ChallengeRecord | undefined, now: number) => Contents | undefined): Promise<void> {
    const name = canonicalName(rawName);
    const zone = this.servedZoneOf(name);
    await this.deps.dns.locks.run(name, async () => {
      for (let attempt = 1; ; attempt++) {
        const row = await this.deps.store.getChallenge(name);
        const contents = next(row, this.deps.now());
        if (contents === undefined) {
          // Nothing to change, but a row left empty (a crash before its removal) still goes.
          if (row && isEmptyRow(row)) await this.settle(name, row.version);
          return;
        }
        if (writes) await this.assertNoForeignRecord(name, row, writes);
        const version = (row?.version ?? 0) + 1;
        const record: ChallengeRecord = { name, zone, owner: writes ? owner : (row?.owner ?? owner), values: contents.values, ...(contents.alias === undefined ? {} : { alias: contents.alias }), version };
        try {
          await this.deps.store.putChallenge(record, row?.version ?? null);
        } catch (error) {
          if (error instanceof ConflictError && attempt < WRITE_ATTEMPTS) continue;
          throw error;
        }
        await this.settle(name, version);
        return;
      }
    });
  }

  /**
   * Publishes the name, then deletes its row if that left it empty. The row
   * must still be at `version`, the one read before the sync: the sync then
   * saw exactly that empty row and removed every record, while a newer row
   * (another process wrote) is that writer's to publish.
   */
  private async settle(name: string, version: number): Promise<void> {
    await this.deps.dns.syncAt(name);
    const row = await this.deps.store.getChallenge(name);
    if (!row || row.version !== version || !isEmptyRow(row)) return;
    await this.deps.store.deleteChallenge(name, version).catch((error: unknown) => {
      if (!(error instanceof ConflictError)) throw error;
    });
  }

  /**
   * Where Signpost holds no row, a TXT or CNAME someone else wrote blocks a
   * value (and anything blocks an alias: a CNAME stands alone). Where it
   * holds one, TXT and CNAME are its own, and only other types block an alias.
   */
  private async assertNoForeignRecord(name: string, row: ChallengeRecord | undefined, writes: RecordType): Promise<void> {
    const zone = await this.deps.dns.zoneFor(name);
    if (!zone) throw new NoZoneError(name);
    const present = await this.deps.dns.recordsAt(zone, name);
    const foreign = present.filter((r) => !(row && (r.type === 'TXT' || r.type === 'CNAME')));
    const blocking = writes === 'CNAME' ? foreign : foreign.filter((r) => r.type === 'TXT' || r.type === 'CNAME');
    if (blocking.length > 0) {
      throw new SignpostError('record_conflict', `a ${blocking[0]!.type} record Signpost did not write is at ${name}; it was left untouched`);
    }
  }

  /** The served zone of a challenge name (`_acme-challenge.<name>` or an acme-dns `<subdomain>.<acme zone>`). */
  private servedZoneOf(name: string): string {
    const subject = challengeSubject(name);
    const acmeDns = isFqdn(name) && isWithin(name, this.deps.acmeDnsZone) && name.split('.').length === this.deps.acmeDnsZone.split('.').length + 1;
    const zone = subject !== undefined || acmeDns ? findZone(name, this.deps.zones) : undefined;
    if (!zone) throw new SignpostError('invalid_challenge', `${name} is not a challenge name (_acme-challenge.<name>) in a served zone`);
    return zone;
  }
}

function isEmptyRow(row: ChallengeRecord): boolean {
  return row.alias === undefined && row.values.length === 0;
}

/** The `keep` most recently written values. */
function newest(values: readonly ChallengeValue[], keep: number): ChallengeValue[] {
  return [...values].sort((a, b) => a.writtenAt - b.writtenAt).slice(-Math.max(1, keep));
}

function invalidValue(): SignpostError {
  return new SignpostError('invalid_challenge', 'a challenge value is 1 to 255 printable ASCII characters');
}
