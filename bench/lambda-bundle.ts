/**
 * `npm run bench:lambda`: size and cold start of each Lambda bundle.
 *
 * Each function is bundled exactly as the CDK stack does it (`buildLambda`
 * in infra/lib/bundling.ts: esbuild with its plugins, ESM, minified, code
 * splitting, Argon2 copied as a native module), into a directory under the
 * OS temp dir, where no project
 * node_modules can be resolved. Then, BENCH_RUNS times (default 9), a fresh
 * `node` process imports the bundle and serves one first request: an API
 * Gateway REST (v1) `GET /nic/checkip` event, which touches no AWS service
 * (the SDK endpoints point at a closed port on 127.0.0.1 so an accidental
 * call fails instead of leaving the machine). Reported: bundle bytes, the
 * in-process time from start of import to the first response (median, min,
 * max), and the whole process wall time including Node's own start.
 *
 * A second scenario, "first update", sends a dyndns2 `GET /nic/update` with
 * the credentials of an unknown user as the first request: one DynamoDB read
 * (dynalite on 127.0.0.1, started here) and one Argon2 verification (against
 * the hasher's unknown-user hash, so unknown users cost what known ones do)
 * before the `badauth` answer. The instance-registration function (ec2-event)
 * gets an EventBridge event that is not an EC2 one: parsed and ignored, no
 * AWS call.
 * A floor row runs the same harness on an empty handler module: the machine's
 * own cost of starting node and importing a module, for comparison.
 *
 * CPU time (user + system, `process.cpuUsage()` at the first answer, Node's
 * own start included) is reported next to the wall times: on a machine
 * shared with other work it moves far less than wall time does.
 *
 * BENCH_BASELINE=<dir>: the http bundle directory kept by an earlier run
 * (BENCH_KEEP=1, e.g. of an older commit) runs the http scenarios too, its
 * fresh processes alternating with this build's, so before and after see the
 * same machine load.
 *
 * The bundle is what the stack deploys: `index.mjs` plus the chunks that
 * code splitting puts behind dynamic imports (loaded on first use); the size
 * reported is all of them together.
 *
 * Not a test: it prints a table (and Markdown rows for BENCHMARKS.md).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildLambda, LAMBDA_ENTRIES } from '../infra/lib/bundling.js';
import { toEvent } from '../test/lambda/events.js';
import { startDynalite } from '../test/support/dynalite.js';

const run = promisify(execFile);

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const KEEP = process.env.BENCH_KEEP === '1';
const BASELINE = process.env.BENCH_BASELINE;
interface Scenario {
  readonly name: string;
  readonly event: () => unknown;
  /** The answer's body (or, for non-HTTP handlers, the JSON of the result): exact string or pattern. */
  readonly expect: string | RegExp;
}

/** First requests, per function. */
const SCENARIOS: Record<string, readonly Scenario[]> = {
  http: [
    {
      name: 'checkip (no AWS call)',
      event: () => toEvent('v1', { path: '/nic/checkip', headers: { 'User-Agent': 'signpost-bench/1.0' }, sourceIp: '198.51.100.7' }),
      expect: '198.51.100.7',
    },
    {
      name: 'first update (DynamoDB read + Argon2, badauth)',
      event: () =>
        toEvent('v1', {
          path: '/nic/update',
          query: 'hostname=home.dyn.example.com&myip=192.0.2.1',
          headers: { 'User-Agent': 'signpost-bench/1.0', Authorization: `Basic ${Buffer.from('nobody:some password').toString('base64')}` },
          sourceIp: '198.51.100.7',
        }),
      expect: 'badauth',
    },
  ],
  'ec2-event': [
    {
      name: 'event that is not ours (no AWS call)',
      event: () => ({ version: '0', id: 'bench', source: 'aws.s3', 'detail-type': 'Object Created', detail: {} }),
      expect: /"ignored"/,
    },
  ],
};

/** The function's environment, as the stack sets it (no AWS reachable). */
const LAMBDA_ENV = {
  NODE_ENV: 'production',
  SIGNPOST_TABLE_NAME: 'signpost-bench',
  SIGNPOST_ZONES: 'dyn.example.com',
  SIGNPOST_HOSTED_ZONE_IDS: 'Z0123456789ABCDEFGHIJ',
  SIGNPOST_ZONE_VISIBILITY: 'public',
  SIGNPOST_ROUTE53_WAIT_SECONDS: '0',
  SIGNPOST_TTL: '60',
  SIGNPOST_ADMIN_AUTH: 'api-gateway',
  SIGNPOST_LOG_LEVEL: 'warn',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9', // closed port: any unexpected AWS call fails fast, locally
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', // infra/lib/lambda-function.ts gives every function this
  // instance registration (ec2-event)
  SIGNPOST_ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:signpost-bench-alerts',
  SIGNPOST_INSTANCE_HOSTED_ZONE_IDS: 'Z0123456789ABCDEFGHIJ',
};

const FLOOR_MODULE = `export const handler = async () => ({ statusCode: 200, body: 'ok' });\n`;

/** Runs in the fresh process: import, first invocation, report timings as one JSON line. */
const DRIVER = `
const t0 = performance.now();
const mod = await import('./index.mjs');
const t1 = performance.now();
const event = JSON.parse(process.env.BENCH_EVENT);
const context = { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 20000 };
const result = await mod.handler(event, context);
const t2 = performance.now();
const cpu = process.cpuUsage();
process.stdout.write('BENCH_RESULT ' + JSON.stringify({ importMs: t1 - t0, firstRequestMs: t2 - t1, totalMs: t2 - t0, sinceProcessStartMs: t2, cpuMs: (cpu.user + cpu.system) / 1000, status: result.statusCode, body: String(result.body ?? JSON.stringify(result)).slice(0, 80) }) + '\\n');
`;

interface Run {
  importMs: number;
  firstRequestMs: number;
  totalMs: number;
  sinceProcessStartMs: number;
  /** user + system CPU of the process up to the first answer */
  cpuMs: number;
  wallMs: number;
  status: number;
  body: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (x: number) => x.toFixed(1);
const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;

function dirBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'signpost-lambda-bench-'));
  const rows: string[] = [];
  const dynamo = await startDynalite();
  const table = await dynamo.freshTable();
  try {
    for (const fn of LAMBDA_ENTRIES) {
      const label = fn.name;
      const outDir = join(root, fn.name);
      const started = performance.now();
      const built = await buildLambda(fn, outDir);
      const buildMs = performance.now() - started;
      const bundleBytes = built.totalBytes;
      const nativeBytes = dirBytes(join(outDir, 'node_modules'));

      // what a cold start loads: index.mjs and the chunks it imports statically
      const outputs = built.metafile.outputs;
      const entryKey = Object.keys(outputs).find((k) => outputs[k]!.entryPoint === fn.entry)!;
      const eager = new Set<string>();
      const visit = (key: string) => {
        if (eager.has(key)) return;
        eager.add(key);
        for (const i of outputs[key]!.imports) if (i.kind === 'import-statement' && outputs[i.path]) visit(i.path);
      };
      visit(entryKey);
      const eagerBytes = [...eager].reduce((n, k) => n + outputs[k]!.bytes, 0);

      // the biggest contributors, by package
      const byPackage = new Map<string, number>();
      for (const output of Object.values(outputs)) {
        for (const [file, info] of Object.entries(output.inputs)) {
          const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? (file.startsWith('src/') ? 'signpost (src/)' : file);
          byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + info.bytesInOutput);
        }
      }
      const top = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 8);

      writeFileSync(join(outDir, 'driver.mjs'), DRIVER);
      console.log(`\n${label}: ${fn.entry}`);
      console.log(`  bundle       ${kib(bundleBytes)} (${bundleBytes} bytes) in ${built.files.length} files, built in ${ms(buildMs)} ms${nativeBytes > 0 ? `; + native node_modules ${kib(nativeBytes)} (Argon2)` : ''}`);
      console.log(`  cold start   loads ${kib(eagerBytes)} (index.mjs + static chunks); ${kib(bundleBytes - eagerBytes)} in chunks loaded on first use`);
      console.log(`  largest      ${top.map(([p, b]) => `${p} ${kib(b)}`).join(', ')}`);
      console.log(`  goal         bundle < 1 MB (1024 KiB): ${bundleBytes < 1024 * 1024 ? 'yes' : 'NO'}`);
      for (const scenario of SCENARIOS[fn.name] ?? []) {
        const dirs = [outDir, ...(BASELINE && fn.name === 'http' ? [BASELINE] : [])];
        if (dirs.length > 1) writeFileSync(join(BASELINE!, 'driver.mjs'), DRIVER);
        const all = await coldRuns(dirs, scenario, { SIGNPOST_TABLE_NAME: table, AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint });
        for (const [i, runs] of all.entries()) {
          const name = i === 0 ? label : `${label} (baseline)`;
          const cold = runs.map((r) => r.totalMs);
          const size = i === 0 ? `${kib(bundleBytes)} (${kib(eagerBytes)} at load)` : `${kib(dirBytes(BASELINE!) - dirBytes(join(BASELINE!, 'node_modules')))}`;
          console.log(`  ${i === 0 ? '' : '[baseline] '}${scenario.name}: answered ${runs[0]!.status} ${JSON.stringify(runs[0]!.body)}`);
          console.log(`    cold init + first request: median ${ms(median(cold))} ms (min ${ms(Math.min(...cold))}, max ${ms(Math.max(...cold))}) over ${RUNS} fresh processes`);
          console.log(`    import ${ms(median(runs.map((r) => r.importMs)))} ms + first request ${ms(median(runs.map((r) => r.firstRequestMs)))} ms; process wall ${ms(median(runs.map((r) => r.wallMs)))} ms; CPU ${ms(median(runs.map((r) => r.cpuMs)))} ms (medians)`);
          console.log(`    goal cold init < 150 ms: ${median(cold) < 150 ? 'yes' : 'NO'}`);
          rows.push(
            `| ${name} | ${scenario.name} | ${size} | ${ms(median(cold))} (${ms(Math.min(...cold))}–${ms(Math.max(...cold))}) | ${ms(median(runs.map((r) => r.importMs)))} | ${ms(median(runs.map((r) => r.firstRequestMs)))} | ${ms(median(runs.map((r) => r.wallMs)))} | ${ms(median(runs.map((r) => r.cpuMs)))} |`,
          );
        }
      }
    }

    // the floor: same harness, an empty handler module
    const floorDir = join(root, 'floor');
    mkdirSync(floorDir);
    writeFileSync(join(floorDir, 'index.mjs'), FLOOR_MODULE);
    writeFileSync(join(floorDir, 'driver.mjs'), DRIVER);
    const [floor] = (await coldRuns([floorDir], { name: 'floor', event: () => ({}), expect: 'ok' }, {})) as [Run[]];
    rows.push(
      `| (floor) | empty handler module | 0 KiB | ${ms(median(floor.map((r) => r.totalMs)))} | ${ms(median(floor.map((r) => r.importMs)))} | ${ms(median(floor.map((r) => r.firstRequestMs)))} | ${ms(median(floor.map((r) => r.wallMs)))} | ${ms(median(floor.map((r) => r.cpuMs)))} |`,
    );

    console.log(`\nnode ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${RUNS} runs each`);
    console.log('| function | first request | bundle (all files) | cold init + first request, ms: median (min–max) | import ms | first request ms | process wall ms | process CPU ms |');
    console.log('|---|---|---:|---:|---:|---:|---:|---:|');
    for (const row of rows) console.log(row);
    if (KEEP) console.log(`\nbundles kept in ${root}`);
  } finally {
    await dynamo.close();
    if (!KEEP) rmSync(root, { recursive: true, force: true });
  }
}

/** RUNS fresh node processes per bundle directory, one after the other, the directories alternating (asynchronously: dynalite runs in this process). */
async function coldRuns(dirs: readonly string[], scenario: Scenario, env: Record<string, string>): Promise<Run[][]> {
  const event = JSON.stringify(scenario.event());
  const runs: Run[][] = dirs.map(() => []);
  for (let i = 0; i < RUNS; i++) for (const [d, dir] of dirs.entries()) {
    const t = performance.now();
    const { stdout } = await run(process.execPath, ['driver.mjs'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV, ...env, BENCH_EVENT: event },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const wallMs = performance.now() - t;
    // the handler's own log lines (pino, on stdout as on Lambda) may come after ours
    const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
    if (!line) throw new Error(`${scenario.name}: no result from the driver; stdout: ${stdout.slice(0, 500)}`);
    const result = { ...(JSON.parse(line.slice('BENCH_RESULT '.length)) as Omit<Run, 'wallMs'>), wallMs };
    const matches = typeof scenario.expect === 'string' ? result.body.trim() === scenario.expect : scenario.expect.test(result.body);
    if (!matches) throw new Error(`${scenario.name}: expected ${JSON.stringify(scenario.expect)}, answered ${result.status} ${JSON.stringify(result.body)}`);
    runs[d]!.push(result);
  }
  return runs;
}

await main();
