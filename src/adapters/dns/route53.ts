import { canonicalName, isWithin } from '../../domain/names.js';
import type { Changes } from '../../domain/plan.js';
import type { RecordType, RRSet } from '../../domain/records.js';
import { PublishError, type DnsPublisher } from '../../ports/publisher.js';
import type { R53Change, R53HostedZone, R53RecordSet, Route53Api } from './route53-api.js';

/** Route 53's documented limits for one ChangeResourceRecordSets request. */
export const MAX_CHANGES_PER_BATCH = 1000;
export const MAX_RECORDS_PER_BATCH = 1000;

/** The record types Signpost writes, hence the only ones `records()` reports. */
const MANAGED_TYPES: ReadonlySet<string> = new Set(['A', 'AAAA', 'MX']);
const RETRYABLE = new Set(['Throttling', 'ThrottlingException', 'PriorRequestNotComplete', 'TooManyRequestsException']);

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface Route53PublisherOptions {
  readonly api: Route53Api;
  /** Which hosted zones may be written: public (internet) or private (VPC). Explicit, never guessed. */
  readonly visibility: 'public' | 'private';
  /** Restricts publishing to these hosted zone ids (with or without `/hostedzone/`); empty = every zone of the visibility. */
  readonly hostedZoneIds?: readonly string[];
  /**
   * Zones outside `hostedZoneIds` that may be written all the same: those this
   * deployment created itself (instance registration's reverse zones), which
   * no configured id list can name in advance.
   */
  readonly alsoWritable?: (zone: R53HostedZone) => boolean;
  /** Wait until Route 53 reports the change INSYNC (all its name servers answer it); off by default. */
  readonly waitForSync?: { readonly timeoutMs: number; readonly intervalMs: number };
  readonly retry?: Partial<RetryPolicy>;
  /** How long the ListHostedZones result is reused (it lives in module scope on Lambda, so across invocations). */
  readonly zoneCacheMs?: number;
  readonly batchLimits?: { readonly changes: number; readonly records: number };
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
}

export interface HostedZoneRef {
  readonly id: string;
  /** Canonical: lower case, no trailing dot. */
  readonly name: string;
  readonly private: boolean;
}

/**
 * Publishes plans to Route 53. Each record name goes to the hosted zone with
 * the longest label-aligned suffix (`x.dyn.example.com` → `dyn.example.com`
 * before `example.com`; never `evilexample.com`). A plan becomes one
 * ChangeResourceRecordSets per hosted zone, which Route 53 applies
 * atomically. Updates are a DELETE of the exact old set plus a CREATE of the
 * new one in the same batch (not UPSERT): Route 53 then refuses the whole
 * batch when the record is not what Signpost last wrote, which is the
 * port's never-clobber rule. A plan larger than one batch is split (an
 * update's DELETE/CREATE pair stays together); if a later batch fails, the
 * earlier ones are reverted before the error is reported.
 */
export class Route53Publisher implements DnsPublisher {
  private zones: { at: number; list: Promise<HostedZoneRef[]> } | undefined;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly ids: ReadonlySet<string>;

  constructor(private readonly options: Route53PublisherOptions) {
    this.retry = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 5000, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.ids = new Set((options.hostedZoneIds ?? []).map(bareZoneId));
  }

  /** The writable hosted zones (paginated ListHostedZones, cached). */
  async hostedZones(): Promise<HostedZoneRef[]> {
    const ttl = this.options.zoneCacheMs ?? 15 * 60_000;
    if (!this.zones || this.now() - this.zones.at > ttl) {
      const list = this.loadZones();
      this.zones = { at: this.now(), list };
      list.catch(() => {
        if (this.zones?.list === list) this.zones = undefined; // do not cache a failure
      });
    }
    return this.zones.list;
  }

  /** Drops the cached zone list (after creating a zone). */
  forgetZones(): void {
    this.zones = undefined;
  }

  /** The hosted zone that holds `name`, or undefined when no writable zone does. */
  async hostedZoneFor(name: string): Promise<HostedZoneRef | undefined> {
    const canonical = canonicalName(name);
    let best: HostedZoneRef | undefined;
    let tie = false;
    for (const zone of await this.hostedZones()) {
      if (!isWithin(canonical, zone.name)) continue;
      if (!best || zone.name.length > best.name.length) {
        best = zone;
        tie = false;
      } else if (zone.name.length === best.name.length) tie = true;
    }
    if (tie && best) {
      throw new PublishError('refused', `several ${this.options.visibility} hosted zones are named ${best.name}; configure the hosted zone ids to choose one`);
    }
    return best;
  }

  async records(zone: string): Promise<RRSet[]> {
    const hosted = await this.hostedZoneFor(zone);
    if (!hosted) return [];
    const out: RRSet[] = [];
    let start: { StartRecordName?: string; StartRecordType?: string; StartRecordIdentifier?: string } = {};
    for (;;) {
      const page = await this.call(() => this.options.api.listResourceRecordSets({ HostedZoneId: hosted.id, ...start }));
      for (const r of page.ResourceRecordSets) {
        const name = fromRoute53Name(r.Name);
        if (!MANAGED_TYPES.has(r.Type) || r.SetIdentifier || r.AliasTarget || !isWithin(name, zone)) continue;
        out.push({ name, type: r.Type as RecordType, ttl: r.TTL ?? 0, values: (r.ResourceRecords ?? []).map((v) => v.Value) });
      }
      if (!page.IsTruncated) return out;
      start = {
        ...(page.NextRecordName ? { StartRecordName: page.NextRecordName } : {}),
        ...(page.NextRecordType ? { StartRecordType: page.NextRecordType } : {}),
        ...(page.NextRecordIdentifier ? { StartRecordIdentifier: page.NextRecordIdentifier } : {}),
      };
    }
  }

  async applyChanges(_zone: string, changes: Changes): Promise<void> {
    // Group by hosted zone: a Signpost zone normally lies in one hosted zone, but delegated
    // sub-zones may split it.
    const groups = new Map<string, { zone: HostedZoneRef; units: R53Change[][] }>();
    const add = async (name: string, unit: R53Change[]) => {
      const zone = await this.hostedZoneFor(name);
      if (!zone) throw new PublishError('refused', `${name} is in no ${this.options.visibility} hosted zone this deployment may write`);
      const group = groups.get(zone.id) ?? { zone, units: [] };
      group.units.push(unit);
      groups.set(zone.id, group);
    };
    for (const r of changes.delete) await add(r.name, [toChange('DELETE', r)]);
    for (const { from, to } of changes.update) await add(to.name, [toChange('DELETE', from), toChange('CREATE', to)]);
    for (const r of changes.create) await add(r.name, [toChange('CREATE', r)]);
    await this.applyGroups([...groups.values()]);
  }

  /**
   * Applies a plan to one given hosted zone, with the same strict batches.
   * For callers that address zones by id (instance registration: a public
   * and a private zone of one name are different zones).
   */
  async applyToHostedZone(zone: HostedZoneRef, changes: Changes): Promise<void> {
    const units: R53Change[][] = [
      ...changes.delete.map((r) => [toChange('DELETE', r)]),
      ...changes.update.map(({ from, to }) => [toChange('DELETE', from), toChange('CREATE', to)]),
      ...changes.create.map((r) => [toChange('CREATE', r)]),
    ];
    if (units.length > 0) await this.applyGroups([{ zone, units }]);
  }

  private async applyGroups(groups: readonly { zone: HostedZoneRef; units: R53Change[][] }[]): Promise<void> {
    const applied: { zone: HostedZoneRef; batch: R53Change[] }[] = [];
    try {
      for (const { zone, units } of groups) {
        for (const batch of this.split(units)) {
          await this.submit(zone, batch);
          applied.push({ zone, batch });
        }
      }
    } catch (error) {
      for (const { zone, batch } of applied.reverse()) {
        await this.submit(zone, inverse(batch)).catch(() => undefined); // best effort; the original error is what matters
      }
      if (error instanceof Error && error.name === 'NoSuchHostedZone') this.zones = undefined; // deleted or recreated: list again next time
      if (error instanceof PublishError) throw error;
      throw new PublishError(isRefusedByRoute53(error) ? 'refused' : 'unavailable', `Route 53 refused the change: ${describe(error)}`, { cause: error });
    }
  }

  private split(units: readonly R53Change[][]): R53Change[][] {
    const maxChanges = this.options.batchLimits?.changes ?? MAX_CHANGES_PER_BATCH;
    const maxRecords = this.options.batchLimits?.records ?? MAX_RECORDS_PER_BATCH;
    const batches: R53Change[][] = [];
    let current: R53Change[] = [];
    let records = 0;
    for (const unit of units) {
      const unitRecords = unit.reduce((n, c) => n + (c.ResourceRecordSet.ResourceRecords?.length ?? 0), 0);
      if (current.length > 0 && (current.length + unit.length > maxChanges || records + unitRecords > maxRecords)) {
        batches.push(current);
        current = [];
        records = 0;
      }
      current.push(...unit);
      records += unitRecords;
    }
    if (current.length > 0) batches.push(current);
    return batches;
  }

  private async submit(zone: HostedZoneRef, batch: R53Change[]): Promise<void> {
    const out = await this.call(() =>
      this.options.api.changeResourceRecordSets({ HostedZoneId: zone.id, ChangeBatch: { Comment: 'signpost', Changes: batch } }),
    );
    const wait = this.options.waitForSync;
    if (!wait || out.ChangeInfo.Status === 'INSYNC') return;
    const deadline = this.now() + wait.timeoutMs;
    // The change is committed either way; a timeout only stops waiting for propagation.
    while (this.now() < deadline) {
      await this.sleep(wait.intervalMs);
      const status = await this.call(() => this.options.api.getChange({ Id: out.ChangeInfo.Id }));
      if (status.ChangeInfo.Status === 'INSYNC') return;
    }
  }

  /** Retries throttling and PriorRequestNotComplete with full-jitter exponential backoff. */
  private async call<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt >= this.retry.maxAttempts || !isRetryable(error)) throw error;
        const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
        await this.sleep(Math.floor(this.random() * ceiling));
      }
    }
  }

  private async loadZones(): Promise<HostedZoneRef[]> {
    const zones: HostedZoneRef[] = [];
    const wantPrivate = this.options.visibility === 'private';
    const listed = (ref: HostedZoneRef, z: R53HostedZone) => this.ids.size === 0 || this.ids.has(ref.id) || (this.options.alsoWritable?.(z) ?? false);
    let marker: string | undefined;
    do {
      const page = await this.call(() => this.options.api.listHostedZones(marker ? { Marker: marker } : {}));
      for (const z of page.HostedZones) {
        const ref = toRef(z);
        if (ref.private === wantPrivate && listed(ref, z)) zones.push(ref);
      }
      marker = page.IsTruncated ? page.NextMarker : undefined;
    } while (marker);
    return zones;
  }
}

export function bareZoneId(id: string): string {
  return id.replace(/^\/?hostedzone\//, '');
}

/** `\052.Example.COM.` → `*.example.com` (Route 53 escapes octal `\ddd`). */
export function fromRoute53Name(name: string): string {
  return canonicalName(name.replace(/\\(\d{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8))));
}

function toRef(z: R53HostedZone): HostedZoneRef {
  return { id: bareZoneId(z.Id), name: fromRoute53Name(z.Name), private: z.Config?.PrivateZone ?? false };
}

function toChange(action: 'CREATE' | 'DELETE', r: RRSet): R53Change {
  const set: R53RecordSet = { Name: `${r.name}.`, Type: r.type, TTL: r.ttl, ResourceRecords: r.values.map((Value) => ({ Value })) };
  return { Action: action, ResourceRecordSet: set };
}

/** The batch that undoes `batch` (CREATE ↔ DELETE, in reverse order). */
function inverse(batch: readonly R53Change[]): R53Change[] {
  return [...batch].reverse().map((c) => ({ Action: c.Action === 'CREATE' ? 'DELETE' : 'CREATE', ResourceRecordSet: c.ResourceRecordSet }));
}

/** Route 53 answers these for a batch it will never accept as it is (a set exists or differs, a zone is gone). */
const REFUSALS = new Set(['InvalidChangeBatch', 'InvalidInput', 'NoSuchHostedZone']);

function isRefusedByRoute53(error: unknown): boolean {
  return error instanceof Error && REFUSALS.has(error.name);
}

function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { Code?: string }).Code;
  return RETRYABLE.has(error.name) || (code !== undefined && RETRYABLE.has(code)) || /rate exceeded/i.test(error.message);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
