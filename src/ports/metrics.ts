/**
 * The metrics the HTTP app records and serves on `/metrics` (Prometheus text
 * format). Two implementations: prom-client with process metrics for the
 * Node server (adapters/observability/metrics.ts), and a dependency-free one
 * for Lambda, where loading prom-client costs cold-start time for a
 * per-instance `/metrics` nobody scrapes (adapters/observability/plain-metrics.ts).
 */
export interface Metrics {
  /** dyndns2 answers, by return code. */
  readonly updates: { inc(labels: { result: string }): void };
  /** Seconds to answer one dyndns2 update request. */
  readonly updateDuration: { observe(seconds: number): void };
  /** Logins and API-key checks refused by the failure throttle, by door (dyndns2, admin, events). */
  readonly loginsThrottled: { inc(labels: { door: string }): void };
  /** The exposition text for `/metrics`. */
  text(): Promise<string>;
  readonly contentType: string;
}
