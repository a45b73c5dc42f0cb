/**
 * Shared plumbing for the DNS tests: zone text → record sets, a built-in
 * server on an ephemeral port, `dig`/`kdig` runners and a throwaway BIND 9.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuiltinDns } from '../../src/adapters/dns/builtin/index.js';
import type { RecordType, RRSet } from '../../src/domain/records.js';
import { loadConfig } from '../../src/config/env.js';
import { run, type RunResult } from '../interop/harness.js';
import { freeDnsPort } from '../support/ports.js';

export const ZONE = 'dyn.example.test';

/**
 * Minimal zone text: `name [ttl] TYPE value…`, one record per line, `@` for
 * the apex, relative names completed with the zone, `;` comments.
 */
export function parseZoneText(zone: string, text: string): RRSet[] {
  const sets = new Map<string, { name: string; type: RecordType; ttl: number; values: string[] }>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/;.*$/, '').trim();
    if (!line) continue;
    const m = /^(\S+)\s+(?:(\d+)\s+)?(?:IN\s+)?([A-Z]+)\s+(.+)$/.exec(line);
    if (!m) throw new Error(`bad zone line: ${line}`);
    const owner = m[1] === '@' ? zone : m[1]!.endsWith('.') ? m[1]!.slice(0, -1).toLowerCase() : `${m[1]!.toLowerCase()}.${zone}`;
    const type = m[3] as RecordType;
    const key = `${owner}|${type}`;
    const set = sets.get(key) ?? { name: owner, type, ttl: Number(m[2] ?? 60), values: [] };
    set.values.push(m[4]!.trim());
    sets.set(key, set);
  }
  return [...sets.values()];
}

export const dnsEnv = (extra: Record<string, string> = {}) =>
  loadConfig({ SIGNPOST_ZONES: ZONE, SIGNPOST_DNS_NS: 'ns1.{zone}=127.0.0.1,ns2.example.net', SIGNPOST_DNS_SERIAL: '2024010100', SIGNPOST_LOG_LEVEL: 'silent', ...extra });

export interface TestDns {
  readonly dns: BuiltinDns;
  readonly port: number;
  close(): Promise<void>;
}

/** The built-in server alone (no HTTP, no store) on 127.0.0.1 and a free port, loaded with `records`. */
export async function startTestDns(records: readonly RRSet[], env: Record<string, string> = {}): Promise<TestDns> {
  const config = dnsEnv(env);
  const dns = new BuiltinDns(config.dns);
  dns.publisher.load(ZONE, records);
  const server = await dns.listen('127.0.0.1', 0);
  return { dns, port: server.port, close: () => server.close() };
}

/** dig against 127.0.0.1:port; `+noall +answer`-style flags are up to the caller. */
export function dig(path: string, port: number, args: readonly string[]): Promise<RunResult> {
  return run(path, ['@127.0.0.1', '-p', String(port), '+time=3', '+tries=2', ...args], { timeoutMs: 20_000 });
}

/** The header status (NOERROR, NXDOMAIN, …) of dig/kdig output. */
export const statusOf = (out: string) => /status: ([A-Z]+)/.exec(out)?.[1];
/** Flags of dig output (`qr aa rd`). */
export const flagsOf = (out: string) => (/;; flags: ([a-z ]+);/.exec(out)?.[1] ?? '').trim().split(/\s+/);

/**
 * A port free for both TCP and UDP a moment ago, for peers that need one up
 * front (BIND cannot pick port 0): a port free for TCP only may be another
 * test's DNS server's UDP port.
 */
export const freePort = freeDnsPort;

export interface Named {
  readonly port: number;
  readonly dir: string;
  readonly process: ChildProcess;
  readonly log: () => string;
  stop(): Promise<void>;
}

/**
 * Runs `named -g` (foreground) with `zonesConfig` (zone statements) on
 * 127.0.0.1:port, config and data in a temp dir. Resolves once it answers.
 */
export async function startNamed(namedPath: string, zonesConfig: string, files: Record<string, string> = {}, extraOptions = '', fixedPort?: number): Promise<Named> {
  const dir = await mkdtemp(join(tmpdir(), 'signpost-named-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  const port = fixedPort ?? (await freePort());
  const control = await freePort();
  const conf = `
options {
  directory "${dir}";
  pid-file "${join(dir, 'named.pid')}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
  ${extraOptions.includes('minimal-responses') ? '' : 'minimal-responses yes;'}
  minimal-any yes;
  session-keyfile "${join(dir, 'session.key')}";
  managed-keys-directory "${dir}";
  ${extraOptions}
};
controls { inet 127.0.0.1 port ${control} allow { none; }; };
${zonesConfig}
`;
  await writeFile(join(dir, 'named.conf'), conf);
  let output = '';
  const child = spawn(namedPath, ['-g', '-c', join(dir, 'named.conf'), '-n', '1', '-4'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 15_000;
  while (!/running/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`named did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    dir,
    process: child,
    log: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` is true or the time runs out; returns the elapsed milliseconds. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A UDP query from raw bytes; resolves with the raw response, or undefined after 1 s. */
export function rawUdp(port: number, msg: Uint8Array): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => (s.close(), resolve(undefined)), 1000);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m);
    });
    s.send(msg, port, '127.0.0.1');
  });
}

/**
 * The example zone of RFC 4592 §2.2.1 under the test zone (its SRV records
 * as TXT, which Signpost models): wildcards at the apex, a name below a
 * wildcard owner, empty non-terminals and a delegation.
 */
export const RFC4592_ZONE_TEXT = `
*                  60 TXT   "this is a wildcard"
*                  60 MX    10 host1.dyn.example.test.
sub.*              60 TXT   "this is not a wildcard"
host1              60 A     192.0.2.1
_ssh._tcp.host1    60 TXT   "srv stand-in"
_ssh._tcp.host2    60 TXT   "srv stand-in"
subdel             60 NS    ns.example.com.
subdel             60 NS    ns.example.net.
`;

/** The RFC 4592 §2.2.1 questions, and a few more around the empty non-terminals and the `*` name itself. */
export const RFC4592_QUESTIONS: readonly { readonly q: string; readonly t: RecordType }[] = (
  [
  { q: 'host3', t: 'MX' },
  { q: 'host3', t: 'A' },
  { q: 'foo.bar', t: 'TXT' },
  { q: 'host1', t: 'MX' },
  { q: 'sub.*', t: 'MX' },
  { q: '_telnet._tcp.host1', t: 'TXT' },
  { q: 'host.subdel', t: 'A' },
  { q: 'ghost.*', t: 'MX' },
  { q: '_tcp.host1', t: 'TXT' },
  { q: 'x._tcp.host2', t: 'TXT' },
  { q: '*', t: 'TXT' },
    { q: 'host3', t: 'TXT' },
  ] as const
).map(({ q, t }) => ({ q: `${q}.${ZONE}`, t }));
