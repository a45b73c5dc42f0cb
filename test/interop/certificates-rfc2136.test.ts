/**
 * Certificates through RFC 2136, end to end and from the README: the
 * README's curl sample creates alice's TSIG key; lego (its `rfc2136`
 * provider, a name and its wildcard: two challenge values at one name) and
 * certbot (`--dns-rfc2136`) obtain certificates from pebble, which validates
 * against Signpost's own DNS server; the challenge values are gone
 * afterwards. The samples run as written, with only the documented
 * substitutions: the DNS server's address and port (`192.0.2.53`, port 53),
 * the secret (`<secret>`), and file paths under a temp directory. For the
 * samples of tools not installed here: the acme.sh one runs the nsupdate
 * commands its `dns_nsupdate` hook sends, with the README's key file and
 * variables; the Traefik and cert-manager YAML is parsed and checked
 * against Signpost's names.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { SqliteStore } from '../../src/adapters/store/sqlite.js';
import { issuedByPebble, runCertbot, runLego, startPebble, type Pebble } from '../support/acme.js';
import { REPO_ROOT } from '../support/child-server.js';
import { requirePeer } from '../support/peers.js';
import { atServer, readmeBlock } from '../support/readme.js';
import { dig } from '../dns/support.js';
import { ADMIN_KEY, makeTempDir, startTestServer, ZONE, type TestServer } from './harness.js';

const peers = ['pebble', 'lego', 'certbot', 'openssl', 'curl', 'dig', 'nsupdate'].map((name) => requirePeer(name));
const HOST = `home.${ZONE}`;
const CHALLENGE = `_acme-challenge.${HOST}`;

/** A README shell sample, run by sh as a user would paste it. */
function sh(script: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', script], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Words of a one-command shell sample as sh splits them: continuation lines joined, quotes removed. */
function shellWords(sample: string): string[] {
  const tokens = sample.replace(/\\\n/g, ' ').match(/(?:'[^']*'|"[^"]*"|[^\s'"]+)+/g) ?? [];
  return tokens.map((t) => t.replace(/'([^']*)'|"([^"]*)"/g, (_, single?: string, double?: string) => single ?? double ?? ''));
}

describe.skipIf(peers.some((p) => !p.available))('certificates over RFC 2136 (pebble, lego, certbot, README samples)', () => {
  let server: TestServer;
  let pebble: Pebble;
  let dir: string;
  let secret: string;
  let dnsAt: string;
  const withServer = (sample: string) => sample.replaceAll('192.0.2.53:53', dnsAt).replaceAll('192.0.2.53', '127.0.0.1').replaceAll('<secret>', secret);
  const txt = async () => (await dig('dig', server.dnsPort!, ['+short', CHALLENGE, 'TXT'])).stdout.trim();

  beforeAll(async () => {
    server = await startTestServer();
    dnsAt = `127.0.0.1:${server.dnsPort}`;
    dir = await makeTempDir('certs');
    const res = await fetch(`${server.url}/user`, {
      method: 'POST',
      headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'correct horse battery', domains: [HOST, `*.alice.${ZONE}`] }),
    });
    expect(res.status).toBe(201);
    pebble = await startPebble({ dnsServer: dnsAt });
  }, 60_000);
  afterAll(async () => {
    await pebble?.stop();
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the README curl sample creates alice’s key', async () => {
    const result = await sh(atServer(readmeBlock('**Create a TSIG key for alice**'), server.url.replace('http://', '')), { SIGNPOST_ADMIN_KEY: ADMIN_KEY });
    expect(result.code, result.stderr).toBe(0);
    const key = JSON.parse(result.stdout) as { name: string; algorithm: string; secret: string };
    expect(key).toMatchObject({ name: 'certs.alice', algorithm: 'hmac-sha256' });
    secret = key.secret;
  });

  it('lego (README sample) obtains a certificate for the host and its wildcard, finding the zone by SOA; the values are gone afterwards', async () => {
    const words = shellWords(withServer(readmeBlock('**lego**')));
    const env = Object.fromEntries(words.filter((w) => /^[A-Z0-9_]+=/.test(w)).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
    const command = words.filter((w) => !/^[A-Z0-9_]+=/.test(w));
    expect(command[0]).toBe('lego');
    expect(Object.keys(env).sort()).toEqual(['RFC2136_NAMESERVER', 'RFC2136_SEQUENCE_INTERVAL', 'RFC2136_TSIG_ALGORITHM', 'RFC2136_TSIG_KEY', 'RFC2136_TSIG_SECRET']);
    const domains = [HOST, `*.${HOST}`];
    // lego would also ask each of the zone's name servers on port 53; pebble's own validation against Signpost is the check that matters.
    const cert = await runLego({ pebble, domains, dns: 'rfc2136', command: command.slice(1), env, resolver: dnsAt, skipAuthoritativeCheck: true, timeoutMs: 50_000 });
    expect(await issuedByPebble(pebble, cert, domains), cert.output).toBe(true);
    expect(await txt()).toBe('');
  }, 60_000);

  it('certbot --dns-rfc2136 (README samples) obtains a certificate for the host and its wildcard (two values at once); the values are gone afterwards', async () => {
    const credentials = join(dir, 'signpost.ini');
    const ini = withServer(readmeBlock('**certbot credentials**')).replace(/^dns_rfc2136_port = 53$/m, `dns_rfc2136_port = ${server.dnsPort}`);
    expect(ini).toContain(`dns_rfc2136_port = ${server.dnsPort}`);
    await writeFile(credentials, ini, { mode: 0o600 });
    const words = shellWords(readmeBlock('**certbot command**').replaceAll('/etc/letsencrypt/signpost.ini', credentials));
    expect(words.slice(0, 2)).toEqual(['certbot', 'certonly']);
    const cert = await runCertbot({ pebble, domains: [], args: words.slice(2), timeoutMs: 50_000 });
    expect(await issuedByPebble(pebble, cert, [HOST, `*.${HOST}`]), cert.output).toBe(true);
    expect(await txt()).toBe('');
  }, 60_000);

  it('the acme.sh sample’s key file and variables work for the nsupdate commands its dns_nsupdate hook sends', async () => {
    const lines = withServer(readmeBlock('**acme.sh**'))
      .replaceAll('/etc/signpost-certs.key', join(dir, 'signpost-certs.key'))
      .replace('NSUPDATE_SERVER_PORT=53', `NSUPDATE_SERVER_PORT=${server.dnsPort}`)
      .trimEnd()
      .split('\n');
    expect(lines.at(-1)).toMatch(/^acme\.sh --issue --dns dns_nsupdate /);
    // What dns_nsupdate_add and _rm send (acme.sh's dnsapi/dns_nsupdate.sh, without NSUPDATE_ZONE: nsupdate finds the zone by SOA).
    const hook = (command: string) => `nsupdate -k "$NSUPDATE_KEY" <<EOF\nserver \${NSUPDATE_SERVER}  \${NSUPDATE_SERVER_PORT}\n${command}\nsend\nEOF`;
    const setup = lines.slice(0, -1).join('\n');
    const added = await sh(`${setup}\n${hook(`update add ${CHALLENGE}. 60 in txt "acme-sh-value"`)}`);
    expect(added.code, added.stderr + added.stdout).toBe(0);
    expect(await txt()).toBe('"acme-sh-value"');
    const removed = await sh(`${setup}\n${hook(`update delete ${CHALLENGE}. txt`)}`);
    expect(removed.code, removed.stderr + removed.stdout).toBe(0);
    expect(await txt()).toBe('');
  });

  it('the Traefik and cert-manager samples name lego’s rfc2136 provider and Signpost’s key, server and algorithm', () => {
    const traefik = parse(readmeBlock('**Traefik**'));
    expect(traefik.certificatesResolvers.signpost.acme.dnsChallenge).toEqual({ provider: 'rfc2136' });
    // Traefik reads the same variables as lego (the lego sample, run above, sets them).
    expect(readmeBlock('**Traefik**')).not.toMatch(/RFC2136_/);

    const [secretDoc, issuerDoc] = parseAllDocuments(readmeBlock('**cert-manager**')).map((d) => d.toJS());
    expect(secretDoc).toMatchObject({ apiVersion: 'v1', kind: 'Secret', stringData: { secret: '<secret>' } });
    expect(issuerDoc).toMatchObject({ apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer' });
    const rfc2136 = issuerDoc.spec.acme.solvers[0].dns01.rfc2136;
    expect(rfc2136).toEqual({ nameserver: '192.0.2.53:53', tsigKeyName: 'certs.alice', tsigAlgorithm: 'HMACSHA256', tsigSecretSecretRef: { name: secretDoc.metadata.name, key: 'secret' } });
    // The Secret lives where a ClusterIssuer looks (the cert-manager namespace by default).
    expect(secretDoc.metadata.namespace).toBe('cert-manager');
  });

  it('the CLI sample creates the same key (on a data directory of its own)', async () => {
    const data = join(dir, 'cli-data');
    await mkdir(data);
    const store = new SqliteStore(join(data, 'signpost.db'));
    await store.createUser({ username: 'alice', passwordHash: 'x', createdAt: 0 });
    await store.close();
    const result = await sh(readmeBlock('**or create it with the CLI**'), { SIGNPOST_DATA_DIR: data });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'certs.alice', algorithm: 'hmac-sha256', nsupdateKey: expect.stringMatching(/^hmac-sha256:certs\.alice:/) });
  }, 60_000);
});
