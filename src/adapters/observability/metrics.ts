import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DnsTraffic, Inventory, Metrics as MetricsPort } from '../../ports/metrics.js';
import { PROMETHEUS_CONTENT_TYPE, UPDATE_METRICS } from './plain-metrics.js';

/** The metrics port (ports/metrics.ts), under the name the app has always imported. */
export type Metrics = MetricsPort;

/** Publishing takes from under a millisecond (built-in server) to seconds (Route 53 batches). */
const PUBLISH_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Prometheus metrics of one process, on a registry of its own (the Node server's implementation). */
export class PromMetrics implements MetricsPort {
  readonly registry = new Registry();
  readonly updates = new Counter({
    ...UPDATE_METRICS.updates,
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly updateDuration = new Histogram({
    ...UPDATE_METRICS.updateDuration,
    buckets: [...UPDATE_METRICS.updateDuration.buckets],
    registers: [this.registry],
  });

  readonly loginsThrottled = new Counter({
    ...UPDATE_METRICS.loginsThrottled,
    labelNames: ['door'] as const,
    registers: [this.registry],
  });

  private readonly httpRequests = new Counter({
    name: 'signpost_http_requests_total',
    help: 'HTTP requests answered, by method, matched route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly loginFailures = new Counter({
    name: 'signpost_login_failures_total',
    help: 'Failed logins and API-key checks, by door and result',
    labelNames: ['door', 'result'] as const,
    registers: [this.registry],
  });

  private readonly publishSeconds = new Histogram({
    name: 'signpost_publish_duration_seconds',
    help: 'Time to apply one plan to a DNS backend, by backend and outcome',
    labelNames: ['backend', 'outcome'] as const,
    buckets: PUBLISH_BUCKETS,
    registers: [this.registry],
  });


  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'signpost_' });
  }

  httpRequest(route: string, method: string, status: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
  }

  loginFailed(door: string, result: string): void {
    this.loginFailures.inc({ door, result });
  }

  publishDuration(backend: string, outcome: string, seconds: number): void {
    this.publishSeconds.observe({ backend, outcome }, seconds);
  }

  /**
   * The DNS server counts in plain numbers on its hot path; they become
   * Prometheus series only here, when scraped (a labelled `inc` per packet
   * would cost a string key and a Map lookup on every query).
   */
  watchDns(read: () => DnsTraffic): void {
    const registers = [this.registry];
    new Counter({
      name: 'signpost_dns_queries_total',
      help: 'DNS answers sent by the built-in server, by question type, response code and transport',
      labelNames: ['qtype', 'rcode', 'transport'] as const,
      registers,
      collect() {
        this.reset();
        for (const a of read().answers) this.inc({ qtype: a.qtype, rcode: a.rcode, transport: a.transport }, a.count);
      },
    });
    new Counter({
      name: 'signpost_dns_cache_hits_total',
      help: 'DNS answers served from the answer cache, by question type and transport',
      labelNames: ['qtype', 'transport'] as const,
      registers,
      collect() {
        this.reset();
        for (const a of read().answers) if (a.cached > 0) this.inc({ qtype: a.qtype, transport: a.transport }, a.cached);
      },
    });
    new Counter({
      name: 'signpost_dns_updates_total',
      help: 'RFC 2136 UPDATE requests answered, by response code',
      labelNames: ['rcode'] as const,
      registers,
      collect() {
        this.reset();
        for (const u of read().updates) this.inc({ rcode: u.rcode }, u.count);
      },
    });
    new Counter({
      name: 'signpost_dns_transfers_total',
      help: 'Zone transfers, by type and outcome (completed, aborted, or the refusing response code)',
      labelNames: ['type', 'outcome'] as const,
      registers,
      collect() {
        this.reset();
        for (const t of read().transfers) this.inc({ type: t.type, outcome: t.outcome }, t.count);
      },
    });
    new Counter({
      name: 'signpost_dns_notifies_total',
      help: 'NOTIFY messages to secondaries, by outcome (acked, failed after the retries)',
      labelNames: ['outcome'] as const,
      registers,
      collect() {
        this.reset();
        for (const n of read().notifies) this.inc({ outcome: n.outcome }, n.count);
      },
    });
    new Gauge({
      name: 'signpost_dns_soa_serial',
      help: 'The SOA serial each served zone has now',
      labelNames: ['zone'] as const,
      registers,
      collect() {
        this.reset();
        for (const s of read().serials) this.set({ zone: s.zone }, s.serial);
      },
    });
  }

  watchCertificate(read: () => number | undefined): void {
    new Gauge({
      name: 'signpost_tls_certificate_expiry_timestamp_seconds',
      help: 'When the certificate the HTTPS listener serves expires (Unix time); absent while it has none.',
      registers: [this.registry],
      collect() {
        const at = read();
        this.reset();
        if (at !== undefined) this.set(at / 1000);
      },
    });
  }

  watchInventory(read: () => Promise<Inventory>): void {
    const gauge = (name: string, help: string, pick: (i: Inventory) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          this.set(pick(await read()));
        },
      });
    gauge('signpost_users', 'Users in the store', (i) => i.users);
    gauge('signpost_hosts', 'Hosts in the store', (i) => i.hosts);
    gauge('signpost_hosts_blocked', 'Hosts under an abuse block now', (i) => i.blockedHosts);
    gauge('signpost_challenge_values', 'ACME challenge TXT values live now', (i) => i.challengeValues);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** `new Metrics()`: prom-client metrics (the constructor keeps its old name for existing callers). */
export const Metrics = PromMetrics;

export { PROMETHEUS_CONTENT_TYPE };
