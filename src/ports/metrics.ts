/**
 * The metrics the app records and serves on `/metrics` (Prometheus text
 * format). Two implementations: prom-client with process metrics for the
 * Node server (adapters/observability/metrics.ts), and a dependency-free one
 * for Lambda, where loading prom-client costs cold-start time for a
 * per-instance `/metrics` nobody scrapes (adapters/observability/plain-metrics.ts);
 * it keeps the dyndns2 update metrics only.
 *
 * Events are recorded where they happen (one method per concern). Numbers
 * that already exist elsewhere (the DNS server's plain counters, the store's
 * counts) are not copied on every event: a `watch…` method hands over a
 * reader that the scrape calls.
 */
export interface Metrics {
  /** dyndns2 answers, by return code. */
  readonly updates: { inc(labels: { result: string }): void };
  /** Seconds to answer one dyndns2 update request. */
  readonly updateDuration: { observe(seconds: number): void };
  /** Logins and API-key checks refused by the failure throttle, by door (dyndns2, admin, events). */
  readonly loginsThrottled: { inc(labels: { door: string }): void };
  /** One HTTP request answered; `route` is the matched route pattern (`/hosts/:name`), never the raw URL. */
  httpRequest(route: string, method: string, status: number): void;
  /** One failed login or key check, by door and result (`badauth`, `throttled`, `forbidden`, …). */
  loginFailed(door: string, result: string): void;
  /** Seconds one plan took to apply to a DNS backend, by outcome (`ok`, `refused`, `unavailable`). */
  publishDuration(backend: string, outcome: string, seconds: number): void;
  /** The built-in DNS server's counters, read at each scrape. */
  watchDns(read: () => DnsTraffic): void;
  /** What the store holds, read at each scrape (the reader caches). */
  watchInventory(read: () => Promise<Inventory>): void;
  /** When the certificate the HTTPS listener serves expires (epoch ms; undefined while it has none), read at each scrape. */
  watchCertificate(read: () => number | undefined): void;
  /** The exposition text for `/metrics`. */
  text(): Promise<string>;
  readonly contentType: string;
}

/** Totals since the server started, each with its labels. */
export interface DnsTraffic {
  /** Answers sent, by question type, response code (header) and transport; `cached` of them came from the answer cache. */
  readonly answers: readonly { readonly qtype: string; readonly rcode: string; readonly transport: 'udp' | 'tcp'; readonly count: number; readonly cached: number }[];
  /** RFC 2136 UPDATE requests answered, by response code. */
  readonly updates: readonly { readonly rcode: string; readonly count: number }[];
  /** Zone transfers (AXFR/IXFR) by outcome: `completed`, `aborted` (the client left), or the refusing response code. */
  readonly transfers: readonly { readonly type: string; readonly outcome: string; readonly count: number }[];
  /** NOTIFY to secondaries by outcome: `acked`, or `failed` once the retries ran out. */
  readonly notifies: readonly { readonly outcome: string; readonly count: number }[];
  /** The SOA serial each served zone has now. */
  readonly serials: readonly { readonly zone: string; readonly serial: number }[];
}

/** Counts of what the store holds. */
export interface Inventory {
  readonly users: number;
  readonly hosts: number;
  /** Hosts under an abuse block now (an expired block does not count). */
  readonly blockedHosts: number;
  /** ACME challenge TXT values not yet expired. */
  readonly challengeValues: number;
}
