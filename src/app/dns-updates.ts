/**
 * The RFC 2136 UPDATE use case: what a verified, signed UPDATE changes.
 * The wire side (parsing, TSIG, answering) hands over a DnsUpdateRequest;
 * this checks the zone, the prerequisites (§3.2), the update section
 * (§3.4.1) and the user's scope, applies the updates (§3.4.2) to the dyndns2
 * hosts and challenge rows they touch, and publishes the result as ONE plan
 * for the zone (one SOA serial, one NOTIFY on the built-in server) before
 * persisting it. A message changes everything it asks for or nothing.
 *
 * Signpost's own models shape the semantics (README, "Certificates"):
 * - a host holds one address per family, so a message that would leave two
 *   A (or AAAA) records at a host is refused: delete the set, then add (what
 *   nsupdate scripts and ExternalDNS send). Deleting the last one removes
 *   the family; the host row stays;
 * - TXT values at a challenge name each get the configured lifetime;
 * - client TTLs are ignored: hosts publish with SIGNPOST_TTL, challenge
 *   values with the challenge TTL.
 */
import { activeBlock } from '../domain/abuse.js';
import { addChallengeValue, challengeRecordSets, grantsCoverChallenge, isChallengeValue, liveValues, removeChallengeValue, type ChallengeRecord, type ChallengeSet } from '../domain/challenges.js';
import type { DnsUpdateRequest, UpdateRcode } from '../domain/dns-update.js';
import type { HistoryEntry, HistoryResult, Host } from '../domain/model.js';
import { grantCovers } from '../domain/names.js';
import { invert, plan, type Changes } from '../domain/plan.js';
import { hostNameOf, hostRecordSets, type HostAddresses, type RRSet } from '../domain/records.js';
import type { ReservedName } from '../domain/reserved.js';
import { MAX_CLIENT_TOKEN_LENGTH, MAX_USER_AGENT_LENGTH, clip } from '../domain/text.js';
import { quoteTxt, txtStrings } from '../domain/txt.js';
import { applyUpdates, type NameOutcome, type NameSets } from '../domain/update-apply.js';
import { checkPrerequisites, checkZone, inZone, prescanUpdates, type ZoneView } from '../domain/update-checks.js';
import { updateScope, updateTarget, type Holder, type UpdateTarget } from '../domain/update-scope.js';
import { zoneForName } from '../domain/zone-for-name.js';
import { PublishError, type ZoneRef } from '../ports/dns-provider.js';
import type { Store } from '../ports/store.js';
import type { DnsRegistry } from './dns-registry.js';
import type { KeyedMutex } from './keyed-mutex.js';

/** Distinct names one message may touch: far above what ACME clients and ExternalDNS batches send, and a bound on the locks and reads one message costs. */
export const MAX_UPDATE_NAMES = 128;

export interface DnsUpdatesDeps {
  readonly store: Store;
  readonly dns: DnsRegistry;
  /** The served zones (SIGNPOST_ZONES). */
  readonly zones: readonly string[];
  /** Names Signpost publishes itself: never updatable. */
  readonly reserved: readonly ReservedName[];
  /** TTL of host records (SIGNPOST_TTL). */
  readonly ttl: number;
  readonly challenges: { readonly lifetimeMs: number; readonly ttl: number };
  /** The per-name locks every writer shares (the registry's). */
  readonly locks: KeyedMutex;
  readonly now: () => number;
  readonly onError: (message: string, error: unknown, context: Record<string, unknown>) => void;
  /** Why a request was refused or partly ignored (the client only sees an RCODE). */
  readonly onNotice?: (message: string, context: Record<string, unknown>) => void;
}

/** One name's rows before and after, and its record sets' plan. */
interface HostChange {
  readonly target: 'host';
  readonly before: Host | undefined;
  readonly after: Host;
  readonly changes: Changes;
}
interface ChallengeChange {
  readonly target: 'challenge';
  readonly before: ChallengeRecord | undefined;
  /** Undefined: the row goes (no value left). */
  readonly after: ChallengeRecord | undefined;
  readonly changes: Changes;
}
type NameChange = HostChange | ChallengeChange;

/** What holds a touched name now. */
interface NameState {
  readonly target: UpdateTarget;
  readonly host?: Host;
  readonly challenge?: ChallengeRecord;
  readonly holder?: Holder;
}

/** An answer other than NOERROR, with the reason for the log (none for an unmet prerequisite: that is the client asking, not failing). */
class Refusal {
  constructor(
    readonly rcode: UpdateRcode,
    readonly reason?: string,
  ) {}
}

export class DnsUpdates {
  constructor(private readonly deps: DnsUpdatesDeps) {}

  /** Applies a verified request; never throws (a failure on Signpost's side answers SERVFAIL). */
  async execute(request: DnsUpdateRequest): Promise<UpdateRcode> {
    const context = { zone: request.zone, key: request.keyName, user: request.username, source: request.sourceAddress };
    try {
      const outcome = await this.run(request);
      if (outcome instanceof Refusal) {
        if (outcome.reason !== undefined) this.deps.onNotice?.(`UPDATE answered ${outcome.rcode}: ${outcome.reason}`, context);
        return outcome.rcode;
      }
      return outcome;
    } catch (error) {
      this.deps.onError('UPDATE failed', error, context);
      return 'SERVFAIL';
    }
  }

  private async run(request: DnsUpdateRequest): Promise<UpdateRcode | Refusal> {
    const zoneFault = checkZone(request, this.deps.zones);
    if (zoneFault) return new Refusal(zoneFault, `${request.zone} is not a zone served here`);
    const zone = { apex: request.zone, served: this.deps.zones };
    // Names outside the zone end in NOTZONE without being read; the rest are locked and read.
    const names = [...new Set([...request.prerequisites, ...request.updates].map((rr) => rr.name).filter((name) => inZone(name, zone)))];
    if (names.length > MAX_UPDATE_NAMES) return new Refusal('REFUSED', `the message touches ${names.length} names; at most ${MAX_UPDATE_NAMES} per message`);
    // Hosts lock by name, `*.name` with its host (as the registry's reconcile does); sorted, each key once.
    const keys = [...new Set(names.map(hostNameOf))].sort();
    return this.withLocks(keys, () => this.underLocks(request, names));
  }

  private withLocks<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const [first, ...rest] = keys;
    if (first === undefined) return work();
    return this.deps.locks.run(first, () => this.withLocks(rest, work));
  }

  private async underLocks(request: DnsUpdateRequest, names: readonly string[]): Promise<UpdateRcode | Refusal> {
    const { dns } = this.deps;
    const zoneRef = await this.providerZone(request, names);
    if (zoneRef instanceof Refusal) return zoneRef;
    const current = new Map<string, RRSet[]>();
    for (const name of names) current.set(name, await dns.recordsAt(zoneRef, name));
    const zone: ZoneView = { apex: request.zone, served: this.deps.zones, setsAt: (name) => current.get(name) ?? [] };

    const unmet = checkPrerequisites(request.prerequisites, zone);
    if (unmet) return new Refusal(unmet);
    const malformed = prescanUpdates(request.updates, zone);
    if (malformed) return new Refusal(malformed, 'the update section is malformed');

    const states = await this.readStates(request);
    const grants = (await this.deps.store.listGrants(request.username)).map((g) => g.pattern);
    for (const rr of request.updates) {
      const verdict = updateScope(rr, { username: request.username, grants, reserved: this.deps.reserved, ...holderOf(states.get(rr.name)) });
      if (!verdict.allowed) return new Refusal('REFUSED', verdict.reason);
    }

    const cnames = new Set(names.filter((name) => zone.setsAt(name).some((s) => s.type === 'CNAME')));
    const applied = applyUpdates(request.updates, startingSets(states, this.deps.now()), cnames);
    for (const rr of applied.ignored) this.deps.onNotice?.('an UPDATE add was ignored: a CNAME holds the name (RFC 2136 §3.4.2.2)', { zone: request.zone, name: rr.name, type: rr.type, key: request.keyName });

    const planned: NameChange[] = [];
    for (const [name, outcome] of applied.names) {
      const state = states.get(name)!;
      const change = state.target === 'host' ? this.hostChange(request, name, state, outcome) : this.challengeChange(request, name, state, outcome, current.get(name) ?? []);
      if (change instanceof Refusal) return change;
      if (change) planned.push(change);
    }
    if (planned.length === 0) return 'NOERROR'; // nothing to change: nothing touched
    return this.publishThenPersist(request, zoneRef, planned);
  }

  /** The provider zone holding the request's zone; every touched name must be in it, so one apply covers the message. */
  private async providerZone(request: DnsUpdateRequest, names: readonly string[]): Promise<ZoneRef | Refusal> {
    const zones = await this.deps.dns.zones();
    try {
      const ref = zoneForName(request.zone, zones);
      if (!ref) return new Refusal('NOTAUTH', `the DNS provider holds no zone for ${request.zone}`);
      const split = names.find((name) => zoneForName(name, zones)?.id !== ref.id);
      if (split) return new Refusal('REFUSED', `${split} is in another zone of the DNS provider than ${request.zone}; one message must stay in one`);
      return ref;
    } catch (error) {
      return new Refusal('REFUSED', (error as Error).message); // two provider zones of one name (views): none is meant
    }
  }

  /** The host or challenge row at every update name, and whether its owner still holds a grant for it. */
  private async readStates(request: DnsUpdateRequest): Promise<Map<string, NameState>> {
    const { store, now } = this.deps;
    const ownerGrants = new Map<string, readonly string[]>();
    const grantsOf = async (owner: string) => {
      if (!ownerGrants.has(owner)) ownerGrants.set(owner, (await store.listGrants(owner)).map((g) => g.pattern));
      return ownerGrants.get(owner)!;
    };
    const states = new Map<string, NameState>();
    for (const name of new Set(request.updates.map((rr) => rr.name))) {
      const target = updateTarget(name);
      if (target === 'host') {
        const host = await store.getHost(name);
        const holder = host ? { owner: host.owner, ownerGranted: (await grantsOf(host.owner)).some((p) => grantCovers(p, name)), blocked: activeBlock(host, now()) !== undefined } : undefined;
        states.set(name, { target, ...(host ? { host } : {}), ...(holder ? { holder } : {}) });
      } else if (target === 'challenge') {
        const challenge = await store.getChallenge(name);
        const holder = challenge ? { owner: challenge.owner, ownerGranted: grantsCoverChallenge(await grantsOf(challenge.owner), name) } : undefined;
        states.set(name, { target, ...(challenge ? { challenge } : {}), ...(holder ? { holder } : {}) });
      }
    }
    return states;
  }

  private hostChange(request: DnsUpdateRequest, name: string, state: NameState, outcome: NameOutcome): HostChange | Refusal | undefined {
    const v4 = outcome.sets.get('A') ?? [];
    const v6 = outcome.sets.get('AAAA') ?? [];
    if (v4.length > 1 || v6.length > 1) return new Refusal('REFUSED', `${name} would hold more than one address of a family; delete the set, then add`);
    const addresses: HostAddresses = { ...(v4[0] ? { v4: v4[0] } : {}), ...(v6[0] ? { v6: v6[0] } : {}) };
    const { host } = state;
    if ((host?.addresses.v4 ?? '') === (addresses.v4 ?? '') && (host?.addresses.v6 ?? '') === (addresses.v6 ?? '')) return undefined;
    const after: Host = host
      ? { ...host, owner: request.username, addresses, ttl: this.deps.ttl, updatedAt: this.deps.now(), version: host.version + 1 }
      : { name, zone: request.zone, owner: request.username, addresses, ttl: this.deps.ttl, updatedAt: this.deps.now(), version: 1 };
    return { target: 'host', before: host, after, changes: plan(host ? hostRecordSets(host) : [], hostRecordSets(after)) };
  }

  private challengeChange(request: DnsUpdateRequest, name: string, state: NameState, outcome: NameOutcome, published: readonly RRSet[]): ChallengeChange | Refusal | undefined {
    const now = this.deps.now();
    const row = state.challenge;
    const added: string[] = [];
    for (const value of outcome.added.get('TXT') ?? []) {
      const strings = txtStrings(value);
      if (strings?.length !== 1 || !isChallengeValue(strings[0]!)) return new Refusal('REFUSED', `a TXT value at ${name} must be one string of 1–255 printable ASCII characters`);
      added.push(strings[0]!);
    }
    const kept = new Set((outcome.sets.get('TXT') ?? []).map((v) => txtStrings(v)?.[0]));
    const before: ChallengeSet = { name, values: row?.values ?? [] };
    const removed = liveValues(before, now).filter((v) => !kept.has(v.value));
    if (added.length === 0 && removed.length === 0) return undefined;
    let set = before;
    for (const { value } of removed) set = removeChallengeValue(set, value, now);
    for (const value of added) set = addChallengeValue(set, value, now, this.deps.challenges.lifetimeMs);
    const after: ChallengeRecord | undefined =
      set.values.length === 0 && row?.alias === undefined
        ? undefined
        : { name, zone: request.zone, owner: request.username, values: set.values, ...(row?.alias !== undefined ? { alias: row.alias } : {}), version: (row?.version ?? 0) + 1 };
    // What is published now (values that expired since are still there until swept) is what the plan starts from;
    // with no row, nothing at the name is Signpost's, and a set found there makes the provider refuse.
    const from = row ? published.filter((s) => s.type === 'TXT' || s.type === 'CNAME') : [];
    const to = after ? challengeRecordSets(after, now, this.deps.challenges.ttl) : [];
    return { target: 'challenge', before: row, after, changes: plan(from, to) };
  }

  private async publishThenPersist(request: DnsUpdateRequest, zone: ZoneRef, planned: readonly NameChange[]): Promise<UpdateRcode | Refusal> {
    const { dns, onError } = this.deps;
    const changes = merge(planned.map((p) => p.changes));
    const context = { zone: request.zone, key: request.keyName, names: planned.map((p) => (p.target === 'host' ? p.after.name : (p.before ?? p.after)!.name)) };
    try {
      await dns.apply(zone, changes);
    } catch (error) {
      const refused = error instanceof PublishError && error.kind === 'refused';
      onError(refused ? 'UPDATE refused: a record Signpost did not write is in the way; left untouched' : 'UPDATE could not be published', error, context);
      await this.recordHosts(request, planned, refused ? 'nohost' : 'dnserr');
      return refused ? 'REFUSED' : 'SERVFAIL';
    }
    const persisted: NameChange[] = [];
    try {
      for (const change of planned) {
        await this.persist(change);
        persisted.push(change);
      }
    } catch (error) {
      onError('store write failed after publishing an UPDATE; reverting', error, context);
      for (const change of persisted.reverse()) await this.unpersist(change).catch((e: unknown) => onError('revert of a stored row failed', e, context));
      await dns.apply(zone, invert(changes)).catch((e: unknown) => onError('revert failed', e, context));
      await this.recordHosts(request, planned, '911');
      return 'SERVFAIL';
    }
    await this.recordHosts(request, planned, 'good');
    return 'NOERROR';
  }

  private async persist(change: NameChange): Promise<void> {
    const { store } = this.deps;
    if (change.target === 'host') return store.putHost(change.after, change.before?.version ?? null);
    if (change.after) return store.putChallenge(change.after, change.before?.version ?? null);
    if (change.before) return store.deleteChallenge(change.before.name, change.before.version);
  }

  /** Puts a row back as it was before `persist` (a later write of the same message failed). */
  private async unpersist(change: NameChange): Promise<void> {
    const { store } = this.deps;
    if (change.target === 'host') {
      if (change.before) return store.putHost({ ...change.before, version: change.after.version + 1 }, change.after.version);
      return store.deleteHost(change.after.name, change.after.version);
    }
    if (change.after && change.before) return store.putChallenge({ ...change.before, version: change.after.version + 1 }, change.after.version);
    if (change.after) return store.deleteChallenge(change.after.name, change.after.version);
    if (change.before) return store.putChallenge({ ...change.before, version: change.before.version + 1 }, null);
  }

  /** One history entry per changed host, as dyndns2 updates write them (challenge values have no history). */
  private async recordHosts(request: DnsUpdateRequest, planned: readonly NameChange[], result: HistoryResult): Promise<void> {
    for (const change of planned) {
      if (change.target !== 'host') continue;
      const before = change.before?.addresses ?? {};
      const entry: HistoryEntry = {
        hostname: change.after.name,
        owner: request.username,
        at: this.deps.now(),
        sourceAddress: clip(request.sourceAddress, MAX_CLIENT_TOKEN_LENGTH),
        userAgent: clip(`RFC 2136 UPDATE, TSIG key ${request.keyName}`, MAX_USER_AGENT_LENGTH),
        before,
        after: result === 'good' ? change.after.addresses : before,
        result,
      };
      await this.deps.store.appendHistory(entry).catch((e: unknown) => this.deps.onError('history write failed', e, { host: entry.hostname }));
    }
  }
}

function holderOf(state: NameState | undefined): { holder?: Holder } {
  return state?.holder ? { holder: state.holder } : {};
}

/** The values UPDATE manages at each touched name, as its rows hold them. */
function startingSets(states: ReadonlyMap<string, NameState>, now: number): Map<string, NameSets> {
  const out = new Map<string, NameSets>();
  for (const [name, state] of states) {
    if (state.target === 'host') {
      const { v4, v6 } = state.host?.addresses ?? {};
      out.set(
        name,
        new Map([
          ['A', v4 ? [v4] : []],
          ['AAAA', v6 ? [v6] : []],
        ]),
      );
    } else {
      const live = state.challenge ? liveValues(state.challenge, now) : [];
      out.set(name, new Map([['TXT', live.map((v) => quoteTxt(v.value))]]));
    }
  }
  return out;
}

/** One plan for the zone from the plans of distinct names. */
function merge(plans: readonly Changes[]): Changes {
  return { create: plans.flatMap((p) => p.create), update: plans.flatMap((p) => p.update), delete: plans.flatMap((p) => p.delete) };
}

