import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process, on a registry of its own. */
export class Metrics {
  readonly registry = new Registry();
  readonly updates = new Counter({
    name: 'signpost_updates_total',
    help: 'dyndns2 update answers, by return code (one per host for host-scoped codes)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly updateDuration = new Histogram({
    name: 'signpost_update_duration_seconds',
    help: 'Time to answer a dyndns2 update request',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'signpost_' });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
