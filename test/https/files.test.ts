/**
 * HTTPS with certificate files: the same app as plain HTTP on a second
 * port, reached by HTTP/1.0 (inadyn) and SNI-less clients; files replaced
 * on disk are served from the next handshake on, without a restart, and a
 * replacement that does not load keeps the previous certificate.
 */
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { ADMIN_KEY, run, startTestServer, type TestServer } from '../interop/harness.js';
import { requirePeer } from '../support/peers.js';
import { readmeEnv } from '../support/readme.js';
import { handshakeWithoutSni, selfSigned } from './tls-peers.js';

const openssl = requirePeer('openssl');
const curl = requirePeer('curl');
const NAME = 'ddns.dyn.example.test';

describe.skipIf(!openssl.available || !curl.available)('HTTPS with certificate files', () => {
  let dir: string;
  let server: TestServer;
  let first: { cert: string; key: string };
  let second: { cert: string; key: string };
  let log = '';
  const live = () => ({ cert: join(dir, 'live.pem'), key: join(dir, 'live.key') });
  const fingerprint = (file: string) => new X509Certificate(readFileSync(file)).fingerprint256;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signpost-https-files-'));
    first = await selfSigned(openssl.path, dir, 'first', NAME);
    second = await selfSigned(openssl.path, dir, 'second', NAME);
    copyFileSync(first.cert, live().cert);
    copyFileSync(first.key, live().key);
    const logger = createLogger('info', { write: (line: string) => void (log += line) });
    // The README's settings, with this test's files and a free port.
    const sample = readmeEnv('**HTTPS with certificate files**');
    expect(Object.keys(sample).sort()).toEqual(['SIGNPOST_HTTPS_PORT', 'SIGNPOST_TLS_CERT', 'SIGNPOST_TLS_KEY']);
    server = await startTestServer({ ...sample, SIGNPOST_HTTPS_PORT: '0', SIGNPOST_TLS_CERT: live().cert, SIGNPOST_TLS_KEY: live().key }, { logger });
    await server.core.accounts.createUser({ username: 'alice', password: 'alice secret pw', domains: ['*.alice.dyn.example.test'] });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const update = (cacert: string, ip: string, extra: string[] = []) =>
    run(curl.path, [
      '-sS', '--http1.0', '--cacert', cacert, '--resolve', `${NAME}:${server.https!.port}:127.0.0.1`, '-u', 'alice:alice secret pw', ...extra,
      `https://${NAME}:${server.https!.port}/nic/update?hostname=home.alice.dyn.example.test&myip=${ip}`,
    ]);

  it('answers an HTTP/1.0 dyndns2 update over TLS, and keeps plain HTTP on its own port', async () => {
    const res = await update(first.cert, '192.0.2.10', ['-v']);
    expect(res.code, res.output).toBe(0);
    expect(res.stdout).toBe('good 192.0.2.10');
    expect(res.stderr).toContain('> GET /nic/update');
    expect(res.stderr).toMatch(/HTTP\/1\.0\r?\n/);
    const plain = await fetch(`${server.url}/nic/checkip`);
    expect(plain.status).toBe(200);
    const admin = await fetch(`${server.https!.url}/users`, { headers: { 'x-api-key': ADMIN_KEY } }).catch((e: unknown) => e);
    expect(admin).toBeInstanceOf(Error); // a client that does not trust the certificate is refused by the client itself
  });

  it('serves a client that sends no SNI', async () => {
    const shake = await handshakeWithoutSni(openssl.path, server.https!.port);
    expect(shake.certificate.fingerprint256).toBe(fingerprint(first.cert));
    expect(shake.response).toMatch(/^HTTP\/1\.[01] 200/m);
  });

  it('serves replaced files from the next handshake on, and keeps them when a replacement does not load', async () => {
    copyFileSync(second.key, live().key);
    copyFileSync(second.cert, live().cert);
    await until(async () => (await handshakeWithoutSni(openssl.path, server.https!.port)).certificate.fingerprint256 === fingerprint(second.cert));
    expect((await update(second.cert, '192.0.2.11')).stdout).toBe('good 192.0.2.11');

    // The first certificate with the second's key: the pair does not match, so nothing changes.
    copyFileSync(first.cert, live().cert);
    await until(async () => log.includes('do not load; still serving the previous certificate'));
    expect((await handshakeWithoutSni(openssl.path, server.https!.port)).certificate.fingerprint256).toBe(fingerprint(second.cert));
    expect((await update(second.cert, '192.0.2.12')).stdout).toBe('good 192.0.2.12');

    // Completing the pair puts it in.
    copyFileSync(first.key, live().key);
    await until(async () => (await handshakeWithoutSni(openssl.path, server.https!.port)).certificate.fingerprint256 === fingerprint(first.cert));
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 250));
  }
}
