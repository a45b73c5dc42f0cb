/** The Lambda's dependency-free metrics render exactly what prom-client renders for the same observations. */
import { describe, expect, it } from 'vitest';
import { PlainMetrics } from '../../src/adapters/observability/plain-metrics.js';
import { PromMetrics } from '../../src/adapters/observability/metrics.js';
import type { Metrics } from '../../src/ports/metrics.js';

const record = (m: Metrics) => {
  m.updates.inc({ result: 'good' });
  m.updates.inc({ result: 'nochg' });
  m.updates.inc({ result: 'good' });
  m.updates.inc({ result: 'odd "quoted\\ value\nwith newline' });
  for (const s of [0.0001, 0.0005, 0.003, 0.2, 1, 7]) m.updateDuration.observe(s);
};

describe('PlainMetrics', () => {
  it('renders the same Prometheus text as prom-client, before and after observations', async () => {
    const plain = new PlainMetrics();
    const prom = new PromMetrics({ processMetrics: false });
    expect(await plain.text()).toBe(await prom.text());
    record(plain);
    record(prom);
    expect(await plain.text()).toBe(await prom.text());
    expect(plain.contentType).toBe(prom.contentType);
  });
});
