/**
 * The built-in server takes hmac-sha512 keys too (`hmac-sha512:name:secret`
 * in SIGNPOST_DNS_TSIG_KEYS): dig's signed AXFR is accepted and dig verifies
 * every signed message of the answer; the same key name with the other
 * algorithm is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig, startTestDns, ZONE, type TestDns } from '../dns/support.js';
import { requirePeer } from '../support/peers.js';

const digPeer = requirePeer('dig');
const SECRET = Buffer.from('builtin-sha512-secret-0123456789abcdef').toString('base64');

describe.skipIf(!digPeer.available)('built-in server with an hmac-sha512 key', () => {
  let server: TestDns;
  beforeAll(async () => {
    const host = { name: `h.${ZONE}`, type: 'A' as const, ttl: 60, values: ['192.0.2.5'] };
    // 127.0.0.1 is left out of the allow-list so only the key lets dig transfer.
    server = await startTestDns([host], { SIGNPOST_DNS_TSIG_KEYS: `hmac-sha512:xfr512:${SECRET}`, SIGNPOST_DNS_AXFR_ALLOW: '192.0.2.0/24' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers a signed AXFR that dig verifies', async () => {
    const r = await dig(digPeer.path, server.port, ['-y', `hmac-sha512:xfr512:${SECRET}`, ZONE, 'AXFR']);
    expect(r.stdout).not.toMatch(/failed|tsig verify failure/i);
    expect(r.stdout).toMatch(/h\.dyn\.example\.test\.\s+60\s+IN\s+A\s+192\.0\.2\.5/);
    expect(r.stdout).toMatch(/TSIG\s+hmac-sha512\. \d+ 300 64 /);
  });

  it('refuses the key with the other algorithm', async () => {
    const r = await dig(digPeer.path, server.port, ['-y', `hmac-sha256:xfr512:${SECRET}`, ZONE, 'AXFR']);
    expect(r.stdout).not.toMatch(/192\.0\.2\.5/);
  });
});
