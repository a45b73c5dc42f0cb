/**
 * Benchmark child: the built-in DNS server alone, loaded with N synthetic
 * host records (hN.bench.test A), on 127.0.0.1. Prints one JSON line once it
 * answers: port, load time, RSS, and how long publishing updates takes at
 * this zone size (update → visible, the snapshot swap).
 *
 *   node --expose-gc --import tsx bench/dns/serve.ts <records> [port] [updates]
 */
import { BuiltinDns } from '../../src/adapters/dns/builtin/index.js';
import { loadConfig } from '../../src/config/env.js';
import type { RRSet } from '../../src/domain/records.js';

export const BENCH_ZONE = 'bench.test';
export const hostName = (i: number) => `h${i}.${BENCH_ZONE}`;
export const hostIp = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

const records = Number(process.argv[2] ?? 10_000);
const port = Number(process.argv[3] ?? 0);
const updates = Number(process.argv[4] ?? 0);

const gc = (globalThis as { gc?: () => void }).gc;
const config = loadConfig({ SIGNPOST_ZONES: BENCH_ZONE, SIGNPOST_DNS_NS: 'ns1.{zone}=127.0.0.1', SIGNPOST_DNS_SERIAL: '1', SIGNPOST_LOG_LEVEL: 'silent' });
const dns = new BuiltinDns(config.dns);
const sets: RRSet[] = [];
for (let i = 0; i < records; i++) sets.push({ name: hostName(i), type: 'A', ttl: 60, values: [hostIp(i)] });
const t0 = performance.now();
dns.publisher.load(BENCH_ZONE, sets);
const loadMs = performance.now() - t0;
sets.length = 0;

// Update → visible: apply resolves after the new snapshot is swapped in, so its duration is the latency.
const publishMs: number[] = [];
for (let u = 0; u < updates; u++) {
  const i = u % records;
  const from: RRSet = { name: hostName(i), type: 'A', ttl: 60, values: [hostIp(i)] };
  const to: RRSet = { ...from, values: ['192.0.2.1'] };
  const t = performance.now();
  await dns.publisher.apply(BENCH_ZONE, { create: [], update: [{ from, to }], delete: [] });
  publishMs.push(performance.now() - t);
  await dns.publisher.apply(BENCH_ZONE, { create: [], update: [{ from: to, to: from }], delete: [] });
  // Updates arrive from the network: let background work (overlay folding) run between them.
  await new Promise((resolve) => setImmediate(resolve));
}
publishMs.sort((a, b) => a - b);
const pct = (p: number) => publishMs[Math.min(publishMs.length - 1, Math.floor((p / 100) * publishMs.length))] ?? 0;

gc?.();
const server = await dns.listen('127.0.0.1', port);
process.stdout.write(
  `${JSON.stringify({ port: server.port, records, loadMs: Math.round(loadMs), rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20), publishP50Ms: pct(50), publishP99Ms: pct(99), publishMaxMs: publishMs.at(-1) ?? 0 })}\n`,
);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
