/**
 * After an outage the backend's state is unknown: an UPDATE that timed out may
 * have been applied or not, and a primary restored from an old backup has
 * lost records. This decorator notices every `unavailable` PublishError from
 * the provider it wraps and schedules a reconcile (store → DNS), retried with
 * exponential backoff until one completes without meeting another outage.
 */
import type { Changes } from '../domain/plan.js';
import type { RRSet } from '../domain/records.js';
import { PublishError, type DnsProvider, type ZoneRef } from '../ports/dns-provider.js';

export interface ResyncOptions {
  /** Brings the backend in line with the store (Reconciler#reconcile); may call this provider. */
  readonly reconcile: () => Promise<unknown>;
  /** Wait before the first reconcile after an outage; default 1 s. */
  readonly initialDelayMs?: number;
  /** Longest wait between tries; default 5 min. */
  readonly maxDelayMs?: number;
  /** A try that failed (it will be retried). */
  readonly onError?: (error: unknown) => void;
  /** Called after a reconcile that followed an outage succeeded. */
  readonly onRecovered?: () => void;
}

const isOutage = (error: unknown) => error instanceof PublishError && error.kind === 'unavailable';

export class ResyncAfterOutage implements DnsProvider {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** An outage seen while a reconcile runs: that reconcile does not count as a recovery. */
  private outageDuringRun = false;
  private delayMs: number;
  private closed = false;

  constructor(
    private readonly inner: DnsProvider,
    private readonly options: ResyncOptions,
  ) {
    this.delayMs = options.initialDelayMs ?? 1000;
  }

  get exclusive(): boolean {
    return this.inner.exclusive;
  }

  get privateZones(): DnsProvider['privateZones'] {
    return this.inner.privateZones;
  }

  /** True while a reconcile is scheduled or running. */
  get pending(): boolean {
    return this.timer !== undefined || this.running;
  }

  zones(): Promise<readonly ZoneRef[]> {
    return this.watch(this.inner.zones());
  }

  records(zone: ZoneRef): Promise<RRSet[]> {
    return this.watch(this.inner.records(zone));
  }

  apply(zone: ZoneRef, changes: Changes): Promise<void> {
    return this.watch(this.inner.apply(zone, changes));
  }

  /** Stops scheduling; a reconcile already running finishes. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async watch<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      if (isOutage(error)) this.outage();
      throw error;
    }
  }

  private outage(): void {
    if (this.running) this.outageDuringRun = true;
    else this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => void this.run(), this.delayMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    this.outageDuringRun = false;
    let failed: boolean;
    try {
      await this.options.reconcile();
      failed = this.outageDuringRun;
    } catch (error) {
      failed = true;
      this.options.onError?.(error);
    }
    this.running = false;
    if (failed) {
      this.delayMs = Math.min(this.delayMs * 2, this.options.maxDelayMs ?? 300_000);
      this.schedule();
    } else {
      this.delayMs = this.options.initialDelayMs ?? 1000;
      this.options.onRecovered?.();
    }
  }
}
