import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metrics as MetricsPort } from '../../ports/metrics.js';
import { PROMETHEUS_CONTENT_TYPE, UPDATE_METRICS } from './plain-metrics.js';

/** The metrics port (ports/metrics.ts), under the name the app has always imported. */
export type Metrics = MetricsPort;

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

/** `new Metrics()`: prom-client metrics (the constructor keeps its old name for existing callers). */
export const Metrics = PromMetrics;

export { PROMETHEUS_CONTENT_TYPE };
