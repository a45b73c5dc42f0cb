/**
 * ACME challenge rows as an owner of record sets. A row wants its live TXT
 * values (or its alias CNAME) and claims TXT and CNAME at its name for as
 * long as it exists: a row is deleted only once its records are gone, so a
 * value that expired or was removed is still claimed, and a sync on a shared
 * backend removes it instead of leaving it behind as someone else's record.
 */
import { challengeRecordSets, type ChallengeRecord } from '../domain/challenges.js';
import { isWithin } from '../domain/names.js';
import type { RecordType, RRSet } from '../domain/records.js';
import type { ZoneRef } from '../ports/dns-provider.js';
import type { Store } from '../ports/store.js';
import { holds } from './dns-owners.js';
import type { OwnerSource } from './dns-registry.js';

/** The types a challenge row may have published at its name. */
const CLAIMED_TYPES: readonly RecordType[] = ['TXT', 'CNAME'];

export interface ChallengeOwnersSettings {
  /** The served zones rows are stored under (SIGNPOST_ZONES). */
  readonly servedZones: readonly string[];
  readonly providerZones: () => Promise<readonly ZoneRef[]>;
  /** TTL of the published sets (short: a value lives minutes). */
  readonly ttl: number;
  /** Decides which values are alive. */
  readonly now: () => number;
}

/** Challenge rows (owner id: the row's owner). */
export class ChallengeOwners implements OwnerSource {
  readonly name = 'challenge';
  /** A value that expired stays published until the next sweep: reconciling it away is routine. */
  readonly changesWithTime = true;

  constructor(
    private readonly store: Store,
    private readonly settings: ChallengeOwnersSettings,
  ) {}

  async desired(zone: ZoneRef): Promise<RRSet[]> {
    const zones = await this.settings.providerZones();
    const now = this.settings.now();
    const out: RRSet[] = [];
    for (const served of this.settings.servedZones) {
      if (!isWithin(served, zone.name) && !isWithin(zone.name, served)) continue;
      for (const row of await this.store.listChallenges({ zone: served })) {
        if (holds(zone, row.name, zones)) out.push(...this.setsOf(row, now));
      }
    }
    return out;
  }

  async desiredAt(zone: ZoneRef, name: string): Promise<RRSet[]> {
    const row = await this.rowAt(zone, name);
    return row ? this.setsOf(row, this.settings.now()) : [];
  }

  async ownerOf(zone: ZoneRef, name: string, type: RecordType): Promise<string | undefined> {
    if (!CLAIMED_TYPES.includes(type)) return undefined;
    return (await this.rowAt(zone, name))?.owner;
  }

  private async rowAt(zone: ZoneRef, name: string): Promise<ChallengeRecord | undefined> {
    const row = await this.store.getChallenge(name);
    return row && holds(zone, row.name, await this.settings.providerZones()) ? row : undefined;
  }

  private setsOf(row: ChallengeRecord, now: number): RRSet[] {
    return challengeRecordSets(row, now, this.settings.ttl);
  }
}
