/**
 * A real ACME CA and real ACME clients for certificate tests, all offline:
 * pebble (Let's Encrypt's test CA) validating DNS-01 against a DNS server the
 * test names, and lego / certbot obtaining certificates from it.
 *
 *   const pebble = await startPebble({ dnsServer: `127.0.0.1:${dnsPort}` });
 *   const cert = await runLego({ pebble, domains: ['h.example.test'], dns: 'rfc2136', env: { … } });
 *   expect(await issuedByPebble(pebble, cert.certificate)).toBe(true);
 *
 * pebble's own HTTPS listener gets a throwaway certificate made with openssl;
 * clients trust it through LEGO_CA_CERTIFICATES / REQUESTS_CA_BUNDLE. The CA
 * that signs issued certificates is pebble's, generated at each start and
 * read from its management listener.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from './child-server.js';

const run = promisify(execFile);

export interface Pebble {
  /** The ACME directory URL. */
  readonly directoryUrl: string;
  /** PEM file that makes a client trust pebble's HTTPS listener (not the issuing CA). */
  readonly listenerCaFile: string;
  /** The root that signs issued certificates (differs on every start). */
  root(): Promise<X509Certificate>;
  /** Everything pebble logged so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export interface PebbleOptions {
  /** host:port of the DNS server pebble queries for _acme-challenge TXT records. */
  readonly dnsServer: string;
  /** How long issued certificates are valid, in seconds (pebble's default: five years). */
  readonly certificateValidityPeriod?: number;
  readonly pebblePath?: string;
  readonly opensslPath?: string;
}

export async function startPebble(options: PebbleOptions): Promise<Pebble> {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-pebble-'));
  const cert = join(dir, 'listener.pem');
  const key = join(dir, 'listener.key');
  await run(options.opensslPath ?? 'openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert,
  ]);
  const [port, management] = [await freePort(), await freePort()];
  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${port}`,
      managementListenAddress: `127.0.0.1:${management}`,
      certificate: cert,
      privateKey: key,
      httpPort: 5002,
      tlsPort: 5001,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
      ...(options.certificateValidityPeriod === undefined ? {} : { certificateValidityPeriod: options.certificateValidityPeriod }),
    },
  };
  writeFileSync(join(dir, 'pebble.json'), JSON.stringify(config));
  // No random validation sleeps, no rejected nonces, no reused authorizations: every test run validates for real.
  const child = spawn(options.pebblePath ?? 'pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', options.dnsServer], {
    env: { PATH: process.env.PATH ?? '', PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-64 * 1024);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const listenerCa = readFileSync(cert);
  const agent = new Agent({ ca: listenerCa });
  const stop = () => stopChild(child).then(() => rmSync(dir, { recursive: true, force: true }));
  try {
    await waitFor(() => output.includes('ACME directory available'), 15_000, () => `pebble did not start:\n${output}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    directoryUrl: `https://127.0.0.1:${port}/dir`,
    listenerCaFile: cert,
    root: async () => new X509Certificate(await get(`https://127.0.0.1:${management}/roots/0`, agent)),
    log: () => output,
    stop,
  };
}

export interface IssuedCertificate {
  /** The leaf certificate (first PEM block of what the client saved). */
  readonly leaf: X509Certificate;
  /** Every certificate the client saved, leaf first. */
  readonly chain: readonly X509Certificate[];
  /** The client's combined output, for failure messages. */
  readonly output: string;
}

export interface LegoOptions {
  readonly pebble: Pebble;
  readonly domains: readonly string[];
  /** lego's DNS provider code: rfc2136, httpreq, acme-dns, exec, … */
  readonly dns: string;
  /**
   * A user's own lego arguments (`--email … --dns … --domains … run`, as a
   * README sample has them), used instead of `domains` and `dns`; the bench
   * flags (CA, trust, resolvers, account directory) go before them.
   */
  readonly command?: readonly string[];
  /** The provider's settings (RFC2136_NAMESERVER, HTTPREQ_ENDPOINT, …). */
  readonly env: Readonly<Record<string, string>>;
  /** Where lego looks up SOA/TXT before asking the CA to validate (host:port). */
  readonly resolver: string;
  /**
   * Skip lego's wait for every authoritative server: for DNS servers that
   * cannot answer SOA (pebble-challtestsrv), and for servers off port 53
   * (lego asks each name server of the zone on port 53).
   */
  readonly skipAuthoritativeCheck?: boolean;
  readonly legoPath?: string;
  readonly timeoutMs?: number;
}

/** `lego run` against pebble; rejects with lego's output when it obtains nothing. */
export async function runLego(options: LegoOptions): Promise<IssuedCertificate> {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-lego-'));
  try {
    // --accept-tos first: a README sample given as `command` starts with its own flags.
    const bench = ['--accept-tos', ...legoPebbleFlags(options.pebble, { path: dir, resolver: options.resolver, skipAuthoritativeCheck: options.skipAuthoritativeCheck ?? false })];
    const args = options.command
      ? [...bench, ...options.command]
      : [...bench, '--email', 'certs@example.test', '--dns', options.dns, ...options.domains.flatMap((d) => ['--domains', d]), 'run'];
    const output = await runClient(options.legoPath ?? 'lego', args, { ...legoEnv(options.pebble, dir), ...options.env }, options.timeoutMs ?? 120_000);
    return legoCertificate(dir, output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The flags that point a lego command line at pebble, offline: the CA, where
 * lego keeps its files, the DNS server it asks (host:port) and a short DNS
 * timeout. A README sample is run with these put right after `lego`.
 */
export function legoPebbleFlags(pebble: Pebble, options: { readonly path: string; readonly resolver: string; readonly skipAuthoritativeCheck: boolean }): string[] {
  return [
    '--server', pebble.directoryUrl, '--path', options.path, '--dns.resolvers', options.resolver, '--dns-timeout', '5',
    ...(options.skipAuthoritativeCheck ? ['--dns.disable-cp'] : []),
  ];
}

/** The environment lego needs to trust pebble's listener (and a HOME of its own). */
export function legoEnv(pebble: Pebble, home: string): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: home, LEGO_CA_CERTIFICATES: pebble.listenerCaFile };
}

/** The certificate lego saved under `path` (its --path); throws with lego's output when there is none. */
export function legoCertificate(path: string, output: string): IssuedCertificate {
  const certs = join(path, 'certificates');
  const file = existsSync(certs) ? readdirSync(certs).find((f) => f.endsWith('.crt') && !f.endsWith('.issuer.crt')) : undefined;
  if (!file) throw new Error(`lego saved no certificate:\n${output}`);
  return parsed(readFileSync(join(certs, file), 'utf8'), output);
}

export interface CertbotOptions {
  readonly pebble: Pebble;
  readonly domains: readonly string[];
  /** The authenticator's arguments, e.g. ['--dns-rfc2136', '--dns-rfc2136-credentials', file]. */
  readonly args: readonly string[];
  readonly certbotPath?: string;
  readonly timeoutMs?: number;
}

/** `certbot certonly` against pebble, with its own config, work and logs directories. */
export async function runCertbot(options: CertbotOptions): Promise<IssuedCertificate> {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-certbot-'));
  try {
    const args = [
      'certonly', '--non-interactive', '--agree-tos', '--email', 'certs@example.test', '--server', options.pebble.directoryUrl,
      '--config-dir', join(dir, 'config'), '--work-dir', join(dir, 'work'), '--logs-dir', join(dir, 'logs'),
      '--cert-name', 'test', ...options.domains.flatMap((d) => ['-d', d]), ...options.args,
    ];
    const env = { PATH: process.env.PATH ?? '', HOME: dir, REQUESTS_CA_BUNDLE: options.pebble.listenerCaFile };
    const output = await runClient(options.certbotPath ?? 'certbot', args, env, options.timeoutMs ?? 120_000);
    return parsed(readFileSync(join(dir, 'config', 'live', 'test', 'fullchain.pem'), 'utf8'), output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The certificate chains up to pebble's current root and covers exactly `domains`. */
export async function issuedByPebble(pebble: Pebble, cert: IssuedCertificate, domains: readonly string[]): Promise<boolean> {
  const root = await pebble.root();
  const [leaf, ...rest] = cert.chain;
  if (!leaf) return false;
  let child = leaf;
  for (const parent of [...rest, root]) {
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) return false;
    child = parent;
  }
  const names = (leaf.subjectAltName ?? '').split(', ').map((s) => s.replace(/^DNS:/, '')).sort();
  return JSON.stringify(names) === JSON.stringify([...domains].sort());
}

function parsed(pem: string, output: string): IssuedCertificate {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const chain = blocks.map((b) => new X509Certificate(b));
  if (chain.length === 0) throw new Error(`no certificate in the saved file:\n${output}`);
  return { leaf: chain[0]!, chain, output };
}

function runClient(path: string, args: readonly string[], env: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-256 * 1024);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${path} ${args.join(' ')} exited with ${code ?? signal}:\n${output}`));
    });
  });
}

function get(url: string, agent: Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${url}: ${res.statusCode}`))));
    })
      .once('error', reject)
      .end();
  });
}

async function waitFor(ready: () => boolean, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
