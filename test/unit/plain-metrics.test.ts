/** The Lambda's dependency-free metrics render exactly what prom-client renders for the same observations. */
import { describe, expect, it } from 'vitest';
import { PlainMetrics, UPDATE_METRICS } from '../../src/adapters/observability/plain-metrics.js';
import { PromMetrics } from '../../src/adapters/observability/metrics.js';
import type { Metrics } from '../../src/ports/metrics.js';

const record = (m: Metrics) => {
  m.updates.inc({ result: 'good' });
  m.updates.inc({ result: 'nochg' });
  m.updates.inc({ result: 'good' });
  m.updates.inc({ result: 'odd "quoted\\ value\nwith newline' });
  for (const s of [0.0001, 0.0005, 0.003, 0.2, 1, 7]) m.updateDuration.observe(s);
};

/** prom-client's text cut to the families the Lambda keeps (the update metrics); the rest are Node-only. */
const updateFamilies = (text: string) => {
  const names = new Set<string>(Object.values(UPDATE_METRICS).map((m) => m.name));
  const kept = text.split('\n\n').filter((family) => names.has(family.split(' ')[2] ?? ''));
  return kept.join('\n\n') + (text.endsWith('\n') && !kept.at(-1)?.endsWith('\n') ? '\n' : '');
};

describe('PlainMetrics', () => {
  it('renders the same Prometheus text as prom-client, before and after observations', async () => {
    const plain = new PlainMetrics();
    const prom = new PromMetrics({ processMetrics: false });
    expect(await plain.text()).toBe(updateFamilies(await prom.text()));
    record(plain);
    record(prom);
    expect(await plain.text()).toBe(updateFamilies(await prom.text()));
    expect(plain.contentType).toBe(prom.contentType);
  });
});
