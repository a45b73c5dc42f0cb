/**
 * `npm run bench`: the dyndns2 update API under load, measured with wrk
 * (Debian) against Signpost running as a separate process.
 *
 *   (a) nochg — the same address again, credentials already verified (cached)
 *   (b) good  — a new address on every request (Lua rotates myip over 64 hosts)
 *
 * Knobs (environment): BENCH_DURATION (seconds, default 10), BENCH_CONNECTIONS
 * (default 16), BENCH_THREADS (default 1), BENCH_LOG_LEVEL (server log level,
 * default warn). Not a test: it prints a table and exits.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnServer, type ChildServer } from '../test/support/child-server.js';
import { findBinary } from '../test/support/peers.js';

const run = promisify(execFile);
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const USER = { username: 'alice', password: 'bench password 1' };
const ZONE_SUFFIX = 'alice.dyn.example.test';
const HOSTS = 64;
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const THREADS = Number(process.env.BENCH_THREADS ?? 1);
const AUTH = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}`;
const UA = 'signpost-bench/1.0 wrk';

/** Shared Lua: count answers with the expected first word, report percentiles as one JSON line. */
const LUA_COMMON = `
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function init(args)
  expected_count = 0
  other_count = 0
  n = 0
end
function response(status, headers, body)
  if status == 200 and string.sub(body, 1, string.len(EXPECTED)) == EXPECTED then
    expected_count = expected_count + 1
  else
    other_count = other_count + 1
  end
end
function done(summary, latency, requests)
  local e, o = 0, 0
  for _, t in ipairs(threads) do
    e = e + t:get("expected_count")
    o = o + t:get("other_count")
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format('BENCH_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"expected":%d,"other":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, e, o, errors))
end
`;

const headersLua = `wrk.headers["Authorization"] = "${AUTH}"\nwrk.headers["User-Agent"] = "${UA}"\n`;

const NOCHG_LUA = `EXPECTED = "nochg "
${headersLua}
wrk.path = "/nic/update?hostname=h0.${ZONE_SUFFIX}&myip=192.0.2.1"
${LUA_COMMON}`;

const GOOD_LUA = `EXPECTED = "good "
${headersLua}
${LUA_COMMON}
function request()
  n = n + 1
  local host = n % ${HOSTS}
  -- thread id in the first octet, a 24-bit counter below it: never the current address of the host
  local ip = string.format("%d.%d.%d.%d", 10 + id, math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  return wrk.format("GET", "/nic/update?system=dyndns&hostname=h" .. host .. ".${ZONE_SUFFIX}&myip=" .. ip)
end
`;

interface Result {
  requests: number;
  duration_us: number;
  p50_us: number;
  p90_us: number;
  p99_us: number;
  max_us: number;
  expected: number;
  other: number;
  errors: number;
}

async function wrk(wrkPath: string, url: string, script: string, seconds: number): Promise<Result> {
  const args = [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '-s', script, url];
  const { stdout } = await run(wrkPath, args, { maxBuffer: 1 << 20 });
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
  return JSON.parse(line.slice('BENCH_JSON '.length)) as Result;
}

async function update(server: ChildServer, query: string): Promise<string> {
  const res = await fetch(`${server.url}/nic/update?${query}`, { headers: { authorization: AUTH, 'user-agent': UA } });
  return res.text();
}

async function main(): Promise<void> {
  const wrkPath = findBinary('wrk');
  if (!wrkPath) throw new Error('wrk is not installed (Debian package "wrk"; .ci/run installs it)');
  const dir = await mkdtemp(join(tmpdir(), 'signpost-bench-'));
  let server: ChildServer | undefined;
  try {
    server = await spawnServer({
      SIGNPOST_DATA_DIR: join(dir, 'data'),
      SIGNPOST_ADMIN_KEY: ADMIN_KEY,
      SIGNPOST_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      SIGNPOST_ABUSE_MAX_UPDATES: '0', // no limit: this is a load test
      SIGNPOST_ABUSE_MAX_NOCHG: '0',
    });
    const created = await fetch(`${server.url}/user`, {
      method: 'POST',
      headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ ...USER, domains: [`*.${ZONE_SUFFIX}`] }),
    });
    if (created.status !== 201) throw new Error(`could not create the bench user: ${created.status} ${await created.text()}`);
    // Creates h0 and verifies the credentials once, so (a) measures the cached path.
    const primed = await update(server, `hostname=h0.${ZONE_SUFFIX}&myip=192.0.2.1`);
    if (!primed.startsWith('good')) throw new Error(`priming update failed: ${primed}`);

    const nochgLua = join(dir, 'nochg.lua');
    const goodLua = join(dir, 'good.lua');
    await writeFile(nochgLua, NOCHG_LUA);
    await writeFile(goodLua, GOOD_LUA);

    const scenarios = [
      { name: '(a) nochg, cached credentials', script: nochgLua },
      { name: '(b) good, new address every request', script: goodLua },
    ];
    const rows: { name: string; result: Result }[] = [];
    for (const scenario of scenarios) {
      await wrk(wrkPath, server.url, scenario.script, 2); // warm-up (JIT, caches, SQLite pages)
      rows.push({ name: scenario.name, result: await wrk(wrkPath, server.url, scenario.script, DURATION) });
    }

    const ms = (us: number) => (us / 1000).toFixed(2);
    const table = [
      '| scenario | requests/s | p50 ms | p90 ms | p99 ms | max ms | requests | unexpected answers | socket errors |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows.map(({ name, result: r }) =>
        `| ${name} | ${Math.round(r.requests / (r.duration_us / 1e6))} | ${ms(r.p50_us)} | ${ms(r.p90_us)} | ${ms(r.p99_us)} | ${ms(r.max_us)} | ${r.requests} | ${r.other} | ${r.errors} |`,
      ),
    ];
    const { stdout: wrkVersion } = await run(wrkPath, ['--version']).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
    process.stdout.write(
      `\nSignpost HTTP update API — wrk ${THREADS} thread(s), ${CONNECTIONS} connections, ${DURATION} s per scenario (after a 2 s warm-up)\n` +
        `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${wrkVersion.split('\n')[0]?.trim() ?? 'wrk'}\n\n` +
        `${table.join('\n')}\n\n` +
        `load: wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s --latency -s {nochg,good}.lua ${server.url} (scripts generated by bench/http-update.ts)\n` +
        `store: SQLite under ${tmpdir()} (set TMPDIR to move it)\n`,
    );
    const bad = rows.filter((r) => r.result.other > 0 || r.result.errors > 0);
    if (bad.length > 0) {
      process.stderr.write(`warning: unexpected answers or errors in ${bad.map((r) => r.name).join(', ')}\n`);
      process.exitCode = 1;
    }
  } finally {
    await server?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
