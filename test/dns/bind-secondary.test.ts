/**
 * Signpost as a hidden primary for a real BIND 9 secondary: BIND transfers
 * the zone (TSIG-signed, since the allow-list excludes it), is NOTIFYed
 * (signed with the same key)
 * after a dyndns2 update over HTTP and serves the new address within a
 * second.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePeer } from '../support/peers.js';
import { startTestServer, type TestServer } from '../interop/harness.js';
import { dig, freePort, startNamed, waitFor, ZONE, type Named } from './support.js';

const named = requirePeer('named');
const digPeer = requirePeer('dig');
const KEY = 'bind-xfr';
const SECRET = Buffer.from('bind-secondary-shared-secret-0123').toString('base64');
const HOST = 'home.dyn.example.test';

describe.skipIf(!named.available || !digPeer.available)('BIND 9 secondary of Signpost', () => {
  let server: TestServer;
  let bind: Named;

  async function update(ip: string): Promise<string> {
    const res = await fetch(`${server.url}/nic/update?hostname=${HOST}&myip=${ip}`, {
      headers: { authorization: `Basic ${Buffer.from('alice:s3cret pass').toString('base64')}`, 'user-agent': 'signpost-test/1.0' },
    });
    return (await res.text()).trim();
  }
  const bindAnswer = async (type = 'A') => (await dig(digPeer.path, bind.port, [HOST, type, '+short', '+norec'])).stdout.trim();
  const serialAt = async (port: number) => (await dig(digPeer.path, port, [ZONE, 'SOA', '+short'])).stdout.trim().split(/\s+/)[2];

  beforeAll(async () => {
    const bindPort = await freePort();
    server = await startTestServer({
      SIGNPOST_ZONES: ZONE,
      SIGNPOST_DNS_NS: 'ns1.{zone}=127.0.0.1',
      SIGNPOST_DNS_NOTIFY: `127.0.0.1:${bindPort}`,
      SIGNPOST_DNS_AXFR_ALLOW: '192.0.2.0/24', // not us: BIND must use the key
      SIGNPOST_DNS_TSIG_KEYS: `${KEY}:${SECRET}`,
      SIGNPOST_DNS_NOTIFY_KEY: KEY, // NOTIFY is signed too; BIND rejects a bad signature
    });
    await server.core.accounts.createUser({ username: 'alice', password: 's3cret pass', domains: [HOST] });
    expect(await update('192.0.2.10')).toBe('good 192.0.2.10');
    bind = await startNamed(
      named.path,
      `key "${KEY}" { algorithm hmac-sha256; secret "${SECRET}"; };
zone "${ZONE}" {
  type secondary;
  primaries { 127.0.0.1 port ${server.dnsPort} key "${KEY}"; };
  file "secondary.db";
  allow-notify { 127.0.0.1; };
};`,
      {},
      '',
      bindPort,
    );
  });
  afterAll(async () => {
    await bind?.stop();
    await server?.stop();
  });

  it('transfers the zone with TSIG at start', async () => {
    await waitFor(async () => (await bindAnswer()) === '192.0.2.10', 10_000, 50);
    expect(await serialAt(bind.port)).toBe(await serialAt(server.dnsPort!));
    expect(bind.log()).toMatch(/transfer of '.*dyn\.example\.test.*' from 127\.0\.0\.1#\d+: Transfer completed/);
  });

  it('is NOTIFYed after a dyndns2 update and serves the new address within a second', async () => {
    const before = Number(await serialAt(server.dnsPort!));
    expect(await update('192.0.2.20')).toBe('good 192.0.2.20');
    const elapsed = await waitFor(async () => (await bindAnswer()) === '192.0.2.20', 1000, 10);
    expect(elapsed).toBeLessThan(1000);
    const after = Number(await serialAt(bind.port));
    expect(after).toBe(before + 1);
    expect(bind.log()).toMatch(/notify from 127\.0\.0\.1#\d+: serial \d+/);
    expect(bind.log()).toMatch(/key bind-xfr: received notify for zone 'dyn\.example\.test': TSIG 'bind-xfr'/);
  });

  it('follows an IPv6 addition too (second NOTIFY, IXFR answered AXFR-style)', async () => {
    expect(await update('2001:db8::20')).toBe('good 2001:db8::20');
    await waitFor(async () => (await bindAnswer('AAAA')) === '2001:db8::20', 1000, 10);
    expect(await bindAnswer('A')).toBe('192.0.2.20');
  });
});
