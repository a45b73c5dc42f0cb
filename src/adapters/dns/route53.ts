import type { Changes } from '../../domain/plan.js';
import type { RecordType, RRSet } from '../../domain/records.js';
import { PublishError, type DnsProvider, type PrivateZoneCapability, type ZoneRef } from '../../ports/dns-provider.js';
import type { R53Change, R53HostedZone, R53RecordSet, Route53Api } from './route53-api.js';
import { canonicalName } from '../../domain/names.js';
import { bareZoneId, fromRoute53Name } from './route53-names.js';
import { Route53PrivateZones } from './route53-private-zones.js';

export { bareZoneId, fromRoute53Name } from './route53-names.js';
import type { Route53VpcApi } from './route53-vpc-api.js';

/** Route 53's documented limits for one ChangeResourceRecordSets request. */
export const MAX_CHANGES_PER_BATCH = 1000;
export const MAX_RECORDS_PER_BATCH = 1000;

/** The record types Signpost models, hence the only ones `records()` reports (never the apex SOA/NS, nor delegations). */
const MODELED_TYPES: ReadonlySet<string> = new Set(['A', 'AAAA', 'CNAME', 'PTR', 'MX', 'TXT']);
/**
 * Record sets one per-name read asks for per page: a name Signpost manages
 * holds a few sets (A, AAAA, MX, TXT), so one page of ten nearly always
 * covers it and its listing stops early instead of running to 300 sets.
 */
export const AT_NAME_PAGE = 10;
const RETRYABLE = new Set(['Throttling', 'ThrottlingException', 'PriorRequestNotComplete', 'TooManyRequestsException']);

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface Route53ProviderOptions {
  readonly api: Route53Api;
  /** Which hosted zones may be written: public (internet), private (VPC) or both. Explicit, never guessed. */
  readonly visibility: 'public' | 'private' | 'both';
  /** Restricts publishing to these hosted zone ids (with or without `/hostedzone/`); empty = every zone of the visibility. */
  readonly hostedZoneIds?: readonly string[];
  /**
   * Zones outside `hostedZoneIds` that may be written all the same: those this
   * deployment created itself (instance registration's reverse zones), which
   * no configured id list can name in advance.
   */
  readonly alsoWritable?: (zone: R53HostedZone) => boolean;
  /** The VPC side of Route 53: with it the provider offers the private-zone capability (instance registration). */
  readonly vpcApi?: Route53VpcApi;
  /** How long a VPC's zone associations are reused (ms). */
  readonly associationCacheMs?: number;
  /** Wait until Route 53 reports the change INSYNC (all its name servers answer it); off by default. */
  readonly waitForSync?: { readonly timeoutMs: number; readonly intervalMs: number };
  readonly retry?: Partial<RetryPolicy>;
  /** How long the ListHostedZones result is reused (it lives in module scope on Lambda, so across invocations). */
  readonly zoneCacheMs?: number;
  readonly batchLimits?: { readonly changes: number; readonly records: number };
  /** MaxItems of a per-name read (`recordsAt`); default AT_NAME_PAGE. */
  readonly atNamePageSize?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
}

/**
 * Route 53 as a DNS provider: the writable hosted zones (public, private or
 * both, by configured ids; zones Signpost created itself when allowed),
 * addressed by id, so a public and a private zone of one name stay apart.
 * A plan becomes one ChangeResourceRecordSets for its hosted zone, which
 * Route 53 applies atomically. Updates are a DELETE of the exact old set plus
 * a CREATE of the new one in the same batch (not UPSERT): Route 53 then
 * refuses the whole batch when the record is not what Signpost last wrote,
 * which is the port's never-clobber rule. A plan larger than one batch is
 * split (an update's DELETE/CREATE pair stays together); if a later batch
 * fails, the earlier ones are reverted before the error is reported.
 * Hosted zones are shared with people and other tools: not exclusive.
 */
export class Route53DnsProvider implements DnsProvider {
  readonly exclusive = false;
  readonly privateZones?: PrivateZoneCapability;
  private cache: { at: number; list: Promise<ZoneRef[]> } | undefined;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly ids: ReadonlySet<string>;

  constructor(private readonly options: Route53ProviderOptions) {
    this.retry = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 5000, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.ids = new Set((options.hostedZoneIds ?? []).map(bareZoneId));
    if (options.vpcApi) {
      this.privateZones = new Route53PrivateZones({
        vpcApi: options.vpcApi,
        zones: () => this.zones(),
        forgetZones: () => this.forgetZones(),
        ...(options.associationCacheMs !== undefined ? { associationCacheMs: options.associationCacheMs } : {}),
        now: this.now,
      });
    }
  }

  /** The writable hosted zones (paginated ListHostedZones, cached). */
  async zones(): Promise<readonly ZoneRef[]> {
    const ttl = this.options.zoneCacheMs ?? 15 * 60_000;
    if (!this.cache || this.now() - this.cache.at > ttl) {
      const list = this.loadZones();
      this.cache = { at: this.now(), list };
      list.catch(() => {
        if (this.cache?.list === list) this.cache = undefined; // do not cache a failure
      });
    }
    return this.cache.list;
  }

  /** Drops the cached zone list (after creating a zone). */
  forgetZones(): void {
    this.cache = undefined;
  }

  async records(zone: ZoneRef): Promise<RRSet[]> {
    const out: RRSet[] = [];
    for await (const r of this.listing(zone, {})) {
      const set = modeled(r);
      if (set) out.push(set);
    }
    return out;
  }

  /**
   * The sets at one name: Route 53 lists a zone sorted by name (labels
   * reversed), so the listing that starts at the name holds its sets first
   * and is stopped at the first set of another name. One call for a name of
   * a few sets, whatever the zone's size.
   */
  async recordsAt(zone: ZoneRef, name: string): Promise<RRSet[]> {
    const wanted = canonicalName(name);
    const out: RRSet[] = [];
    // `*` as Route 53 spells it in the names it lists (and takes back as a start).
    const start = { StartRecordName: `${wanted.replace(/\*/g, '\\052')}.`, MaxItems: this.options.atNamePageSize ?? AT_NAME_PAGE };
    for await (const r of this.listing(zone, start)) {
      if (fromRoute53Name(r.Name) !== wanted) break;
      const set = modeled(r);
      if (set) out.push(set);
    }
    return out;
  }

  /** The zone's record sets in Route 53's order from `start` on, page by page as they are consumed. */
  private async *listing(zone: ZoneRef, start: { StartRecordName?: string; MaxItems?: number }): AsyncGenerator<R53RecordSet> {
    const pageSize = start.MaxItems === undefined ? {} : { MaxItems: start.MaxItems };
    let at: { StartRecordName?: string; StartRecordType?: string; StartRecordIdentifier?: string } = start.StartRecordName ? { StartRecordName: start.StartRecordName } : {};
    for (;;) {
      const page = await this.call(() => this.options.api.listResourceRecordSets({ HostedZoneId: zone.id, ...at, ...pageSize })).catch((error: unknown) => {
        throw asPublishError(error);
      });
      yield* page.ResourceRecordSets;
      if (!page.IsTruncated) return;
      at = {
        ...(page.NextRecordName ? { StartRecordName: page.NextRecordName } : {}),
        ...(page.NextRecordType ? { StartRecordType: page.NextRecordType } : {}),
        ...(page.NextRecordIdentifier ? { StartRecordIdentifier: page.NextRecordIdentifier } : {}),
      };
    }
  }

  /** Applies a plan to one writable hosted zone (by id), in strict batches. */
  async apply(zone: ZoneRef, changes: Changes): Promise<void> {
    const units: R53Change[][] = [
      ...changes.delete.map((r) => [toChange('DELETE', r)]),
      ...changes.update.map(({ from, to }) => [toChange('DELETE', from), toChange('CREATE', to)]),
      ...changes.create.map((r) => [toChange('CREATE', r)]),
    ];
    if (units.length === 0) return;
    const writable = await this.zones().catch((error: unknown) => {
      throw asPublishError(error);
    });
    if (!writable.some((z) => z.id === zone.id)) throw new PublishError('refused', `hosted zone ${zone.id} (${zone.name}) is not one this deployment may write`);
    await this.applyBatches(zone, units);
  }

  private async applyBatches(zone: ZoneRef, units: readonly R53Change[][]): Promise<void> {
    const applied: R53Change[][] = [];
    try {
      for (const batch of this.split(units)) {
        await this.submit(zone, batch);
        applied.push(batch);
      }
    } catch (error) {
      for (const batch of applied.reverse()) {
        await this.submit(zone, inverse(batch)).catch(() => undefined); // best effort; the original error is what matters
      }
      if (error instanceof Error && error.name === 'NoSuchHostedZone') this.cache = undefined; // deleted or recreated: list again next time
      throw asPublishError(error);
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

  private async submit(zone: ZoneRef, batch: R53Change[]): Promise<void> {
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

  private async loadZones(): Promise<ZoneRef[]> {
    const zones: ZoneRef[] = [];
    const { visibility } = this.options;
    const visible = (ref: ZoneRef) => visibility === 'both' || ref.private === (visibility === 'private');
    const listed = (ref: ZoneRef, z: R53HostedZone) => this.ids.size === 0 || this.ids.has(ref.id) || (this.options.alsoWritable?.(z) ?? false);
    let marker: string | undefined;
    do {
      const page = await this.call(() => this.options.api.listHostedZones(marker ? { Marker: marker } : {}));
      for (const z of page.HostedZones) {
        const ref = toRef(z);
        if (visible(ref) && listed(ref, z)) zones.push(ref);
      }
      marker = page.IsTruncated ? page.NextMarker : undefined;
    } while (marker);
    return zones;
  }
}

/** A set Signpost models, in its terms; undefined for the apex SOA/NS, other types, alias and routing-policy records. */
function modeled(r: R53RecordSet): RRSet | undefined {
  if (!MODELED_TYPES.has(r.Type) || r.SetIdentifier || r.AliasTarget) return undefined;
  return { name: fromRoute53Name(r.Name), type: r.Type as RecordType, ttl: r.TTL ?? 0, values: (r.ResourceRecords ?? []).map((v) => v.Value) };
}

function toRef(z: R53HostedZone): ZoneRef {
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

/** Route 53's answer as the port's error: a refusal when retrying cannot help, else unavailable. */
function asPublishError(error: unknown): PublishError {
  if (error instanceof PublishError) return error;
  const refused = error instanceof Error && REFUSALS.has(error.name);
  return new PublishError(refused ? 'refused' : 'unavailable', `Route 53 ${refused ? 'refused the change' : 'did not answer'}: ${describe(error)}`, { cause: error });
}

function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { Code?: string }).Code;
  return RETRYABLE.has(error.name) || (code !== undefined && RETRYABLE.has(code)) || /rate exceeded/i.test(error.message);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
