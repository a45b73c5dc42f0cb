/**
 * Instance registration: EC2 state-change and tag-change events create an
 * instance's records and remove exactly those again. Talks only to ports
 * (registry, EC2 reader, DNS, alerts); the decisions are pure functions in
 * src/domain/instances/.
 *
 * Ownership: a record is touched only when the DNS registry's owner lookup
 * says it is this instance's. Creating uses CREATE semantics (the provider
 * refuses an existing set, so a record made by a person or another tool is
 * never overwritten); a record another instance owns is taken over by exact
 * update (a replacement instance reusing a name), after which the old
 * instance's cleanup leaves it alone because it no longer owns it; a record
 * a dyndns2 host owns is left alone.
 */
import { ConflictError } from '../domain/errors.js';
import { decide } from '../domain/instances/ordering.js';
import { desiredRecords } from '../domain/instances/records.js';
import { chooseZones, type ZoneChoice } from '../domain/instances/zones.js';
import {
  recordRefKey,
  type DnsZone,
  type InstanceEvent,
  type InstanceFacts,
  type InstanceRecord,
  type InstanceRegistration,
  type InstanceState,
  type InstanceTagKeys,
} from '../domain/instances/types.js';
import { NO_CHANGES, type Changes } from '../domain/plan.js';
import { sameRRSet } from '../domain/records.js';
import { PublishError, type VpcRef, type ZoneRef } from '../ports/dns-provider.js';
import type { AlertSink } from '../ports/alerts.js';
import type { Ec2Reader } from '../ports/ec2-reader.js';
import type { InstanceRegistry } from '../ports/instance-registry.js';
import type { DnsRegistry, Owner } from './dns-registry.js';
import { KeyedMutex } from './keyed-mutex.js';

export interface InstanceEventSettings {
  readonly ttl: number;
  readonly tagKeys: InstanceTagKeys;
  /** Associate a private zone with the instance's VPC when it is not (off by default). */
  readonly associateVpc: boolean;
  /** Create a missing reverse zone as a private zone of the VPC (off by default). */
  readonly createReverseZones: boolean;
  /** The region events come from when they carry none (VPC association needs it). */
  readonly region?: string;
}

export interface InstanceEventsDeps {
  readonly registry: InstanceRegistry;
  readonly ec2: Ec2Reader;
  /** The DNS registry around the provider (its owner sources include this use case's registry). */
  readonly dns: DnsRegistry;
  readonly alerts: AlertSink;
  readonly settings: InstanceEventSettings;
  readonly now: () => number;
}

export interface InstanceOutcome {
  readonly instanceId: string;
  readonly action: 'applied' | 'ignored';
  readonly state?: InstanceState;
  readonly reason?: string;
  /** The records Signpost holds for the instance afterwards. */
  readonly records: readonly InstanceRecord[];
  readonly created: number;
  readonly deleted: number;
  readonly problems: readonly string[];
}

/** Thrown after alerting when a failure may pass on retry (EventBridge/Lambda retries, then the DLQ keeps the event). */
export class InstanceEventError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InstanceEventError';
  }
}

const MAX_CONFLICT_RETRIES = 3;

/** The records a running instance should have; `keep` leaves whatever it has; `retry` fails the delivery after converging. */
interface Wanted {
  records: InstanceRecord[];
  keep?: boolean;
  reason?: string;
  retry?: unknown;
}

interface Converged {
  records: InstanceRecord[];
  created: number;
  deleted: number;
  problems: string[];
  transient: unknown[];
}

export class InstanceEvents {
  private readonly locks = new KeyedMutex();

  constructor(private readonly deps: InstanceEventsDeps) {}

  async handle(event: InstanceEvent): Promise<InstanceOutcome> {
    return this.locks.run(event.instanceId, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.once(event);
        } catch (error) {
          if (error instanceof ConflictError && attempt < MAX_CONFLICT_RETRIES) continue;
          if (!(error instanceof InstanceEventError)) {
            await this.alert(event.instanceId, undefined, `could not process the event: ${describe(error)}`);
            throw new InstanceEventError(`instance ${event.instanceId}: ${describe(error)}`, { cause: error });
          }
          throw error;
        }
      }
    });
  }

  private async once(event: InstanceEvent): Promise<InstanceOutcome> {
    const { registry } = this.deps;
    const current = await registry.get(event.instanceId);
    const decision = decide(current, event);
    const held = current?.records ?? [];
    if (decision.action === 'ignore') return outcome(event.instanceId, 'ignored', held, { reason: decision.reason, ...(current ? { state: current.state } : {}) });

    let desired: readonly InstanceRecord[] = [];
    let state: InstanceState = event.kind === 'state' ? event.state : (current?.state ?? 'running');
    let reason: string | undefined;
    let retry: unknown;
    const problems: string[] = [];
    if (decision.action !== 'deregister') {
      const facts = await this.deps.ec2.instance(event.instanceId);
      if (!facts) {
        state = 'terminated'; // EC2 forgets terminated instances after a while
        reason = 'EC2 no longer knows the instance';
      } else if (facts.state !== 'running') {
        state = facts.state; // the event is older than what EC2 says now; a later event will say so too
        reason = `EC2 says the instance is ${facts.state}`;
      } else {
        state = 'running';
        const wanted = await this.desiredFor(facts, event, problems);
        if (wanted.keep) desired = held;
        else desired = wanted.records;
        reason = wanted.reason;
        retry = wanted.retry;
      }
    }

    const result = await this.converge(event.instanceId, held, desired);
    const next: InstanceRegistration = {
      instanceId: event.instanceId,
      state,
      lastEventAt: Math.max(current?.lastEventAt ?? 0, event.time),
      records: result.records,
      version: (current?.version ?? 0) + 1,
      updatedAt: this.deps.now(),
    };
    await registry.put(next, current?.version ?? null);
    if (retry !== undefined) result.transient.push(retry);
    if (result.transient.length > 0) {
      throw new InstanceEventError(`instance ${event.instanceId}: ${result.transient.length} DNS change(s) failed and will be retried`, { cause: result.transient[0] });
    }
    return outcome(event.instanceId, 'applied', result.records, {
      state,
      ...(reason ? { reason } : {}),
      created: result.created,
      deleted: result.deleted,
      problems: [...problems, ...result.problems],
    });
  }

  /** The records a running instance should have; `keep` leaves whatever it has (a misconfigured VPC). */
  private async desiredFor(facts: InstanceFacts, event: InstanceEvent, problems: string[]): Promise<Wanted> {
    const { ec2, dns, settings } = this.deps;
    const vpc = facts.vpcId ? await ec2.vpc(facts.vpcId) : undefined;
    if (vpc && !vpc.dnsSupport) {
      const cause = `DNS support (enableDnsSupport) is off in ${vpc.vpcId}: no records made`;
      problems.push(cause);
      await this.alert(facts.instanceId, undefined, cause);
      return { records: [], keep: true, reason: cause };
    }
    const region = event.region ?? settings.region;
    const vpcRef = vpc ? { vpcId: vpc.vpcId, ...(region ? { region } : {}) } : undefined;
    let zones = await this.zones(vpcRef);
    const decision = chooseZones(facts, vpc, zones, settings.tagKeys);
    if (!decision.ok) {
      if (decision.missingZone) {
        problems.push(decision.reason);
        await this.alert(facts.instanceId, undefined, decision.reason, decision.missingZone);
      }
      return { records: [], reason: decision.reason };
    }
    let choice: ZoneChoice = decision.choice;
    if (choice.private && !(await this.usable(choice.private, facts, vpcRef, problems))) {
      const { private: _dropped, ...rest } = choice;
      choice = rest;
    }
    const options = { ttl: settings.ttl, tagKeys: settings.tagKeys };
    let desired = desiredRecords(facts, choice, zones.filter((z) => z.associated !== false), options);
    const ptrMissing = desired.reverseZoneName && !desired.records.some((r) => r.type === 'PTR');
    if (ptrMissing && desired.reverseZoneName) {
      const existing = zones.find((z) => z.private && z.name === desired.reverseZoneName);
      if (existing && (await this.usable(existing, facts, vpcRef, problems))) {
        zones = zones.map((z) => (z.id === existing.id ? { ...z, associated: true } : z));
        desired = desiredRecords(facts, choice, zones.filter((z) => z.associated !== false), options);
      } else if (!existing && settings.createReverseZones && dns.provider.privateZones && vpcRef?.region) {
        try {
          const created = await dns.provider.privateZones.createPrivateZone(desired.reverseZoneName, { vpcId: vpcRef.vpcId, region: vpcRef.region });
          desired = desiredRecords(facts, choice, [...zones, { ...created, associated: true }], options);
        } catch (error) {
          // The instance still gets its other records; only the PTR waits for the zone.
          const refused = error instanceof PublishError && error.kind === 'refused';
          const cause = `could not create the reverse zone ${desired.reverseZoneName}${refused ? '' : ' (will retry)'}: ${describe(error)}`;
          problems.push(cause);
          await this.alert(facts.instanceId, undefined, cause, desired.reverseZoneName);
          return { records: desired.records, ...(refused ? {} : { retry: error }) };
        }
      }
    }
    return { records: desired.records };
  }

  /** The provider's zones; private ones say whether the VPC is associated with them, where the provider knows. */
  private async zones(vpc: { vpcId: string; region?: string } | undefined): Promise<DnsZone[]> {
    const { dns } = this.deps;
    const zones = await dns.zones();
    const capability = dns.provider.privateZones;
    const associated = capability && vpc?.region ? await capability.associatedZoneIds({ vpcId: vpc.vpcId, region: vpc.region }) : undefined;
    return zones.map((z) => (z.private && associated ? { ...z, associated: associated.has(z.id) } : { ...z }));
  }

  /** A private zone the VPC does not see is associated only when configured; otherwise alert and skip it. */
  private async usable(zone: DnsZone, facts: InstanceFacts, vpc: { vpcId: string; region?: string } | undefined, problems: string[]): Promise<boolean> {
    if (zone.associated !== false) return true;
    const { dns, settings } = this.deps;
    if (settings.associateVpc && dns.provider.privateZones && vpc?.region) {
      const ref: VpcRef = { vpcId: vpc.vpcId, region: vpc.region };
      await dns.provider.privateZones.associate(zone, ref);
      return true;
    }
    const cause = `private zone ${zone.name} (${zone.id}) is not associated with ${vpc?.vpcId ?? 'the instance VPC'}: its records are skipped`;
    problems.push(cause);
    await this.alert(facts.instanceId, zone.name, cause);
    return false;
  }

  /**
   * Moves the instance's records from `held` to `desired`, one record set at
   * a time so one refused set does not block the others. Returns what the
   * instance holds afterwards.
   */
  private async converge(instanceId: string, held: readonly InstanceRecord[], desired: readonly InstanceRecord[]): Promise<Converged> {
    const { registry, dns } = this.deps;
    const out: Converged = { records: [], created: 0, deleted: 0, problems: [], transient: [] };
    const have = new Map(held.map((r) => [recordRefKey(r), r]));
    const want = new Map(desired.map((r) => [recordRefKey(r), r]));
    const known = await dns.zones();
    const zoneOf = (r: InstanceRecord): ZoneRef => known.find((z) => z.id === r.zoneId) ?? { id: r.zoneId, name: r.zoneName, private: false };
    const ownerOf = (r: InstanceRecord): Promise<Owner | undefined> => dns.ownerOf(zoneOf(r), r.name, r.type);
    const isMine = (owner: Owner | undefined) => owner?.source === 'instance' && owner.id === instanceId;

    // Deletes first: a set being replaced by another type of the same name (CNAME ↔ A) must go before.
    for (const [key, from] of have) {
      if (want.has(key)) continue;
      if (!isMine(await ownerOf(from))) continue; // taken over by a replacement instance: not ours any more
      const ok = await this.publish(instanceId, from, zoneOf(from), { ...NO_CHANGES, delete: [from] }, out);
      if (ok) out.deleted++;
      else if (ok === undefined) out.records.push(from); // transient: still ours, retried later
    }
    for (const [key, to] of want) {
      const from = have.get(key);
      const owner = await ownerOf(to);
      if (from && isMine(owner)) {
        if (sameRRSet(from, to)) {
          out.records.push(to);
          continue;
        }
        const ok = await this.publish(instanceId, to, zoneOf(to), { ...NO_CHANGES, update: [{ from, to }] }, out);
        if (ok) out.records.push(to);
        else if (ok === undefined) out.records.push(from);
        continue;
      }
      let changes: Changes = { ...NO_CHANGES, create: [to] };
      if (owner && owner.source !== 'instance') {
        const label = `${to.name} ${to.type} in ${to.zoneName} (${to.zoneId})`;
        const cause = `${label} belongs to a ${owner.source} (${owner.id}); left alone`;
        out.problems.push(cause);
        await this.alert(instanceId, label, cause);
        continue;
      }
      if (owner && !isMine(owner)) {
        // Another instance's record of this name: the newer instance takes it over (exact update, never blind).
        const theirs = (await registry.get(owner.id))?.records.find((r) => recordRefKey(r) === key);
        if (theirs && sameRRSet(theirs, to)) {
          out.records.push(to);
          continue;
        }
        if (theirs) changes = { ...NO_CHANGES, update: [{ from: theirs, to }] };
      }
      const ok = await this.publish(instanceId, to, zoneOf(to), changes, out);
      if (ok) {
        out.records.push(to);
        out.created++;
      }
    }
    return out;
  }

  /** true: applied; false: refused for good (alerted); undefined: transient failure (alerted, retried). */
  private async publish(instanceId: string, record: InstanceRecord, zone: ZoneRef, changes: Changes, out: Converged): Promise<boolean | undefined> {
    try {
      await this.deps.dns.apply(zone, changes);
      return true;
    } catch (error) {
      const label = `${record.name} ${record.type} in ${record.zoneName} (${record.zoneId})`;
      if (error instanceof PublishError && error.kind === 'refused') {
        const what = changes.create.length > 0 ? 'exists and was not created by Signpost; left alone' : 'differs from what Signpost wrote; left alone';
        const cause = `${label} ${what}: ${describe(error)}`;
        out.problems.push(cause);
        await this.alert(instanceId, label, cause);
        return false;
      }
      out.transient.push(error);
      await this.alert(instanceId, label, `DNS change failed (will retry): ${describe(error)}`);
      return undefined;
    }
  }

  private async alert(instanceId: string, record: string | undefined, cause: string, zone?: string): Promise<void> {
    await this.deps.alerts.alert({ subject: `Signpost: instance ${instanceId}`, instanceId, ...(record ? { record } : {}), ...(zone ? { zone } : {}), cause });
  }
}

function outcome(
  instanceId: string,
  action: InstanceOutcome['action'],
  records: readonly InstanceRecord[],
  extra: Partial<Omit<InstanceOutcome, 'instanceId' | 'action' | 'records'>>,
): InstanceOutcome {
  return { instanceId, action, records, created: 0, deleted: 0, problems: [], ...extra };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
