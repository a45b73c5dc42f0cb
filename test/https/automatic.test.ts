/**
 * Automatic certificates end to end, with pebble as the CA: the server
 * starts with no certificate, obtains one for its public names (a wildcard
 * included) by answering DNS-01 from its own DNS server, and a router that
 * trusts the CA's root updates over HTTPS. Renewal (forced by a renewal
 * window just shorter than the certificates pebble issues) swaps the
 * certificate without a restart; with the CA gone, the current one keeps
 * being served and the failure is logged. Challenge values are gone after
 * each order.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPebble, type Pebble } from '../support/acme.js';
import { freePort, spawnServer, type ChildServer } from '../support/child-server.js';
import { requirePeer } from '../support/peers.js';
import { readmeEnv } from '../support/readme.js';
import { freeDnsPort } from '../support/ports.js';
import { dig } from '../dns/support.js';
import { run } from '../interop/harness.js';
import { handshakeWithoutSni } from './tls-peers.js';

const peers = ['pebble', 'openssl', 'curl', 'dig'].map((name) => requirePeer(name));
const [, openssl, curl, digPeer] = peers as [unknown, { path: string }, { path: string }, { path: string }];
const NAME = 'ddns.dyn.example.com';
const ADMIN_KEY = 'https-admin-key-0123456789';
/** pebble's certificates live 100 days; renewing 99.9998 days before expiry renews about 17 s after each issue. */
const VALIDITY_SECONDS = 100 * 86_400;
const RENEW_DAYS = '99.9998';

describe.skipIf(!peers.every((p) => p.available))('automatic certificates (pebble as the CA)', () => {
  let dir: string;
  let dataDir: string;
  let pebble: Pebble;
  let server: ChildServer;
  let dnsPort: number;
  let httpsPort: number;
  let rootFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signpost-https-acme-'));
    dataDir = join(dir, 'data');
    dnsPort = await freeDnsPort();
    httpsPort = await freePort();
    pebble = await startPebble({ dnsServer: `127.0.0.1:${dnsPort}`, certificateValidityPeriod: VALIDITY_SECONDS });
    server = await spawnServer({
      // The README's settings verbatim, on a free port instead of 443, with pebble as the CA.
      ...readmeEnv('**HTTPS with an automatic certificate**'),
      SIGNPOST_ZONES: 'dyn.example.com',
      SIGNPOST_DATA_DIR: dataDir,
      SIGNPOST_DNS_PORT: String(dnsPort),
      SIGNPOST_ADMIN_KEY: ADMIN_KEY,
      SIGNPOST_HTTPS_PORT: String(httpsPort),
      SIGNPOST_ACME_DIRECTORY: pebble.directoryUrl,
      SIGNPOST_ACME_RENEW_DAYS: RENEW_DAYS,
      // How an operator trusts a private ACME CA's HTTPS listener (step-ca, pebble): Node's own variable.
      NODE_EXTRA_CA_CERTS: pebble.listenerCaFile,
    });
    rootFile = join(dir, 'pebble-root.pem');
    writeFileSync(rootFile, (await pebble.root()).toString());
    const res = await fetch(`${server.url}/users`, {
      method: 'POST',
      headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'alice secret pw', domains: ['*.alice.dyn.example.com'] }),
    });
    expect(res.status, await res.text()).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await server?.kill();
    await pebble?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const issued = () => server.output().split('\n').filter((line) => line.includes('obtained a TLS certificate')).length;
  const served = async () => (await handshakeWithoutSni(openssl.path, httpsPort)).certificate;
  const update = (ip: string) =>
    run(curl.path, [
      '-sS', '--cacert', rootFile, '--resolve', `${NAME}:${httpsPort}:127.0.0.1`, '-u', 'alice:alice secret pw',
      `https://${NAME}:${httpsPort}/nic/update?hostname=home.alice.dyn.example.com&myip=${ip}`,
    ]);
  const challengeTxt = async () => (await dig(digPeer.path, dnsPort, ['+short', 'TXT', '_acme-challenge.dyn.example.com'])).stdout.trim();

  let first: X509Certificate;

  it('starts without a certificate, obtains one for its names, and a client trusting the CA updates over HTTPS', async () => {
    expect(server.output()).toContain('no TLS certificate yet');
    await until(() => issued() >= 1, 60_000, () => `no certificate:\n${server.output()}\n${pebble.log()}`);
    first = await served();
    expect(first.subjectAltName?.split(', ').sort()).toEqual(['DNS:*.dyn.example.com', `DNS:${NAME}`]);
    const res = await update('192.0.2.20');
    expect(res.stdout, res.output).toBe('good 192.0.2.20');
    // Kept in the data directory, private to the server's user.
    for (const file of ['acme-account.key', 'certificate.pem', 'certificate.key']) {
      expect(statSync(join(dataDir, 'tls', file)).mode & 0o777, file).toBe(0o600);
    }
    expect(statSync(join(dataDir, 'tls')).mode & 0o777).toBe(0o700);
    expect(await challengeTxt()).toBe('');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const expiry = /^signpost_tls_certificate_expiry_timestamp_seconds (\S+)$/m.exec(metrics)?.[1];
    expect(Number(expiry)).toBe(Date.parse(first.validTo) / 1000);
  }, 90_000);

  it('renews without a restart when the renewal window arrives', async () => {
    await until(() => issued() >= 2, 60_000, () => server.output());
    await until(async () => (await served()).serialNumber !== first.serialNumber, 10_000, () => server.output());
    const res = await update('192.0.2.21');
    expect(res.stdout, res.output).toBe('good 192.0.2.21');
    expect(await challengeTxt()).toBe('');
    expect(existsSync(join(dataDir, 'tls', 'certificate.pem.new'))).toBe(false);
  }, 90_000);

  it('keeps serving the current certificate while renewal fails', async () => {
    const current = await served();
    await pebble.stop();
    // acme-client itself retries a refused connection for about 75 s before the order fails.
    await until(() => server.output().includes('renewal failed; still serving the current certificate'), 150_000, () => server.output());
    expect((await served()).serialNumber).toBe(current.serialNumber);
    const res = await update('192.0.2.22');
    expect(res.stdout, res.output).toBe('good 192.0.2.22');
  }, 180_000);
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out:\n${message()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
