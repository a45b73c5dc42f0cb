/**
 * DNS benchmark: dnsperf against Signpost's built-in server and, in the same
 * run, BIND 9, Knot and NSD serving the same 10,000-record zone on
 * 127.0.0.1. Each server is pinned to one core and dnsperf to another
 * (taskset). Also measures update → visible latency through the real HTTP
 * API and RSS at 10k and 1M records. Prints a Markdown table.
 *
 *   npm run bench:dns            (BENCH_SECONDS=10 BENCH_BIG=1000000 to change)
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { loadConfig } from '../../src/config/env.js';
import { startServer } from '../../src/entrypoints/node/server.js';

const ZONE = 'bench.test';
const RECORDS = 10_000;
const BIG = Number(process.env.BENCH_BIG ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SERVER_CPU = '0';
const CLIENT_CPU = cpus().length > 1 ? '1' : '0';
const hostName = (i: number) => `h${i}.${ZONE}`;
const hostIp = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

function which(bin: string): string | undefined {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin']) {
    try {
      execFileSync('test', ['-x', join(dir, bin)]);
      return join(dir, bin);
    } catch {
      /* next */
    }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** Sends one query until the server answers (it is up) or the deadline passes. */
async function waitUp(port: number, timeoutMs = 120_000): Promise<void> {
  const q = Buffer.from('0001000000010000000000000a62656e6368027465737400' + '00060001', 'hex'); // bench.test SOA
  q.write('bench', 13, 'latin1');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      const t = setTimeout(() => (s.close(), resolve(false)), 200);
      s.on('message', () => (clearTimeout(t), s.close(), resolve(true)));
      s.send(q, port, '127.0.0.1');
    });
    if (ok) return;
  }
  throw new Error(`server on ${port} did not come up`);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

function dnsperf(port: number, queries: string): { qps: number; lost: string; avgLatencyMs: number } {
  const out = execFileSync('taskset', ['-c', CLIENT_CPU, 'dnsperf', '-s', '127.0.0.1', '-p', String(port), '-d', queries, '-l', String(SECONDS), '-c', '4', '-q', '500', '-T', '1'], { encoding: 'utf8' });
  const qps = Number(/Queries per second:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const lost = /Queries lost:\s+(\d+ \([\d.]+%\))/.exec(out)?.[1] ?? '?';
  const avgLatencyMs = Number(/Average Latency \(s\):\s+([\d.]+)/.exec(out)?.[1] ?? 0) * 1000;
  return { qps, lost, avgLatencyMs };
}

interface Peer {
  name: string;
  start(dir: string, port: number): ChildProcess;
}

function zoneFile(): string {
  const lines = [`$ORIGIN ${ZONE}.`, '$TTL 3600', `@ 3600 IN SOA ns1.${ZONE}. hostmaster.${ZONE}. 1 3600 600 1209600 60`, `@ 3600 IN NS ns1.${ZONE}.`, 'ns1 3600 IN A 127.0.0.1'];
  for (let i = 0; i < RECORDS; i++) lines.push(`h${i} 60 IN A ${hostIp(i)}`);
  return `${lines.join('\n')}\n`;
}

const pinned = (bin: string, args: string[]) => spawn('taskset', ['-c', SERVER_CPU, bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });

const PEERS: Peer[] = [];
const named = which('named');
if (named)
  PEERS.push({
    name: 'BIND 9',
    start(dir, port) {
      execFileSync('sh', ['-c', `cat > ${join(dir, 'named.conf')}`], {
        input: `options { directory "${dir}"; pid-file "${dir}/named.pid"; listen-on port ${port} { 127.0.0.1; }; listen-on-v6 { none; }; recursion no; notify no; minimal-responses yes; dnssec-validation no; session-keyfile "${dir}/s.key"; };
controls { };
zone "${ZONE}" { type primary; file "${dir}/zone.db"; };
`,
      });
      return pinned(named, ['-g', '-c', join(dir, 'named.conf'), '-n', '1', '-U', '1', '-4']);
    },
  });
const knotd = which('knotd');
if (knotd)
  PEERS.push({
    name: 'Knot DNS',
    start(dir, port) {
      execFileSync('sh', ['-c', `cat > ${join(dir, 'knot.conf')}`], {
        input: `server:\n  rundir: "${dir}"\n  listen: 127.0.0.1@${port}\n  udp-workers: 1\n  tcp-workers: 1\n  background-workers: 1\ndatabase:\n  storage: "${dir}"\nlog:\n  - target: stderr\n    any: error\nzone:\n  - domain: ${ZONE}\n    file: "${dir}/zone.db"\n    journal-content: none\n    zonefile-load: whole\n`,
      });
      return pinned(knotd, ['-c', join(dir, 'knot.conf'), '-s', join(dir, 'knot.sock')]);
    },
  });
const nsd = which('nsd');
if (nsd)
  PEERS.push({
    name: 'NSD',
    start(dir, port) {
      execFileSync('sh', ['-c', `cat > ${join(dir, 'nsd.conf')}`], {
        input: `server:\n  ip-address: 127.0.0.1@${port}\n  server-count: 1\n  username: ""\n  chroot: ""\n  zonesdir: "${dir}"\n  database: ""\n  pidfile: "${dir}/nsd.pid"\n  xfrdfile: "${dir}/xfrd.state"\n  zonelistfile: "${dir}/zone.list"\n  xfrdir: "${dir}"\n  logfile: "${dir}/nsd.log"\n  rrl-ratelimit: 0\nremote-control:\n  control-enable: no\nzone:\n  name: ${ZONE}\n  zonefile: "${dir}/zone.db"\n`,
      });
      return pinned(nsd, ['-d', '-c', join(dir, 'nsd.conf')]);
    },
  });

/** Starts bench/dns/serve.ts pinned to the server core; resolves with its JSON report. */
async function startSignpost(records: number, port: number, updates: number): Promise<{ child: ChildProcess; report: Record<string, number> }> {
  const child = spawn('taskset', ['-c', SERVER_CPU, process.execPath, '--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', join(import.meta.dirname, 'serve.ts'), String(records), String(port), String(updates)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`serve.ts exited with ${code}`)));
  });
  return { child, report: JSON.parse(line) as Record<string, number> };
}

/** dyndns2 update over HTTP, then one UDP query: how long until the answer changes. */
async function updateToVisible(samples: number): Promise<{ p50: number; p99: number; firstQueryFresh: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'signpost-bench-dns-'));
  const config = loadConfig({ SIGNPOST_DATA_DIR: dir, SIGNPOST_HOST: '127.0.0.1', SIGNPOST_HTTP_PORT: '0', SIGNPOST_DNS_PORT: '0', SIGNPOST_ZONES: ZONE, SIGNPOST_LOG_LEVEL: 'silent', SIGNPOST_ABUSE_MAX_UPDATES: '0' });
  const server = await startServer(config);
  const host = `u.${ZONE}`;
  await server.core.accounts.createUser({ username: 'bench', password: 'bench-password-1', domains: [host] });
  const auth = `Basic ${Buffer.from('bench:bench-password-1').toString('base64')}`;
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const q = Buffer.from('0000010000010000000000000175' + '0562656e6368' + '0474657374' + '0000010001', 'hex');
  const ask = () =>
    new Promise<Buffer>((resolve) => {
      sock.once('message', resolve);
      sock.send(q, server.dnsPort!, '127.0.0.1');
    });
  const times: number[] = [];
  let fresh = 0;
  for (let i = 0; i < samples; i++) {
    const ip = `192.0.2.${(i % 250) + 1}`;
    const t0 = performance.now();
    const res = await fetch(`${server.url}/nic/update?hostname=${host}&myip=${ip}`, { headers: { authorization: auth, 'user-agent': 'signpost-bench/1' } });
    const body = await res.text();
    if (!body.startsWith('good')) throw new Error(body);
    let answer = await ask();
    if (answer.subarray(-4).join('.') === ip) fresh++;
    while (answer.subarray(-4).join('.') !== ip) answer = await ask();
    times.push(performance.now() - t0);
  }
  sock.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(samples / 2)]!, p99: times[Math.floor(samples * 0.99)]!, firstQueryFresh: `${fresh}/${samples}` };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'signpost-bench-'));
  try {
    await writeFile(join(dir, 'zone.db'), zoneFile());
    // 90 % existing names in random order, 10 % NXDOMAIN.
    const lines: string[] = [];
    for (let i = 0; i < RECORDS; i++) lines.push(Math.random() < 0.9 ? `${hostName(Math.floor(Math.random() * RECORDS))} A` : `missing${i}.${ZONE} A`);
    const queries = join(dir, 'queries.txt');
    await writeFile(queries, `${lines.join('\n')}\n`);

    const rows: { name: string; qps: number; lost: string; latency: number }[] = [];
    {
      const port = await freePort();
      const { child } = await startSignpost(RECORDS, port, 0);
      await waitUp(port);
      const r = dnsperf(port, queries);
      rows.push({ name: `Signpost (Node ${process.versions.node.split('.')[0]}, 1 thread)`, qps: r.qps, lost: r.lost, latency: r.avgLatencyMs });
      await stop(child);
    }
    for (const peer of PEERS) {
      const port = await freePort();
      const child = peer.start(dir, port);
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      try {
        await waitUp(port, 30_000);
      } catch (error) {
        await stop(child);
        process.stderr.write(`${peer.name} failed to start:\n${stderr}\n`);
        continue;
      }
      const r = dnsperf(port, queries);
      rows.push({ name: peer.name, qps: r.qps, lost: r.lost, latency: r.avgLatencyMs });
      await stop(child);
    }

    const signpostQps = rows[0]!.qps;
    const out: string[] = [];
    out.push(`dnsperf ${SECONDS} s, UDP, 4 clients, 500 outstanding; ${RECORDS.toLocaleString('en')}-record zone; 90 % hits / 10 % NXDOMAIN; server on CPU ${SERVER_CPU}, dnsperf on CPU ${CLIENT_CPU}.`, '');
    out.push('| server | queries/s | Signpost / server | avg latency | lost |', '|---|---:|---:|---:|---:|');
    for (const r of rows) out.push(`| ${r.name} | ${Math.round(r.qps).toLocaleString('en')} | ${(signpostQps / r.qps).toFixed(2)} | ${r.latency.toFixed(2)} ms | ${r.lost} |`);

    const visible = await updateToVisible(200);
    out.push('', '| update → visible (HTTP dyndns2 update, then UDP query) | value |', '|---|---:|');
    out.push(`| p50 from request start to new answer | ${visible.p50.toFixed(2)} ms |`);
    out.push(`| p99 | ${visible.p99.toFixed(2)} ms |`);
    out.push(`| first query after \`good\` already answered the new address | ${visible.firstQueryFresh} |`);

    out.push('', '| zone size | load | RSS | publish p50 | publish p99 | publish max |', '|---:|---:|---:|---:|---:|---:|');
    for (const n of [RECORDS, BIG]) {
      const { child, report } = await startSignpost(n, 0, 5000);
      await stop(child);
      out.push(`| ${n.toLocaleString('en')} | ${report.loadMs} ms | ${report.rssMiB} MiB | ${report.publishP50Ms!.toFixed(3)} ms | ${report.publishP99Ms!.toFixed(3)} ms | ${report.publishMaxMs!.toFixed(1)} ms |`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
