/**
 * Real primary DNS servers (BIND 9, Knot DNS, PowerDNS) for RFC 2136 interop
 * tests, all behind one API:
 *
 *   const primary = await startPrimary('knot', { zone: 'dyn.example.test', algorithm: 'hmac-sha512' });
 *   await primary.addForeign({ name: 'x.dyn.example.test', type: 'A', ttl: 60, values: ['192.0.2.1'] });
 *   expect((await primary.query('x.dyn.example.test', 'A')).values).toEqual(['192.0.2.1']);
 *   await primary.stop();
 *
 * Each server runs on 127.0.0.1 and a free port (UDP and TCP), in its own
 * temp dir, with one zone holding only SOA + NS and one TSIG key that may
 * UPDATE and AXFR it (nothing else may). Starting one takes up to a second or
 * two: start it once per test file (beforeAll) and stop it in afterAll.
 * Startup is "the SOA answers authoritatively", polled with dig. Every
 * server still running when the test process exits is killed.
 *
 * The per-server configuration lives in ./primaries/{bind,knot,pdns}.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RRSet } from '../../src/domain/records.js';
import { isCi, requirePeer, type Peer } from './peers.js';
import { freeDnsPort } from './ports.js';
import { bindRecipe } from './primaries/bind.js';
import { knotRecipe } from './primaries/knot.js';
import { pdnsRecipe, pdnsSchemaPath, PDNS_SQLITE_SCHEMAS } from './primaries/pdns.js';
import type { Recipe, TsigAlgorithm, TsigKey } from './primaries/recipe.js';

export type { TsigAlgorithm, TsigKey } from './primaries/recipe.js';

export type PrimaryKind = 'bind' | 'knot' | 'pdns';
export const PRIMARY_KINDS: readonly PrimaryKind[] = ['bind', 'knot', 'pdns'];
export const PRIMARY_NAMES: Readonly<Record<PrimaryKind, string>> = { bind: 'BIND 9', knot: 'Knot DNS', pdns: 'PowerDNS' };

const RECIPES: Readonly<Record<PrimaryKind, Recipe>> = { bind: bindRecipe, knot: knotRecipe, pdns: pdnsRecipe };

export interface PrimaryOptions {
  /** Default dyn.example.test. */
  readonly zone?: string;
  /** Default hmac-sha256. */
  readonly algorithm?: TsigAlgorithm;
}

/** A dig answer: the header status (or TIMEOUT when nothing came back) and the rdata of the asked type, sorted. */
export interface DnsAnswer {
  readonly status: string;
  readonly values: string[];
}

export interface CommandResult {
  readonly code: number;
  readonly output: string;
}

export interface Primary {
  readonly kind: PrimaryKind;
  readonly port: number;
  readonly zone: string;
  /** The key allowed to UPDATE and AXFR the zone. */
  readonly key: TsigKey;
  /** Stops the server, resets the zone to SOA + NS only (journals, databases and all) and starts it on the same port. */
  restartEmpty(): Promise<void>;
  /**
   * Removes every record but the apex SOA and NS through the zone's key (AXFR,
   * then one UPDATE): an empty zone without a restart, for suites that want a
   * fresh zone per test.
   */
  emptyZone(): Promise<void>;
  /** SIGSTOP: the server holds its sockets but answers nothing. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** Kills the server (even a paused one) and removes its temp dir. Safe to call twice. */
  stop(): Promise<void>;
  /** Writes a record set as someone other than Signpost would: `nsupdate -y` with the zone's key. Throws when refused. */
  addForeign(rrset: RRSet): Promise<void>;
  /** Runs nsupdate with `commands` between `server`/`zone` and `send`, signed with `key` (default: the zone's key). */
  nsupdate(commands: readonly string[], key?: TsigKey): Promise<CommandResult>;
  /** `dig +norec name type` against the server. */
  query(name: string, type: string, options?: { timeoutSeconds?: number }): Promise<DnsAnswer>;
  /** AXFR signed with `key` (default: the zone's key); `null` sends it unsigned. Records as `name ttl class type rdata`. */
  axfr(key?: TsigKey | null): Promise<{ ok: boolean; records: string[]; output: string }>;
  /** What the daemon wrote to stdout/stderr (the last 256 KiB, across restarts). */
  log(): string;
}

export interface PrimaryPeers {
  readonly available: boolean;
  readonly reason?: string;
}

/**
 * Looks up what `startPrimary(kind)` needs (the daemon, dig, nsupdate; for
 * PowerDNS the sqlite backend's schema). Missing under CI: throws, as
 * requirePeer does; elsewhere `available: false` with the reason.
 */
export function requirePrimary(kind: PrimaryKind, env: NodeJS.ProcessEnv = process.env): PrimaryPeers {
  const peers: Peer[] = [requirePeer(RECIPES[kind].daemon, env), requirePeer('dig', env), requirePeer('nsupdate', env)];
  const missing = peers.filter((p) => !p.available).map((p) => p.reason);
  if (kind === 'pdns' && !pdnsSchemaPath()) {
    const reason = `PowerDNS sqlite schema not found at ${PDNS_SQLITE_SCHEMAS.join(' or ')} (Debian package pdns-backend-sqlite3; .ci/run installs it)`;
    if (isCi(env)) throw new Error(`${reason}: required under CI=true`);
    process.stderr.write(`skipping tests that need PowerDNS: ${reason}\n`);
    missing.push(reason);
  }
  return missing.length === 0 ? { available: true } : { available: false, reason: missing.join('; ') };
}

/** A fresh random secret of the hash's block-ish size. */
export function randomTsigKey(name: string, algorithm: TsigAlgorithm): TsigKey {
  return { name, algorithm, secretBase64: randomBytes(algorithm === 'hmac-sha512' ? 64 : 32).toString('base64') };
}

const STARTUP_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const LOG_LIMIT = 256 * 1024;

/** Daemons alive in this process, killed on exit whatever happened to the test. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}

export async function startPrimary(kind: PrimaryKind, options: PrimaryOptions = {}): Promise<Primary> {
  const recipe = RECIPES[kind];
  const zone = (options.zone ?? 'dyn.example.test').toLowerCase().replace(/\.$/, '');
  const algorithm = options.algorithm ?? 'hmac-sha256';
  if (!recipe.algorithms.includes(algorithm)) throw new Error(`${PRIMARY_NAMES[kind]} does not support ${algorithm} here`);
  const daemonPath = requirePeer(recipe.daemon).path;
  const digPath = requirePeer('dig').path;
  const nsupdatePath = requirePeer('nsupdate').path;
  if (!daemonPath || !digPath || !nsupdatePath) throw new Error(`${PRIMARY_NAMES[kind]}: ${requirePrimary(kind).reason}`);

  const key = randomTsigKey('signpost-test-key', algorithm);
  const dir = await mkdtemp(join(tmpdir(), `signpost-${kind}-`));
  let port = 0;
  let child: ChildProcess | undefined;
  let output = '';
  let stopped = false;

  const query = async (name: string, type: string, opts: { timeoutSeconds?: number } = {}): Promise<DnsAnswer> => {
    const t = opts.timeoutSeconds ?? 2;
    const res = await runCommand(digPath, ['@127.0.0.1', '-p', String(port), `+time=${t}`, '+tries=1', '+norec', '+noall', '+comments', '+answer', name, type], '', (t + 5) * 1000);
    return parseDig(res, type);
  };

  const isUp = async (): Promise<boolean> => {
    const res = await runCommand(digPath, ['@127.0.0.1', '-p', String(port), '+time=1', '+tries=1', '+norec', zone, 'SOA'], '', 5000);
    return res.code === 0 && /status: NOERROR/.test(res.output) && /flags:[a-z ]* aa[ ;]/.test(res.output) && /\tSOA\t/.test(res.output);
  };

  /** Writes a fresh config + empty zone and runs the daemon until its SOA answers; false when it exited first (port taken). */
  const launch = async (): Promise<boolean> => {
    const args = await recipe.prepare({ dir, port, zone, key });
    output += `--- ${recipe.daemon} ${args.join(' ')} (port ${port})\n`;
    const proc = spawn(daemonPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/bin', LANG: 'C' } });
    track(proc);
    child = proc;
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-LOG_LIMIT);
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) return false;
      if (await isUp()) return true;
      if (Date.now() > deadline) {
        await kill(proc);
        throw new Error(`${PRIMARY_NAMES[kind]} did not answer for ${zone} SOA on 127.0.0.1:${port} within ${STARTUP_TIMEOUT_MS} ms:\n${output}`);
      }
      await sleep(50);
    }
  };

  const halt = async () => {
    if (child) await kill(child);
    child = undefined;
  };

  try {
    // A free port can be taken by someone else before the daemon binds it: try a few.
    let up = false;
    for (let attempt = 0; attempt < 3 && !up; attempt++) {
      port = await freeDnsPort();
      up = await launch();
    }
    if (!up) throw new Error(`${PRIMARY_NAMES[kind]} exited during startup:\n${output}`);
  } catch (error) {
    await halt();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const signedArgs = (k: TsigKey) => ['-y', `${k.algorithm}:${k.name}:${k.secretBase64}`];

  const nsupdate = (commands: readonly string[], k: TsigKey = key): Promise<CommandResult> =>
    runCommand(nsupdatePath, ['-t', '5', ...signedArgs(k)], [`server 127.0.0.1 ${port}`, `zone ${zone}.`, ...commands, 'send', ''].join('\n'), 15_000);

  const axfr = async (k?: TsigKey | null) => {
    const auth = k === null ? [] : signedArgs(k ?? key);
    const res = await runCommand(digPath, ['@127.0.0.1', '-p', String(port), '+time=3', '+tries=1', ...auth, 'AXFR', `${zone}.`], '', 15_000);
    const records = res.output
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith(';'))
      .map((l) => l.trim().split(/\s+/).join(' '))
      .filter((l) => l.split(' ')[3] !== 'TSIG');
    const soas = records.filter((l) => l.split(' ')[3] === 'SOA').length;
    return { ok: res.code === 0 && soas === 2 && !/Transfer failed/.test(res.output), records, output: res.output };
  };
  
  return {
    kind,
    get port() {
      return port;
    },
    zone,
    key,
    async restartEmpty() {
      await halt();
      // The same port: it was ours a moment ago, but the kernel may need a moment to hand it back.
      for (let attempt = 0; ; attempt++) {
        if (await launch()) return;
        if (attempt >= 5) throw new Error(`${PRIMARY_NAMES[kind]} did not restart on port ${port}:\n${output}`);
        await sleep(200 * (attempt + 1));
      }
    },
    async emptyZone() {
      const transfer = await axfr();
      if (!transfer.ok) throw new Error(`AXFR of ${zone} from ${PRIMARY_NAMES[kind]} failed:\n${transfer.output}`);
      const apex = `${zone}.`;
      const deletes = new Set<string>();
      for (const record of transfer.records) {
        const [owner = '', , , type = ''] = record.split(' ');
        if (owner.toLowerCase() !== apex) deletes.add(`update delete ${owner}`);
        else if (type !== 'SOA' && type !== 'NS') deletes.add(`update delete ${apex} ${type}`);
      }
      if (deletes.size === 0) return;
      const res = await nsupdate([...deletes]);
      if (res.code !== 0) throw new Error(`emptying ${zone} on ${PRIMARY_NAMES[kind]} failed:\n${res.output}`);
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
    async addForeign(rrset) {
      const owner = `${rrset.name.replace(/\.$/, '')}.`;
      const res = await nsupdate(rrset.values.map((v) => `update add ${owner} ${rrset.ttl} IN ${rrset.type} ${v}`));
      if (res.code !== 0) throw new Error(`nsupdate refused ${owner} ${rrset.type} on ${PRIMARY_NAMES[kind]}:\n${res.output}`);
    },
    nsupdate,
    query,
    axfr,
    log: () => output,
  };
}

/** SIGCONT (a paused daemon cannot exit), SIGTERM, then SIGKILL after a grace period; resolves once it exited. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

function parseDig(res: CommandResult, type: string): DnsAnswer {
  if (/connection timed out|no servers could be reached/.test(res.output)) return { status: 'TIMEOUT', values: [] };
  const status = /status: ([A-Z]+)/.exec(res.output)?.[1];
  if (res.code !== 0 || !status) throw new Error(`dig failed (${res.code}):\n${res.output}`);
  const values = res.output
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith(';'))
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[3] === type.toUpperCase())
    .map((f) => f.slice(4).join(' '))
    .sort();
  return { status, values };
}

/** Runs a program (never through a shell) with `input` on stdin; a non-zero exit is returned, not thrown. */
function runCommand(file: string, args: readonly string[], input: string, timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' } });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    proc.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), output: out });
    });
    proc.stdin.end(input);
  });
}

export { freeDnsPort };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
