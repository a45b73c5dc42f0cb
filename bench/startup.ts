/**
 * `npm run bench:startup`: how long the `signpost` command takes to answer,
 * and how long the server takes from its start to the first `/healthz`.
 *
 * Each case runs in a fresh process, BENCH_RUNS times (default 10) after one
 * unmeasured warm-up (which also builds any cache the command keeps):
 * - `--help`: the CLI with no configuration or store;
 * - `user list` (after `serve` created the database): configuration, the
 *   SQLite store and one query;
 * - `serve`: spawned the way a supervisor does (no npm, no shell), polled
 *   every 5 ms until `GET /healthz` answers 200, then sent SIGTERM; the time
 *   to exit is reported too.
 * A floor row runs `node -e 0` on the same Node.js. Reported: median, min and
 * max wall time in milliseconds, the median CPU time (user + system: GNU
 * `time` for the commands, /proc for the server until it answered), and the
 * load average before the runs.
 *
 * `BENCH_COMMAND` replaces `./bin/signpost.js` (e.g. `node --import tsx
 * src/entrypoints/node/cli.ts`, what the tests' child server runs).
 * Not a test: it prints a table (and Markdown rows for BENCHMARKS.md).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/child-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const [command = '', ...prefix] = (process.env.BENCH_COMMAND ?? './bin/signpost.js').split(/\s+/).map((w) => (w === 'node' ? process.execPath : w));
const dataDir = mkdtempSync(join(tmpdir(), 'signpost-bench-startup-'));
const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIGNPOST_') && !k.startsWith('npm_')));
const env = { ...inherited, SIGNPOST_DATA_DIR: dataDir, SIGNPOST_ADMIN_KEY: 'bench-startup-admin-key-0123456789', SIGNPOST_LOG_LEVEL: 'warn' };

const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted.at(-1)! };
};

/** CPU milliseconds (user + system) of the commands measured, by case: steadier than wall time on a busy machine. */
const cpu = new Map<string, number[]>();
const addCpu = (what: string, ms: number) => cpu.set(what, [...(cpu.get(what) ?? []), ms]);

/** Wall time of one run; its CPU time comes from GNU time (Debian `time`), written to a file. */
function timeCommand(what: string, file: string, args: string[]): number {
  const cpuFile = join(dataDir, 'cpu');
  const started = performance.now();
  const r = spawnSync('/usr/bin/time', ['-o', cpuFile, '-f', '%U %S', file, ...args], { cwd: ROOT, env, encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  const [user = 0, sys = 0] = readFileSync(cpuFile, 'utf8').trim().split(/\s+/).map(Number);
  addCpu(what, (user + sys) * 1000);
  return elapsed;
}

/** CPU time a running process used so far (Linux /proc: utime + stime, in clock ticks of 10 ms). */
function cpuSoFar(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function timeServer(): Promise<{ ready: number; exit: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command, [...prefix, 'serve'], {
    cwd: ROOT,
    env: { ...env, SIGNPOST_HOST: '127.0.0.1', SIGNPOST_HTTP_PORT: String(port), SIGNPOST_DNS_PORT: '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited early (${child.exitCode})`);
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) break;
    if (performance.now() - started > 30_000) throw new Error('serve did not answer /healthz within 30 s');
    await new Promise((r) => setTimeout(r, 5));
  }
  const ready = performance.now() - started;
  addCpu('signpost serve → first /healthz', cpuSoFar(child.pid!));
  const stopping = performance.now();
  child.kill('SIGTERM');
  const code = await exited;
  if (code !== 0) throw new Error(`serve exited ${code} after SIGTERM`);
  return { ready, exit: performance.now() - stopping };
}

const rows: { what: string; ms: number[] }[] = [];
const measure = async (what: string, run: () => number | Promise<number>) => {
  await run(); // warm-up: builds caches, migrates the store
  cpu.delete(what);
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) ms.push(await run());
  rows.push({ what, ms });
};

const load = loadavg()[0]!.toFixed(1);
try {
  await measure('node -e 0 (floor)', () => timeCommand('node -e 0 (floor)', process.execPath, ['-e', '0']));
  await measure('signpost --help', () => timeCommand('signpost --help', command, [...prefix, '--help']));
  const exits: number[] = [];
  await measure('signpost serve → first /healthz', async () => {
    const { ready, exit } = await timeServer();
    exits.push(exit);
    return ready;
  });
  rows.push({ what: 'signpost serve: SIGTERM → exit 0', ms: exits.slice(1) });
  // After serve, which creates the database (the CLI's other commands never do).
  await measure('signpost user list', () => timeCommand('signpost user list', command, [...prefix, 'user', 'list']));
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

console.log(`command: ${[command, ...prefix].join(' ')}; ${RUNS} runs each; load average before: ${load}`);
console.log('| what | wall median ms | wall min ms | wall max ms | CPU median ms |\n|---|---:|---:|---:|---:|');
for (const { what, ms } of rows) {
  const s = stats(ms);
  const c = cpu.get(what);
  console.log(`| ${what} | ${s.median.toFixed(0)} | ${s.min.toFixed(0)} | ${s.max.toFixed(0)} | ${c ? stats(c).median.toFixed(0) : ''} |`);
}
