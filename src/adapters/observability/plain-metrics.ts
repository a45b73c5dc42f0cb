/**
 * The update metrics without prom-client: a counter by result and a
 * histogram, rendered in the Prometheus text format exactly as prom-client
 * renders them (test/unit/plain-metrics.test.ts compares the two). Used on
 * Lambda, where prom-client's import cost lands on every cold start. The
 * rest of the port (HTTP routes, failed logins, publishing, DNS, inventory)
 * is not kept there: a Lambda container's `/metrics` is its own slice of
 * the traffic, which API Gateway and CloudWatch already count as a whole.
 */
import type { Metrics } from '../../ports/metrics.js';

/** Names, help texts and buckets shared by both implementations. */
export const UPDATE_METRICS = {
  updates: { name: 'signpost_updates_total', help: 'dyndns2 update answers, by return code (one per host for host-scoped codes)' },
  loginsThrottled: { name: 'signpost_logins_throttled_total', help: 'Logins and API-key checks refused without checking, after too many failures, by door' },
  updateDuration: {
    name: 'signpost_update_duration_seconds',
    help: 'Time to answer a dyndns2 update request',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as readonly number[],
  },
} as const;

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export class PlainMetrics implements Metrics {
  private readonly counts = new Map<string, number>();
  private readonly throttledCounts = new Map<string, number>();
  private readonly buckets: readonly number[];
  private readonly bucketCounts: number[];
  private sum = 0;
  private count = 0;

  readonly updates = { inc: (labels: { result: string }) => void this.counts.set(labels.result, (this.counts.get(labels.result) ?? 0) + 1) };
  readonly loginsThrottled = { inc: (labels: { door: string }) => void this.throttledCounts.set(labels.door, (this.throttledCounts.get(labels.door) ?? 0) + 1) };
  readonly updateDuration = {
    observe: (seconds: number) => {
      for (let i = 0; i < this.buckets.length; i++) if (seconds <= this.buckets[i]!) this.bucketCounts[i]!++;
      this.sum += seconds;
      this.count++;
    },
  };
  readonly contentType = PROMETHEUS_CONTENT_TYPE;
  httpRequest(): void {}
  loginFailed(): void {}
  publishDuration(): void {}
  watchDns(): void {}
  watchInventory(): void {}

  watchCertificate(): void {}

  constructor(buckets: readonly number[] = UPDATE_METRICS.updateDuration.buckets) {
    this.buckets = buckets;
    this.bucketCounts = buckets.map(() => 0);
  }

  text(): Promise<string> {
    const { updates: u, updateDuration: d, loginsThrottled: t } = UPDATE_METRICS;
    const lines = [`# HELP ${u.name} ${u.help}`, `# TYPE ${u.name} counter`];
    for (const [result, n] of this.counts) lines.push(`${u.name}{result="${escapeLabel(result)}"} ${n}`);
    lines.push('', `# HELP ${d.name} ${d.help}`, `# TYPE ${d.name} histogram`);
    this.buckets.forEach((le, i) => lines.push(`${d.name}_bucket{le="${le}"} ${this.bucketCounts[i]}`));
    lines.push(`${d.name}_bucket{le="+Inf"} ${this.count}`, `${d.name}_sum ${this.sum}`, `${d.name}_count ${this.count}`);
    lines.push('', `# HELP ${t.name} ${t.help}`, `# TYPE ${t.name} counter`);
    for (const [door, n] of this.throttledCounts) lines.push(`${t.name}{door="${escapeLabel(door)}"} ${n}`);
    lines.push('');
    return Promise.resolve(lines.join('\n'));
  }
}
