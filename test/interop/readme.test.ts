/**
 * The README's walkthrough, run as written against the real server: the
 * admin curl sample and its CLI alternative create alice, the ddclient and
 * inadyn samples and the Fritz!Box URL update her host through real
 * clients, and the dig lines query that host. The only changes to a sample
 * are the server's address and port (`signpost.example.com:8080`,
 * `localhost:8080`, `-p 5353`), the Fritz!Box placeholders (filled in
 * URL-encoded, as the router does), and the run-once flags each client
 * gets on its command line. inadyn also gets `verify-address = false`
 * prepended: it refuses a loopback address as "not a valid Internet
 * address", and loopback is what /nic/checkip sees in a test.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SqliteStore } from '../../src/adapters/store/sqlite.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/child-server.js';
import { requirePeer } from '../support/peers.js';
import { atServer, readmeBlock, readmeInline } from '../support/readme.js';
import { ADMIN_KEY, hostOf, makeTempDir, run, startTestServer, type TestServer } from './harness.js';
import { dig, startNamed, type Named } from '../dns/support.js';

const curl = requirePeer('curl');
const ddclient = requirePeer('ddclient');
const inadyn = requirePeer('inadyn');
const peers = [curl, ddclient, inadyn, requirePeer('dig')]; // the README's dig lines run through sh and PATH
const HOST = 'home.dyn.example.test';
const PASSWORD = 'correct horse battery';

/** A README shell sample, run by sh as a user would paste it. */
function sh(script: string, options: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      '/bin/sh',
      ['-c', script],
      { cwd: options.cwd ?? REPO_ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', ...options.env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe.skipIf(peers.some((p) => !p.available))('README walkthrough', () => {
  let server: TestServer;
  let dir: string;
  let hostPort: string;

  beforeAll(async () => {
    server = await startTestServer();
    hostPort = `127.0.0.1:${server.port}`;
    dir = await makeTempDir('readme');
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the admin curl sample creates alice', async () => {
    const sample = readmeBlock('Create a user who may update some names over the admin API');
    expect(sample).toContain('curl -X POST http://localhost:8080/user');
    const result = await sh(atServer(sample, hostPort), { env: { SIGNPOST_ADMIN_KEY: ADMIN_KEY } });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ username: 'alice', domains: ['*.alice.dyn.example.test', HOST] });
  });

  it('the CLI sample creates the same user (on a data directory of its own)', async () => {
    const sample = readmeBlock('or, equivalently, with the CLI on the same data directory');
    // The data directory of a server that has run once (the CLI refuses to create a database).
    await mkdir(join(dir, 'cli-data'));
    await new SqliteStore(join(dir, 'cli-data', 'signpost.db')).close();
    const result = await sh(sample, { env: { SIGNPOST_DATA_DIR: join(dir, 'cli-data') } });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ username: 'alice', domains: ['*.alice.dyn.example.test', HOST] });
  });

  it('the ddclient sample learns its address from /nic/checkip and updates the host', async () => {
    const file = join(dir, 'ddclient.conf');
    await writeFile(file, atServer(readmeBlock('**ddclient**'), hostPort), { mode: 0o600 });
    const result = await run(ddclient.path, ['-daemon=0', '-foreground', '-file', file, '-cache', join(dir, 'ddclient.cache'), '-verbose', '-noquiet']);
    expect(result.output).toContain(`GET /nic/update?system=dyndns&hostname=${HOST}&myip=127.0.0.1`);
    expect(result.output).toContain(`SUCCESS:  updating ${HOST}: good: IP address set to 127.0.0.1`);
    expect(result.output).not.toMatch(/FAILED|WARNING/);
    expect(await hostOf(server, HOST)).toMatchObject({ owner: 'alice', ipv4: '127.0.0.1' });
  });

  it('the inadyn sample learns its address from /nic/checkip and updates the host', async () => {
    const file = join(dir, 'inadyn.conf');
    const cache = join(dir, 'inadyn-cache');
    await mkdir(cache, { recursive: true });
    await writeFile(file, `verify-address = false\n${atServer(readmeBlock('**inadyn / UniFi OS**'), hostPort)}`, { mode: 0o600 });
    const result = await run(inadyn.path, ['--once', '--foreground', '--no-pidfile', '-l', 'debug', '-f', file, `--cache-dir=${cache}`]);
    expect(result.output).toContain('GET /nic/checkip HTTP/1.0');
    expect(result.output).toContain(`GET /nic/update?hostname=${HOST}&myip=127.0.0.1 HTTP/1.0`);
    expect(result.output).toMatch(/nochg 127\.0\.0\.1/); // ddclient set this address just before
    expect(result.output).toContain(`Successful alias table update for ${HOST} => new IP# 127.0.0.1`);
    expect(result.code, result.output).toBe(0);
  });

  it('the Fritz!Box URL, with its placeholders filled in, updates both families (curl)', async () => {
    const template = atServer(readmeInline('**Fritz!Box**'), hostPort);
    const values: Record<string, string> = { domain: HOST, ipaddr: '192.0.2.10', ip6addr: '2001:db8::10', username: 'alice', pass: PASSWORD };
    const url = template.replace(/<(\w+)>/g, (_, name: string) => encodeURIComponent(values[name] ?? `<${name}>`));
    expect(url).not.toContain('<');
    const result = await run(curl.path, ['-sS', '-A', 'AVM FRITZ!Box', url]);
    expect(result.stdout).toBe('good 192.0.2.10,2001:db8::10');
    expect(await hostOf(server, HOST)).toMatchObject({ ipv4: '192.0.2.10', ipv6: '2001:db8::10' });
  });

  it('the dig lines query the host the walkthrough updated', async () => {
    const lines = readmeBlock("After alice's router has updated").trim().split('\n');
    expect(lines).toHaveLength(3);
    const [a, soa, axfr] = await Promise.all(lines.map((line) => sh(line.replace('-p 5353', `-p ${server.dnsPort}`))));
    expect(a!.stdout).toMatch(/flags: qr aa/);
    expect(a!.stdout).toMatch(/^home\.dyn\.example\.test\.\s+60\s+IN\s+A\s+192\.0\.2\.10$/m);
    expect(soa!.stdout.trim()).toMatch(/^ns1\.dyn\.example\.test\. hostmaster\.dyn\.example\.test\. \d+ /);
    expect(axfr!.stdout).toMatch(/^home\.dyn\.example\.test\.\s+60\s+IN\s+AAAA\s+2001:db8::10$/m);
  });
});

const named = requirePeer('named');
const namedCheckconf = requirePeer('named-checkconf');
const rfc2136Peers = [named, namedCheckconf, requirePeer('dig')];

/**
 * "Publishing to your own DNS server": the BIND snippet, with `<secret>`
 * filled in, passes named-checkconf and runs a real named; Signpost started
 * with the variables of the sample (server address and secret filled in)
 * publishes a dyndns2 update there.
 */
describe.skipIf(rfc2136Peers.some((p) => !p.available))('README: publishing to your own DNS server', () => {
  const secret = Buffer.from('readme-rfc2136-sample-secret-012345').toString('base64');
  let bind: Named | undefined;
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.stop();
    await bind?.stop();
  });

  it('the BIND snippet is valid and the Signpost variables publish to it', async () => {
    const snippet = readmeBlock('**BIND primary for Signpost**').replaceAll('<secret>', secret);
    const dir = await makeTempDir('readme-bind');
    await writeFile(join(dir, 'named.conf'), snippet);
    const check = await run(namedCheckconf.path, [join(dir, 'named.conf')]);
    expect(check.code, check.stderr + check.stdout).toBe(0);
    await rm(dir, { recursive: true, force: true });

    bind = await startNamed(named.path, snippet, { 'dyn.example.com.db': '$TTL 300\n@ SOA ns1.dyn.example.com. hostmaster.dyn.example.com. 1 3600 600 1209600 60\n@ NS ns1.dyn.example.com.\nns1 A 127.0.0.1\n' });
    const env = Object.fromEntries(
      readmeBlock('**Signpost publishing to that primary**')
        .trim()
        .split('\n')
        .map((line) => line.replace('192.0.2.53:53', `127.0.0.1:${bind!.port}`).replace('<secret>', secret))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    server = await startTestServer(env);
    await server.core.accounts.createUser({ username: 'carol', password: PASSWORD, domains: ['home.dyn.example.com'] });
    const res = await fetch(`${server.url}/nic/update?hostname=home.dyn.example.com&myip=192.0.2.77`, { headers: { authorization: `Basic ${Buffer.from(`carol:${PASSWORD}`).toString('base64')}`, 'user-agent': 'readme-test/1.0' } });
    expect((await res.text()).trim()).toBe('good 192.0.2.77');
    expect((await dig(requirePeer('dig').path, bind.port, ['home.dyn.example.com', 'A', '+short'])).stdout.trim()).toBe('192.0.2.77');
  });
});
